"""``tuoke pool …`` and ``tuoke accounts …`` as a user runs them (a real process)."""

from __future__ import annotations

import json

from backend.services.pool import service
from tests.integration.test_nudges_cli import tuoke


async def test_pool_and_accounts_cli(factory, pool, database_url):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id, "李雷", team="一组")
    deal = await factory.deal(rep, "宁德时代", stage="bidding", amount=900_000)
    async with pool.acquire() as conn:
        await service.release(conn, rep, deal.deal_id, "客户换了对接人")

    out = tuoke("pool", "rules", "--tenant", tenant.slug, "--set", "claim_cap=3", "--set", "stage_days.bidding=40")
    assert out.returncode == 0, out.stderr
    rules = json.loads(out.stdout)
    assert rules["claim_cap"] == 3 and rules["stage_days"] == {"lead": 14, "bidding": 40}
    bad = tuoke("pool", "rules", "--tenant", tenant.slug, "--set", "claim_cap=0")
    assert bad.returncode == 2
    out = tuoke("pool", "list", "--tenant", tenant.slug)
    assert out.returncode == 0 and "宁德时代" in out.stdout and "客户换了对接人" in out.stdout, out.stdout
    out = tuoke("pool", "recycle", "--tenant", tenant.slug, "--dry-run")
    assert out.returncode == 0 and "0 deal(s) would be recycled" in out.stdout, out.stdout
    out = tuoke("accounts", "score", "--tenant", tenant.slug)
    assert out.returncode == 0 and "1 account(s) scored" in out.stdout, out.stdout
    out = tuoke("accounts", "list", "--tenant", tenant.slug, "--json")
    assert out.returncode == 0
    assert [(a["name"], a["tier"]) for a in json.loads(out.stdout)] == [("宁德时代", "C")]

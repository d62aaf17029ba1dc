"""``tuoke digest preview`` prints a link that opens the page it describes (and takes nothing from
the real digest of the day)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


async def test_preview_link_opens_the_page(factory, db, client):
    tenant, _ = await factory.tenant()
    manager = await factory.user(tenant.tenant_id, "王经理", role="manager", team="一组")
    rep = await factory.user(tenant.tenant_id, "李雷", team="一组")
    await factory.deal(rep, "宁德时代", stage="bidding", amount=900_000, entered_days_ago=43)
    run = subprocess.run([str(Path(sys.executable).parent / "tuoke"), "digest", "preview", "--tenant", tenant.slug,
                          "--manager", str(manager.user_id)], cwd=REPO, env=dict(os.environ),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    links = re.findall(r"https?://[^\s)\]]+/d/([A-Za-z0-9_-]{20,64})", run.stdout)
    assert links, run.stdout
    page = await client.get(f"/d/{links[0]}")
    assert page.status_code == 200 and "宁德时代" in page.text
    kinds = [r["kind"] for r in await db.fetch("SELECT kind FROM digests WHERE tenant_id = $1", tenant.tenant_id)]
    assert kinds == ["preview"]  # the day's daily digest is still to be sent

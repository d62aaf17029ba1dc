"""``tuoke nudges scan --dry-run`` and ``tuoke digest preview`` as a user runs them (a real process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def tuoke(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "tuoke"), *args], cwd=REPO, env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)


async def test_dry_run_prints_what_and_why_and_keeps_nothing(factory, db, database_url):
    tenant, _ = await factory.tenant()
    manager = await factory.user(tenant.tenant_id, "王经理", role="manager", team="一组")
    rep = await factory.user(tenant.tenant_id, "李雷", team="一组")
    await factory.deal(rep, "宁德时代", stage="bidding", amount=900_000, entered_days_ago=43)
    run = tuoke("nudges", "scan", "--dry-run", "--tenant", tenant.slug)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert f"[stalled → rep {rep.wecom_userid}" in out and "这单已在投标43天（时限21天）" in out
    assert f"[stalled → manager {manager.wecom_userid}" in out and "李雷的这单已在投标43天" in out
    assert "(dry run: nothing kept)" in out
    assert await db.fetchval("SELECT count(*) FROM nudges WHERE tenant_id = $1", tenant.tenant_id) == 0
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE tenant_id = $1", tenant.tenant_id) == 0

    preview = tuoke("digest", "preview", "--tenant", tenant.slug, "--manager", str(manager.user_id))
    assert preview.returncode == 0, preview.stderr
    assert "王经理，早上好" in preview.stdout and "宁德时代 · 投标超 22 天 · 90万 · 李雷" in preview.stdout
    assert "bytes of WeChat Work's 4096" in preview.stdout
    bad = tuoke("digest", "preview", "--tenant", tenant.slug, "--manager", str(rep.user_id))
    assert bad.returncode == 2 and "no active manager" in bad.stderr
    missing = tuoke("nudges", "scan", "--dry-run", "--tenant", "no-such-tenant")
    assert missing.returncode == 2 and "no tenant" in missing.stderr

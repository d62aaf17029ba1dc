"""What the foreign keys of nudges and outbox to tenants gave, kept without them (migration 0025):
a tenant deleted leaves nothing behind in any table, no outbox row is written for a tenant that
does not exist, and a tenant cannot be deleted under a scan that is writing its rows."""

from __future__ import annotations

import datetime as dt
import secrets

import asyncpg
import pytest

from backend import clock
from backend.services import outbox
from backend.services.nudges.scan import scan
from schemas.outbox import TextMessage

SH = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)

TENANT_TABLES = """
SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attname = 'tenant_id' AND NOT a.attisdropped ORDER BY 1
"""


async def _tenant_with_nudges(factory, db):
    clock.set_now(T0)
    tenant, _ = await factory.tenant()
    tag = secrets.token_hex(3)
    await factory.user(tenant.tenant_id, "王经理", role="manager", team="华东一组", wecom_userid=f"boss-{tag}")
    rep = await factory.user(tenant.tenant_id, "李雷", team="华东一组", wecom_userid=f"lilei-{tag}")
    await factory.deal(rep, "格力电器", stage="qualified", entered_days_ago=15)  # past 2× SLA: rep and manager
    return tenant


async def test_a_deleted_tenant_leaves_nothing_behind(factory, db):
    tenant = await _tenant_with_nudges(factory, db)
    other = await _tenant_with_nudges(factory, db)
    queued = {}
    for t in (tenant, other):
        result = await scan(db, tenant_id=t.tenant_id, wait=True)
        assert result.enqueued == 2 and result.queued >= 2
        queued[t.tenant_id] = result.queued
        await outbox.enqueue(db, t.tenant_id, "someone", TextMessage(content="你好"), f"cleanup-{t.tenant_id}")
    tables = [r["relname"] for r in await db.fetch(TENANT_TABLES)]
    assert {"nudges", "outbox"} <= set(tables)
    await db.execute("DELETE FROM tenants WHERE tenant_id = $1", tenant.tenant_id)
    left = {t: await db.fetchval(f'SELECT count(*) FROM "{t}" WHERE tenant_id = $1', tenant.tenant_id) for t in tables}
    # change_log (0001) has never had a key to tenants: its undo history outlives a tenant, as before
    assert {t: n for t, n in left.items() if n and t != "change_log"} == {}
    # the other tenant's rows are untouched
    assert await db.fetchval("SELECT count(*) FROM nudges WHERE tenant_id = $1", other.tenant_id) == queued[other.tenant_id]
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE tenant_id = $1", other.tenant_id) == 3


async def test_no_outbox_row_for_a_tenant_that_does_not_exist(db):
    missing = await db.fetchval("SELECT coalesce(max(tenant_id), 0) + 1000 FROM tenants")
    assert await outbox.enqueue(db, missing, "someone", TextMessage(content="你好"), "nobody-1") is None
    from backend.db.queries import queries
    added = await queries.nudge_outbox_many(db, tenant_ids=[missing], recipients=["someone"], payloads=['{"msgtype":"text"}'],
                                            keys=["nobody-2"], not_before=[clock.now()])
    assert added == 0
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE tenant_id = $1", missing) == 0


async def test_a_tenant_is_not_deleted_under_a_scan_writing_its_rows(factory, db, pool):
    tenant = await _tenant_with_nudges(factory, db)
    async with pool.acquire() as conn:
        async with conn.transaction():
            assert (await scan(conn, tenant_id=tenant.tenant_id, wait=True)).enqueued == 2
            with pytest.raises(asyncpg.LockNotAvailableError):
                async with db.transaction():
                    await db.execute("SET LOCAL lock_timeout = '200ms'")
                    await db.execute("DELETE FROM tenants WHERE tenant_id = $1", tenant.tenant_id)
    await db.execute("DELETE FROM tenants WHERE tenant_id = $1", tenant.tenant_id)  # after the scan: cleaned up
    assert await db.fetchval("SELECT count(*) FROM nudges WHERE tenant_id = $1", tenant.tenant_id) == 0
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE tenant_id = $1", tenant.tenant_id) == 0

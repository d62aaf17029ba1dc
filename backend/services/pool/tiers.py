"""Account scores and tiers (大客户): computed set-based in SQL (``accounts_score`` in pool.sql —
the formula lives there and in the README), for the accounts a deal change marked (a trigger
sets ``accounts.score_dirty``) every pass, and for every account of a tenant once a night
(02:00 local) or on demand. A manager's override (with a reason) wins over the computed tier.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg

from backend import clock
from backend.db.queries import queries
from backend.errors import Forbidden, Invalid, NotFound
from backend.services.nudges import manners
from backend.services.pool import rules as pool_rules
from schemas.pool import Account, ScoreResult
from schemas.users import Actor



async def _thresholds_bulk(conn: asyncpg.Connection, tenant_ids: list[int]) -> dict[str, list[int]]:
    rows = await conn.fetch("SELECT tenant_id, rules FROM pool_rules WHERE tenant_id = any($1::bigint[])", tenant_ids)
    stored = {r["tenant_id"]: pool_rules.from_json(r["rules"]) for r in rows}
    default = pool_rules.DEFAULT
    return {
        "tenant_ids": tenant_ids,
        "tier_a": [stored.get(t, default).tier_a for t in tenant_ids],
        "tier_b": [stored.get(t, default).tier_b for t in tenant_ids],
    }


NESTLOOP_MAX = 2000  # accounts scored at once above which the plan must hash-join


async def rescore(conn: asyncpg.Connection, tenant_ids: list[int], *, everything: bool = False) -> ScoreResult:
    """Score the tenants' marked accounts (``everything``: all their accounts) in one pass."""
    started = time.perf_counter()
    now = clock.now()
    if not tenant_ids:
        return ScoreResult(accounts=0, changed=0, seconds=0.0)
    params = await _thresholds_bulk(conn, tenant_ids)
    async with conn.transaction():
        await conn.execute("SET LOCAL work_mem = '128MB'")
        if everything:
            await queries.accounts_claim_all(conn, tenant_ids=tenant_ids)
        else:
            await queries.accounts_claim_dirty(conn, tenant_ids=tenant_ids)
        count = await conn.fetchval("SELECT count(*) FROM score_acc")
        changed = 0
        if count:
            await conn.execute("ANALYZE score_acc")
            if count > NESTLOOP_MAX:
                # Joins on (tenant_id, account_id) are estimated at a few rows however many there are
                # (the two columns are correlated); a nested loop over thousands of accounts never ends.
                await conn.execute("SET LOCAL enable_nestloop = off")
            changed = await queries.accounts_score(conn, now=now, **params)
    return ScoreResult(accounts=count, changed=changed, seconds=round(time.perf_counter() - started, 3))


SLOTS = 4


async def rescore_all(pool: asyncpg.Pool, tenant_ids: list[int], *, everything: bool = True) -> ScoreResult:
    """``rescore`` over many tenants, in ``SLOTS`` groups (tenant id modulo SLOTS) side by side on their
    own connections: PostgreSQL runs one statement on one core."""
    started = time.perf_counter()

    async def one(slot: int) -> ScoreResult:
        ids = [t for t in tenant_ids if t % SLOTS == slot]
        async with pool.acquire() as conn:
            return await rescore(conn, ids, everything=everything)

    parts = await asyncio.gather(*(one(s) for s in range(SLOTS)))
    return ScoreResult(accounts=sum(p.accounts for p in parts), changed=sum(p.changed for p in parts),
                       seconds=round(time.perf_counter() - started, 3))


async def rescore_pass(pool: asyncpg.Pool) -> dict[str, Any]:
    """The worker's pass: marked accounts of every tenant, then the nightly full rescore of the
    tenants whose local night it is (each claimed by one worker for its local day)."""
    now = clock.now()
    async with pool.acquire() as conn:
        tenant_ids = [r["tenant_id"] for r in await conn.fetch(
            "SELECT DISTINCT tenant_id FROM accounts WHERE score_dirty")]
        marked = await rescore(conn, tenant_ids) if tenant_ids else ScoreResult(accounts=0, changed=0, seconds=0)
        nightly = 0
        for row in await queries.accounts_scoring_due(conn, now=now):
            day = manners.local_day(now, row["timezone"])
            async with conn.transaction():
                if await queries.accounts_scoring_claim(conn, tenant_id=row["tenant_id"], day=day, now=now) is None:
                    continue
                await rescore(conn, [row["tenant_id"]], everything=True)
                nightly += 1
    return {"marked": marked.accounts, "changed": marked.changed, "nightly_tenants": nightly}


def _account(row: Any) -> Account:
    return Account(**{k: row[k] for k in Account.__struct_fields__ if k in row.keys()})


async def list_accounts(conn: asyncpg.Connection, tenant_id: int, *, tier: str | None = None,
                        limit: int = 100, offset: int = 0) -> tuple[list[Account], int]:
    rows = await queries.accounts_list(conn, tenant_id=tenant_id, tier=tier, limit=limit, offset=offset)
    total = await queries.accounts_count(conn, tenant_id=tenant_id, tier=tier)
    return [_account(r) for r in rows], total


async def get_account(conn: asyncpg.Connection, tenant_id: int, account_id: int) -> Account:
    row = await queries.accounts_get(conn, tenant_id=tenant_id, account_id=account_id)
    if row is None:
        raise NotFound(f"no account {account_id}")
    return _account(row)


async def override(conn: asyncpg.Connection, actor: Actor, account_id: int, tier: str | None, reason: str) -> Account:
    """A manager (or admin) sets an account's tier by hand, with a reason; ``tier=None`` clears it."""
    if actor.role not in ("manager", "admin"):
        raise Forbidden("only a manager may set an account's tier")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid("say why (a reason of 2 characters or more)", field="reason")
    if tier is not None and tier not in ("A", "B", "C"):
        raise Invalid("tier is A, B or C", field="tier")
    await get_account(conn, actor.tenant_id, account_id)
    await queries.accounts_set_override(
        conn, tenant_id=actor.tenant_id, account_id=account_id, tier=tier, reason=reason[:200],
        user_id=actor.user_id or None, now=clock.now(),
    )
    return await get_account(conn, actor.tenant_id, account_id)

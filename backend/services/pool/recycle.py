"""The recycle pass: owned open deals idle past their tenant's rule go back to their team's pool.

One transaction per slot of tenants (tenant id modulo ``SLOTS``) under an advisory lock, so two
workers never recycle the same tenants at once (the second skips the slot); on top of that the
UPDATE re-checks owner and idle clock on the row it locks, so each deal is recycled once.
Set-based SQL (``pool_recycle_find`` / ``_warn`` / ``_take`` in pool.sql), no loop over deals:

1. find — per tenant and stage an index range scan for deals whose clock is within the warning
   days of running out (into a temporary table);
2. warn — each owner is told once per deal and idle episode: a template card with one-tap
   保留 / 放回公海 buttons (its text says the same words work as chat replies), through the
   outbox, held by quiet hours; an owner without a WeChat Work id is not told;
3. take — a deal whose time has come, and whose owner was warned at least ``warn_days`` before,
   goes to the pool; ``deal_pool_events`` records whose it was, for how many idle days.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from typing import Any

import asyncpg
import msgspec

from backend import clock
from backend.db.queries import queries
from backend.services.nudges import manners
from backend.services import outbox
from backend.services.outbox import to_wecom
from backend.services.pool import messages, rules as pool_rules
from schemas.pool import RecycleResult

log = logging.getLogger("tuoke.pool")

RECYCLE_LOCK = 0x7265_6379  # "recy"
SLOTS = 4
KEEP_IDS = 1000  # deal ids kept in a result
CARDS_PER_OWNER = 5  # warning cards per owner and pass; the rest are named in one text
_encode = msgspec.json.Encoder().encode


class _Rollback(Exception):
    pass


async def _lock(conn: asyncpg.Connection, slots: list[int], wait: bool) -> bool:
    for slot in sorted(slots):
        if wait:
            await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", RECYCLE_LOCK, slot)
        elif not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1, $2)", RECYCLE_LOCK, slot):
            return False
    return True


def tenant_params(tenant_rows: list[Any], now: dt.datetime) -> dict[str, list[Any]]:
    ids, rules_json, send_at = [], [], []
    for row in tenant_rows:
        rules = pool_rules.from_json(row["rules"])
        ids.append(row["tenant_id"])
        rules_json.append(msgspec.json.encode(rules).decode())
        send_at.append(manners.release_time(now, row["timezone"], row["quiet_start"], row["quiet_end"]))
    return {"tenant_ids": ids, "rules": rules_json, "send_at": send_at}


def render(rows: list[Any], now: dt.datetime, zones: dict[int, str]) -> dict[str, list[Any]]:
    """Outbox rows (as arrays): a card for each of an owner's ``CARDS_PER_OWNER`` most valuable
    warned deals, and one text naming the rest (every warned deal counts as warned).

    ``rows`` come ordered by tenant, owner and amount (most valuable first).
    """
    out: dict[str, list[Any]] = {"tenant_ids": [], "recipients": [], "payloads": [], "keys": [], "not_before": []}

    def add(row: Any, message: Any, key: str) -> None:
        out["tenant_ids"].append(row["tenant_id"])
        out["recipients"].append(row["wecom_userid"])
        out["payloads"].append(_encode(to_wecom(message)).decode())
        out["keys"].append(key)
        out["not_before"].append(row["send_at"])

    group: list[Any] = []

    def flush() -> None:
        if not group:
            return
        tz = zones.get(group[0]["tenant_id"], "Asia/Shanghai")
        for row in group[:CARDS_PER_OWNER]:
            add(row, messages.warning_card(row, now, tz), f"pool-warn:{row['deal_id']}:{messages.micros(row['episode'])}")
        rest = group[CARDS_PER_OWNER:]
        if rest:
            first = rest[0]
            add(first, messages.warning_summary(rest, tz),
                f"pool-warn-more:{first['owner_id']}:{messages.micros(now)}")
        group.clear()

    for row in rows:
        if not row["wecom_userid"]:
            continue  # nobody to tell in WeChat Work; the deal is still recycled after the warning days
        if group and (group[0]["tenant_id"], group[0]["owner_id"]) != (row["tenant_id"], row["owner_id"]):
            flush()
        group.append(row)
    flush()
    return out


async def recycle(
    conn: asyncpg.Connection,
    *,
    tenant_id: int | None = None,
    slot: int | None = None,
    dry_run: bool = False,
    wait: bool = False,
) -> RecycleResult:
    """One pass over all tenants, one slot of them, or one tenant."""
    now = clock.now()
    result = RecycleResult()
    slots = [tenant_id % SLOTS] if tenant_id is not None else ([slot] if slot is not None else list(range(SLOTS)))
    try:
        async with conn.transaction():
            if not await _lock(conn, slots, wait):
                return RecycleResult(skipped=True)
            await conn.execute("SET LOCAL work_mem = '128MB'")
            tenant_rows = await queries.pool_tenants(conn, tenant_id=tenant_id, slot=slot, slots=SLOTS)
            result.tenants = len(tenant_rows)
            if not tenant_rows:
                return result
            t0 = time.perf_counter()
            await queries.pool_recycle_find(conn, now=now, **tenant_params(tenant_rows, now))
            await conn.execute("ANALYZE pool_cand")
            t1 = time.perf_counter()
            warned = await queries.pool_recycle_warn(conn, now=now)
            t2 = time.perf_counter()
            zones = {r["tenant_id"]: r["timezone"] for r in tenant_rows}
            outbound = render(warned, now, zones)
            t3 = time.perf_counter()
            if outbound["keys"]:
                await queries.nudge_outbox_many(conn, **outbound)
            t4 = time.perf_counter()
            taken = await queries.pool_recycle_take(conn, now=now)
            t5 = time.perf_counter()
            result.warned = len(warned)
            result.recycled = len(taken)
            result.warned_deals = [r["deal_id"] for r in warned[:KEEP_IDS]]
            result.deals = [r["deal_id"] for r in taken[:KEEP_IDS]]
            if warned or taken:
                log.info("pool recycle %s: %d tenants, %d warned, %d recycled; find %.2fs, warn %.2fs, render %.2fs, "
                         "outbox %.2fs, take %.2fs", "all" if slot is None else f"slot {slot}", result.tenants,
                         result.warned, result.recycled, t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return result


async def recycle_all(pool: asyncpg.Pool, *, dry_run: bool = False, wait: bool = False) -> RecycleResult:
    """Every tenant, the slots side by side on their own connections; the results added up."""

    async def one(slot: int) -> RecycleResult:
        async with pool.acquire() as conn:
            return await recycle(conn, slot=slot, dry_run=dry_run, wait=wait)

    parts = await asyncio.gather(*(one(s) for s in range(SLOTS)))
    total = RecycleResult(skipped=any(p.skipped for p in parts))
    for p in parts:
        total.tenants += p.tenants
        total.warned += p.warned
        total.recycled += p.recycled
        total.deals.extend(p.deals[: KEEP_IDS - len(total.deals)])
        total.warned_deals.extend(p.warned_deals[: KEEP_IDS - len(total.warned_deals)])
    return total


_WARN_KEY = re.compile(r"^pool-warn:(\d+):(\d+)$")


async def warning_is_stale(conn: asyncpg.Connection, tenant_id: int, key: str) -> str | None:
    """A warning held by quiet hours is not sent when the deal was touched, kept, released or
    closed before it was due."""
    match = _WARN_KEY.match(key)
    if match is None:
        return None
    deal = await conn.fetchrow(
        "SELECT owner_id, stage, greatest(coalesce(last_activity_at, created_at), coalesce(pool_clock_at, created_at))"
        " AS episode FROM deals WHERE tenant_id = $1 AND deal_id = $2", tenant_id, int(match[1]))
    if deal is None:
        return "the deal is gone"
    if deal["owner_id"] is None:
        return "the deal is in the pool already"
    if deal["stage"] in ("won", "paid", "lost"):
        return f"the deal is {deal['stage']}"
    if messages.micros(deal["episode"]) != int(match[2]):
        return "the deal was followed up or kept before the warning was due"
    return None


outbox.register_stale_check("pool-warn:", warning_is_stale)

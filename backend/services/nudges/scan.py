"""The nudge scan: set-based SQL over the open deals (``nudge_scan_people`` / ``nudge_scan`` in nudges.sql).

A pass, in one transaction: read each tenant's rules and manners; read who can still get a nudge
on the day the pass sends for (a recipient whose daily cap is spent and whose summary line went
out gets nothing more that day, so their deals are not even read); then one statement finds,
ranks, caps and records the new nudges of the others and adds them to the outbox: one card per
deal and recipient as a small row that the sender renders when it sends it (``cards.py``: the
key names the nudges, the payload holds the scan's time and what the tenant's rules said), the
capped ones as one summary line per recipient, rendered in SQL with the functions of migration
0024. ``render`` below is the reference: tests/integration/test_nudges_render_sql.py holds what
the sender sends equal to it. Nothing comes back to Python but one row of counts, unless the
caller collects the nudges. The unique key of
``nudges`` is what makes a nudge go out once; the outbox key repeats that guarantee. A crash
before the commit leaves nothing behind, so a restart decides everything afresh. ``dry_run`` does
the same work and rolls it back.

Tenants fall in ``SLOTS`` slots (tenant id modulo ``SLOTS``), each guarded by an advisory lock:
``scan_all`` scans the slots side by side on their own connections (PostgreSQL runs a statement
that writes on one core), and a second worker skips a slot that is being scanned rather than
wait for it; a scan of one tenant takes its slot's lock, a scan of all on one connection takes
every slot's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import defaultdict
from typing import Any

import asyncpg
import msgspec

from backend import clock
from backend.db.queries import queries
from backend.services.nudges import manners, messages, rules
from backend.services.outbox import to_wecom
from schemas.nudges import Nudge, ScanResult, SummaryLine

log = logging.getLogger("tuoke.nudges")

SCAN_LOCK = 0x6E75_6467  # "nudg": the advisory lock class; the slot is the lock's second key
SLOTS = 4
_encode = msgspec.json.Encoder().encode


class _Rollback(Exception):
    pass


def tenant_params(tenant_rows: list[Any], now: dt.datetime) -> dict[str, list[Any]]:
    """The per-tenant arrays ``nudge_scan`` takes: manners worked out here, once per tenant."""
    cols: dict[str, list[Any]] = defaultdict(list)
    for row in tenant_rows:
        r = rules.from_json(row["rules"])
        tz = row["timezone"]
        send_at = manners.release_time(now, tz, row["quiet_start"], row["quiet_end"])
        today = manners.local_day(now, tz)
        cols["tenant_ids"].append(row["tenant_id"])
        cols["send_at"].append(send_at)
        cols["send_day"].append(manners.local_day(send_at, tz))
        cols["local_today"].append(today)
        cols["today_start"].append(manners.day_start(today, tz))
        cols["stalled"].append(r.stalled)
        cols["factor"].append(r.escalate_factor)
        cols["idle"].append(r.idle)
        cols["idle_days"].append(r.idle_days)
        cols["close_passed"].append(r.close_passed)
        cols["unpaid"].append(r.unpaid)
        cols["cap"].append(r.daily_cap)
        cols["engaged_days"].append(r.engaged_days)
        cols["factor_g"].append(f"{r.escalate_factor:g}")  # as messages.reason writes it
    return dict(cols)


def outbox_key(rows: list[Any]) -> str:
    """A card's idempotency key: the unique keys of the nudges it carries (times in microseconds)."""
    first = rows[0]
    parts = "+".join(f"{r['rule']}:{messages.micros(r['stage_entered_at'])}:{messages.micros(r['episode'])}" for r in rows)
    return f"nudge:{first['deal_id']}:{first['level']}:{parts}"


def render(rows: list[Any], now: dt.datetime) -> dict[str, list[Any]]:
    """Outbox rows (as arrays): one card per deal and recipient, one text per summary line.

    ``rows`` come ordered by tenant, recipient and deal, so a deal's nudges are neighbours. The
    scan writes the summary lines in SQL and the outbox renders the cards when it sends them
    (``cards.render_card``); this is the reference both are tested against.
    """
    out: dict[str, list[Any]] = {"tenant_ids": [], "recipients": [], "payloads": [], "keys": [], "not_before": []}

    def add(row: Any, payload: dict[str, Any], key: str) -> None:
        out["tenant_ids"].append(row["tenant_id"])
        out["recipients"].append(row["recipient"])
        out["payloads"].append(_encode(payload).decode())
        out["keys"].append(key)
        out["not_before"].append(row["send_at"])

    group: list[Any] = []

    def flush() -> None:
        if group:
            first = group[0]
            card = messages.nudge_card(group, now, engaged_days=first["engaged_days"], factor=first["factor"])
            # what to_wecom makes of a template card, without converting the card it already is
            add(first, {"msgtype": "template_card", "template_card": card.card}, outbox_key(group))
            group.clear()

    for row in rows:
        if row["kind"] == "nudge":
            if group and (group[0]["tenant_id"], group[0]["recipient_id"], group[0]["deal_id"]) != (
                row["tenant_id"], row["recipient_id"], row["deal_id"]
            ):
                flush()
            group.append(row)
        else:
            flush()
            add(row, to_wecom(messages.summary_text(list(row["titles"]), row["over_cap"], row["cap"])), row["summary_key"])
    flush()
    return out


def _nudge(row: Any, now: dt.datetime) -> Nudge:
    return Nudge(
        tenant_id=row["tenant_id"], deal_id=row["deal_id"], rule=row["rule"],
        level=row["level"], recipient_id=row["recipient_id"], recipient=row["recipient"],
        reason=messages.headline(row, now, row["engaged_days"], row["factor"]), score=row["score"],
        days_over=round(row["days_over"], 2), engaged=row["engaged"], send_at=row["send_at"], title=row["title"],
    )


def _line(row: Any) -> SummaryLine:
    return SummaryLine(
        tenant_id=row["tenant_id"], recipient_id=row["recipient_id"], recipient=row["recipient"],
        count=row["over_cap"], titles=list(row["titles"]), send_at=row["send_at"],
    )


def recipients(people: list[Any]) -> dict[str, list[Any]]:
    """Who can still get a nudge on the day the pass sends for (``nudge_scan_people`` rows), as
    the arrays ``nudge_scan`` takes: level 1, the owners who are active, reachable and not spent;
    level 2, the active owners whose team manager is not spent (with that manager)."""
    by_user = {(p["tenant_id"], p["user_id"]): p for p in people}
    out: dict[str, list[Any]] = defaultdict(list)
    for p in people:
        if not p["active"]:
            continue
        if p["wecom_userid"] is not None and not p["spent"]:
            out["o1_tenants"].append(p["tenant_id"])
            out["o1_users"].append(p["user_id"])
            out["o1_sent"].append(p["sent"])
        manager = by_user.get((p["tenant_id"], p["manager_id"])) if p["manager_id"] is not None else None
        if manager is not None and not manager["spent"]:
            out["o2_tenants"].append(p["tenant_id"])
            out["o2_users"].append(p["user_id"])
            out["o2_managers"].append(manager["user_id"])
            out["o2_sent"].append(manager["sent"])
    for key in ("o1_tenants", "o1_users", "o1_sent", "o2_tenants", "o2_users", "o2_managers", "o2_sent"):
        out.setdefault(key, [])
    return dict(out)


async def _find_and_record(
    conn: asyncpg.Connection, params: dict[str, list[Any]], now: dt.datetime, collect: bool
) -> list[Any]:
    """Steps 1 and 2 of a pass: who can still get something today, then one statement that finds,
    ranks, caps and records their nudges and writes their cards and summary lines to the outbox
    (nothing is read for a tenant whose people are all spent). The rows recorded come back when
    ``collect``; the last row (kind ``counts``) says how many outbox rows were new."""
    people = await queries.nudge_scan_people(
        conn, tenant_ids=params["tenant_ids"], send_day=params["send_day"], cap=params["cap"])
    who = recipients(people)
    if not who["o1_users"] and not who["o2_users"]:
        return []
    return await queries.nudge_scan(conn, now=now, collect=collect, **params, **who)


async def _lock(conn: asyncpg.Connection, slots: list[int], wait: bool) -> bool:
    for slot in sorted(slots):  # one order everywhere: two waiting scanners never deadlock
        if wait:
            await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", SCAN_LOCK, slot)
        elif not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1, $2)", SCAN_LOCK, slot):
            return False
    return True


async def scan(
    conn: asyncpg.Connection,
    *,
    tenant_id: int | None = None,
    slot: int | None = None,
    dry_run: bool = False,
    wait: bool = False,
    collect: bool = True,
) -> ScanResult:
    """One scan pass over all tenants, one slot of them, or one tenant.

    ``wait``: queue behind a scan of the same tenants instead of skipping the pass.
    """
    now = clock.now()
    result = ScanResult(dry_run=dry_run)
    if tenant_id is not None:
        slots = [tenant_id % SLOTS]
    else:
        slots = [slot] if slot is not None else list(range(SLOTS))
    try:
        async with conn.transaction():
            if not await _lock(conn, slots, wait):
                return ScanResult(skipped=True, dry_run=dry_run)
            # the ranking sorts every candidate of the pass: keep it in memory, not on disk
            await conn.execute("SET LOCAL work_mem = '256MB'")
            # plans for the real sizes of the arrays passed (owners to read), not a generic guess
            await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            tenant_rows = await queries.nudge_scan_tenants(conn, tenant_id=tenant_id, slot=slot, slots=SLOTS)
            result.tenants = len(tenant_rows)
            if not tenant_rows:
                return result
            started = time.perf_counter()
            params = tenant_params(tenant_rows, now)
            rows = await _find_and_record(conn, params, now, collect)
            counts = rows.pop() if rows else None
            if counts is not None:
                assert counts["kind"] == "counts", counts["kind"]
                result.queued, result.cards = counts["queued"], counts["cards"]
                result.summaries, result.summarised = counts["summaries"], counts["summarised"]
                result.found = result.queued + result.summarised
                result.enqueued = counts["enqueued"]
            log.log(
                logging.INFO if result.enqueued else logging.DEBUG, "nudge scan %s: %d tenants, %d queued on %d cards, "
                "%d over the cap, %d enqueued; %.2fs", "all" if slot is None else f"slot {slot}",
                result.tenants, result.queued, result.cards, result.summarised, result.enqueued, time.perf_counter() - started,
            )
            if collect:
                result.nudges = [_nudge(r, now) for r in rows if r["kind"] == "nudge"]
                result.lines = [_line(r) for r in rows if r["kind"] == "summary"]
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return result


async def scan_all(pool: asyncpg.Pool, *, dry_run: bool = False, wait: bool = False, collect: bool = False) -> ScanResult:
    """Every tenant, the slots side by side on their own connections; the results added up."""

    async def one(slot: int) -> ScanResult:
        async with pool.acquire() as conn:
            return await scan(conn, slot=slot, dry_run=dry_run, wait=wait, collect=collect)

    parts = await asyncio.gather(*(one(s) for s in range(SLOTS)))
    total = ScanResult(dry_run=dry_run, skipped=any(p.skipped for p in parts))
    for p in parts:
        for field in ("tenants", "found", "queued", "cards", "summarised", "summaries", "enqueued"):
            setattr(total, field, getattr(total, field) + getattr(p, field))
        total.nudges.extend(p.nudges)
        total.lines.extend(p.lines)
    return total

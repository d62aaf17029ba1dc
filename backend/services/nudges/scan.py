"""The nudge scan: one set-based statement over every open deal (``nudge_scan`` in nudges.sql).

A pass, in one transaction under an advisory lock (a second worker skips the pass, it does
not wait): read each tenant's rules and manners, let PostgreSQL find, rank, cap and record the
new nudges, render the queued ones as template cards and the capped ones as one summary line per
recipient, and add them to the outbox in one statement. The unique key of ``nudges`` is what
makes a nudge go out once; the outbox key repeats that guarantee. A crash before the commit
leaves nothing behind, so a restart decides everything afresh. ``dry_run`` does the same work
and rolls it back.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import asyncpg
import msgspec

from backend import clock
from backend.db.queries import queries
from backend.services.nudges import manners, messages, rules
from backend.services.outbox import to_wecom
from schemas.nudges import Nudge, ScanResult

SCAN_LOCK = 0x6E75_6467  # "nudg"
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
    return dict(cols)


def outbox_key(row: Any) -> str:
    return (
        f"nudge:{row['deal_id']}:{row['rule']}:{row['level']}:"
        f"{int(row['stage_entered_at'].timestamp())}:{int(row['episode'].timestamp())}"
    )


def render(rows: list[Any], now: dt.datetime) -> tuple[dict[str, list[Any]], int]:
    """Outbox rows (as arrays) for the queued nudges and one summary per capped recipient."""
    out: dict[str, list[Any]] = {"tenant_ids": [], "recipients": [], "payloads": [], "keys": [], "not_before": []}
    capped: dict[tuple[int, int], list[Any]] = defaultdict(list)

    def add(row: Any, message: Any, key: str) -> None:
        out["tenant_ids"].append(row["tenant_id"])
        out["recipients"].append(row["recipient"])
        out["payloads"].append(_encode(to_wecom(message)).decode())
        out["keys"].append(key)
        out["not_before"].append(row["send_at"])

    for row in rows:
        if row["status"] == "queued":
            card = messages.nudge_card(row, now, engaged_days=row["engaged_days"], factor=row["factor"])
            add(row, card, outbox_key(row))
        else:
            capped[(row["tenant_id"], row["recipient_id"])].append(row)
    for group in capped.values():
        first = group[0]
        text = messages.summary_text([r["title"] for r in group], len(group), first["cap"])
        add(first, text, f"nudge-summary:{first['recipient_id']}:{min(r['nudge_id'] for r in group)}")
    return out, len(capped)


def _nudge(row: Any, now: dt.datetime) -> Nudge:
    return Nudge(
        tenant_id=row["tenant_id"], nudge_id=row["nudge_id"], deal_id=row["deal_id"], rule=row["rule"],
        level=row["level"], recipient_id=row["recipient_id"], recipient=row["recipient"], status=row["status"],
        reason=messages.headline(row, now, row["engaged_days"], row["factor"]), score=row["score"],
        days_over=round(row["days_over"], 2), engaged=row["engaged"], send_at=row["send_at"], title=row["title"],
    )


async def scan(
    conn: asyncpg.Connection,
    *,
    tenant_id: int | None = None,
    dry_run: bool = False,
    wait: bool = False,
    collect: bool = True,
) -> ScanResult:
    """One scan pass (all tenants, or one). ``wait``: queue behind a running scan instead of skipping it."""
    now = clock.now()
    result = ScanResult(dry_run=dry_run)
    try:
        async with conn.transaction():
            if wait:
                await conn.execute("SELECT pg_advisory_xact_lock($1)", SCAN_LOCK)
            elif not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", SCAN_LOCK):
                return ScanResult(skipped=True, dry_run=dry_run)
            tenant_rows = await queries.nudge_scan_tenants(conn, tenant_id=tenant_id)
            result.tenants = len(tenant_rows)
            if not tenant_rows:
                return result
            rows = await queries.nudge_scan(conn, now=now, **tenant_params(tenant_rows, now))
            outbound, result.summaries = render(rows, now)
            result.found = len(rows)
            result.queued = sum(1 for r in rows if r["status"] == "queued")
            result.summarised = result.found - result.queued
            if outbound["keys"]:
                result.enqueued = await queries.nudge_outbox_many(conn, **outbound)
            if collect:
                result.nudges = [_nudge(r, now) for r in rows]
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return result

"""Is a held nudge still true when its time comes? (Quiet hours hold nudges until morning.)

A nudge card's outbox key is ``nudge:{deal_id}:{level}:{rule}:{stage_entry_us}:{episode_us}+…``
(``scan.outbox_key``). When it is due, the deal is looked at again: moved to another stage (or
back), closed, or snoozed since the scan, the card is cancelled rather than sent.
"""

from __future__ import annotations

import re

import asyncpg

from backend import clock
from backend.services import outbox
from backend.services.nudges import messages

_KEY = re.compile(r"^nudge:(\d+):[^:]+:[^:]+:(\d+):")


async def nudge_is_stale(conn: asyncpg.Connection, tenant_id: int, key: str) -> str | None:
    match = _KEY.match(key)
    if match is None:
        return None
    deal_id, entered_us = int(match[1]), int(match[2])
    deal = await conn.fetchrow(
        "SELECT stage, stage_entered_at, snoozed_until, owner_id FROM deals WHERE tenant_id = $1 AND deal_id = $2",
        tenant_id, deal_id,
    )
    if deal is None:
        return "the deal is gone"
    if messages.micros(deal["stage_entered_at"]) != entered_us:
        return f"the deal moved to {deal['stage']} before the nudge was due"
    if deal["owner_id"] is None:
        return "the deal went back to the shared pool"
    if deal["stage"] in ("paid", "lost"):
        return f"the deal is {deal['stage']}"
    if deal["snoozed_until"] is not None and deal["snoozed_until"] > clock.now():
        return "the deal was snoozed before the nudge was due"
    return None


outbox.register_stale_check("nudge:", nudge_is_stale)

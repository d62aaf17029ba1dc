"""Hot signals: a customer's inquiry, repeat card view or forward reaches the rep at once.

Called by the cards area right when the customer acts (inside its transaction, so a rolled
back event sends nothing). It goes through the outbox like every message, held only by quiet
hours, and never twice for one ``key`` (the caller's unique event key).
"""

from __future__ import annotations

import asyncpg

from backend import clock
from backend.db.queries import queries
from backend.services import outbox
from backend.services.nudges import manners, messages, rules

HOT_KINDS = frozenset({"inquiry", "repeat_view", "forward"})


async def notify_hot_signal(
    conn: asyncpg.Connection,
    tenant_id: int,
    *,
    rep_id: int,
    kind: str,
    contact_id: int | None,
    deal_id: int | None,
    visitor_name: str | None,
    detail: str,
    key: str,
) -> int | None:
    """Enqueue the rep's hot-signal message; the outbox id, or None when deduplicated or off.

    None also when the rep cannot be reached (inactive, no WeChat Work id) or the tenant
    switched hot signals off. A ``kind`` outside inquiry / repeat_view / forward is a caller bug.
    """
    if kind not in HOT_KINDS:
        raise ValueError(f"unknown hot signal kind {kind!r}")
    now = clock.now()
    ctx = await queries.nudge_hot_context(
        conn, tenant_id=tenant_id, rep_id=rep_id, deal_id=deal_id, contact_id=contact_id, now=now
    )
    if ctx is None or not ctx["active"] or not ctx["wecom_userid"]:
        return None
    if not rules.from_json(ctx["rules"]).hot_signal:
        return None
    message = messages.hot_signal_text(dict(ctx), kind=kind, visitor_name=visitor_name, detail=detail, now=now)
    send_at = manners.release_time(now, ctx["timezone"], ctx["quiet_start"], ctx["quiet_end"])
    return await outbox.enqueue(
        conn, tenant_id, ctx["wecom_userid"], message, f"hot:{kind}:{key}", not_before=send_at
    )

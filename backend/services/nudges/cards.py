"""A nudge card is rendered when it is sent, from its outbox key and the deal as it was at the scan.

The scan records the nudges and writes, per card, a small outbox row: its key is the unique keys
of the nudges it carries (``nudge:{deal}:{level}:{rule}:{stage_entry_us}:{episode_us}+…``,
``scan.outbox_key``), its payload what the deal will not say later —
``{"render": "nudge_card", "at": scan time, "engaged": …, "engaged_days": …, "factor": …,
"today_start": …}`` (the tenant's rules as they were). When the outbox sends the row it asks
this module for the card: the deal is read (``nudge_card_rows``) as of the scan — activities and
card events after ``at`` do not count, a passed close date is the one decided on — and
``messages.nudge_card`` says what it always said. The card's details and rendering are paid per
card sent, not in the scan, and the outbox holds ~0.15 KB a card instead of ~0.9 KB.

A held card whose deal moved, closed or was snoozed is cancelled before it is rendered
(``staleness``); the title, amount and next step shown are the deal's when the card goes out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import asyncpg

from backend.db.queries import queries
from backend.services import outbox
from backend.services.nudges import messages

KIND = "nudge_card"
PREFIX = "nudge:"


class CardKey(NamedTuple):
    deal_id: int
    level: int
    rules: list[str]
    entered: list[dt.datetime]
    episodes: list[dt.datetime]


def _at(us: str) -> dt.datetime:
    return messages._EPOCH + dt.timedelta(microseconds=int(us))


def parse_key(key: str) -> CardKey | None:
    """A nudge card's outbox key, read back (None when it is not one)."""
    if not key.startswith(PREFIX):
        return None
    try:
        deal, level, parts = key[len(PREFIX):].split(":", 2)
        triples = [p.split(":") for p in parts.split("+")]
        return CardKey(int(deal), int(level), [t[0] for t in triples], [_at(t[1]) for t in triples],
                       [_at(t[2]) for t in triples])
    except (ValueError, IndexError):
        return None


async def card_rows(conn: asyncpg.Connection, tenant_id: int, key: str, payload: dict[str, Any]) -> list[Any]:
    """The rows ``messages.nudge_card`` takes for the card (empty when the deal is gone)."""
    k = parse_key(key)
    if k is None:
        return []
    return await queries.nudge_card_rows(
        conn, tenant_id=tenant_id, deal_id=k.deal_id, level=k.level, rules=k.rules, entered=k.entered,
        episodes=k.episodes, at=dt.datetime.fromisoformat(payload["at"]), engaged=payload["engaged"],
        engaged_days=payload["engaged_days"], today_start=dt.datetime.fromisoformat(payload["today_start"]),
    )


async def render_card(conn: asyncpg.Connection, tenant_id: int, key: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The WeChat Work message of a nudge card's outbox row; None when its deal is gone."""
    rows = await card_rows(conn, tenant_id, key, payload)
    if not rows:
        return None
    card = messages.nudge_card(rows, dt.datetime.fromisoformat(payload["at"]), engaged_days=payload["engaged_days"],
                               factor=payload["factor"])
    return {"msgtype": "template_card", "template_card": card.card}


outbox.register_renderer(KIND, render_card)

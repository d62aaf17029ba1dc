"""Conversation state: the one question the bot is waiting for a rep to answer.

Kinds: ``pick_deal`` (which of 1/2/3 deals?), ``confirm`` (go ahead with what I understood? 1/2,
or a card button), ``need_company`` (a new lead without a company name). The question lives in
the database, so any process answers it; there is one per rep, replaced by the next question.

A ``pick_deal`` or ``need_company`` question is forgotten after 30 minutes. A confirmation expires
after ``bot.confirm.ttl_minutes()`` (10 by default) but its row is kept an hour longer, so that a
late "1" or button tap is told it expired instead of being read as a new message.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, Literal

import asyncpg
import msgspec

from backend import clock
from backend.db.queries import queries
from bot import confirm
from schemas.intents import ParsedMessage
from schemas.users import Actor

TTL = dt.timedelta(minutes=30)
EXPIRED_NOTICE = dt.timedelta(hours=1)  # a confirmation is remembered as expired this long
Kind = Literal["pick_deal", "confirm", "need_company"]


class Pending(msgspec.Struct, kw_only=True):
    kind: Kind
    parsed: ParsedMessage
    text: str  # the message the question is about
    options: list[int] = msgspec.field(default_factory=list)  # pick_deal: the deals offered (1/2/3)
    lang: str = "zh"
    # confirm only
    deal_id: int | None = None  # the deal found for the write, when it is about one
    token: str = ""  # names this confirmation in button keys (a replaced one's buttons do nothing)
    reasons: list[str] = msgspec.field(default_factory=list)  # reason codes (bot.confirm)
    summary: str = ""  # what will be written
    why: str = ""  # why the rep is asked
    question: str = ""  # the text the rep was sent
    deadline: dt.datetime | None = None
    expired: bool = False


async def get(conn: asyncpg.Connection, actor: Actor, *, include_expired: bool = False) -> Pending | None:
    """The rep's open question; with ``include_expired``, also a confirmation that has just expired."""
    now = clock.now()
    row = await queries.bot_pending_get(conn, tenant_id=actor.tenant_id, user_id=actor.user_id, now=now)
    if row is None:
        return None
    data: dict[str, Any] = row["parsed"]
    try:
        parsed = msgspec.convert(data["parsed"], ParsedMessage)
        extra = msgspec.convert(data.get("confirm") or {}, _ConfirmData)
    except (msgspec.ValidationError, KeyError, TypeError, AttributeError):
        await clear(conn, actor)  # written by an older version: forget it rather than guess
        return None
    deadline = extra.deadline or row["expires_at"]
    expired = row["kind"] == "confirm" and deadline <= now
    if expired and not include_expired:
        return None
    return Pending(kind=row["kind"], parsed=parsed, text=data.get("text", ""), options=list(row["options"]),
                   lang=row["lang"], deal_id=extra.deal_id, token=extra.token, reasons=extra.reasons,
                   summary=extra.summary, why=extra.why, question=extra.question, deadline=deadline, expired=expired)


class _ConfirmData(msgspec.Struct, kw_only=True):
    deal_id: int | None = None
    token: str = ""
    reasons: list[str] = msgspec.field(default_factory=list)
    summary: str = ""
    why: str = ""
    question: str = ""
    deadline: dt.datetime | None = None


async def put(conn: asyncpg.Connection, actor: Actor, kind: Kind, parsed: ParsedMessage, text: str,
              lang: str, options: list[int] | None = None) -> None:
    now = clock.now()
    await queries.bot_pending_put(
        conn, tenant_id=actor.tenant_id, user_id=actor.user_id, kind=kind,
        parsed={"parsed": msgspec.to_builtins(parsed), "text": text}, options=options or [],
        lang=lang, now=now, expires_at=now + TTL,
    )


async def put_confirm(conn: asyncpg.Connection, actor: Actor, parsed: ParsedMessage, text: str, lang: str, *,
                      deal_id: int | None, reasons: list[str], summary: str, why: str, question: str) -> Pending:
    """Keep a confirmation (replacing any open question of this rep) and return it with its new token."""
    now = clock.now()
    deadline = now + dt.timedelta(minutes=confirm.ttl_minutes())
    extra = _ConfirmData(deal_id=deal_id, token=secrets.token_hex(8), reasons=reasons, summary=summary, why=why,
                         question=question, deadline=deadline)
    await queries.bot_pending_put(
        conn, tenant_id=actor.tenant_id, user_id=actor.user_id, kind="confirm",
        parsed={"parsed": msgspec.to_builtins(parsed), "text": text, "confirm": msgspec.to_builtins(extra)},
        options=[], lang=lang, now=now, expires_at=deadline + EXPIRED_NOTICE,
    )
    return Pending(kind="confirm", parsed=parsed, text=text, lang=lang, deal_id=deal_id, token=extra.token,
                   reasons=reasons, summary=summary, why=why, question=question, deadline=deadline)


async def clear(conn: asyncpg.Connection, actor: Actor) -> None:
    await queries.bot_pending_clear(conn, tenant_id=actor.tenant_id, user_id=actor.user_id)

"""Conversation state: the one question the bot is waiting for a rep to answer.

Kinds: ``pick_deal`` (which of 1/2/3 deals?), ``confirm`` (the parser was unsure: go ahead?),
``need_company`` (a new lead without a company name). The question lives in the database, so any
process answers it; it is replaced by the next question and forgotten after 30 minutes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import asyncpg
import msgspec

from backend import clock
from backend.db.queries import queries
from schemas.intents import ParsedMessage
from schemas.users import Actor

TTL = dt.timedelta(minutes=30)
Kind = Literal["pick_deal", "confirm", "need_company"]


class Pending(msgspec.Struct, kw_only=True):
    kind: Kind
    parsed: ParsedMessage
    text: str  # the message the question is about
    options: list[int] = msgspec.field(default_factory=list)
    lang: str = "zh"


async def get(conn: asyncpg.Connection, actor: Actor) -> Pending | None:
    row = await queries.bot_pending_get(conn, tenant_id=actor.tenant_id, user_id=actor.user_id, now=clock.now())
    if row is None:
        return None
    data: dict[str, Any] = row["parsed"]
    try:
        parsed = msgspec.convert(data["parsed"], ParsedMessage)
    except (msgspec.ValidationError, KeyError, TypeError):
        await clear(conn, actor)  # written by an older version: forget it rather than guess
        return None
    return Pending(kind=row["kind"], parsed=parsed, text=data.get("text", ""), options=list(row["options"]),
                   lang=row["lang"])


async def put(conn: asyncpg.Connection, actor: Actor, kind: Kind, parsed: ParsedMessage, text: str,
              lang: str, options: list[int] | None = None) -> None:
    now = clock.now()
    await queries.bot_pending_put(
        conn, tenant_id=actor.tenant_id, user_id=actor.user_id, kind=kind,
        parsed={"parsed": msgspec.to_builtins(parsed), "text": text}, options=options or [],
        lang=lang, now=now, expires_at=now + TTL,
    )


async def clear(conn: asyncpg.Connection, actor: Actor) -> None:
    await queries.bot_pending_clear(conn, tenant_id=actor.tenant_id, user_id=actor.user_id)

"""Slow answers as streams: kept in PostgreSQL so any process answers WeChat Work's refreshes.

A knowledge question (or a long list) answers at once with ``{"msgtype": "stream", "finish":
false}`` and a placeholder; the row is taken in the message's own transaction. The process that
took the message works on it right after the response; each refresh callback reads the row (and
starts the work again when its lease ran out: its process died). WeChat Work refreshes for 6
minutes from the rep's message and keeps at most 3 of a rep's messages in flight: a stream expires
at 6 minutes, and a fourth slow question while three are open is told to wait.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

import asyncpg

from backend import clock
from backend.db.queries import queries
from bot import kb_answers
from bot.aibot.texts import t
from bot.context import Ctx
from bot.replies import say

log = logging.getLogger("tuoke.bot.aibot")

TTL = dt.timedelta(minutes=6)  # WeChat Work stops refreshing 6 minutes after the rep's message
MAX_IN_FLIGHT = 3  # WeChat Work's limit of a rep's messages in flight with one bot
LEASE = dt.timedelta(seconds=60)
MAX_ATTEMPTS = 3
CONTENT_LIMIT = 20480  # bytes of a stream's content


def new_id(prefix: str = "s") -> str:
    return prefix + secrets.token_hex(10)


def body(stream_id: str, content: str, finish: bool, *, feedback: bool = False) -> dict[str, Any]:
    """A stream reply; ``feedback`` asks WeChat Work for the rep's 👍/👎 on it (a feedback_event with its id)."""
    data = content.encode()[:CONTENT_LIMIT].decode(errors="ignore")
    stream: dict[str, Any] = {"id": stream_id, "finish": finish, "content": data}
    if feedback:
        stream["feedback"] = {"id": stream_id}
    return {"msgtype": "stream", "stream": stream}


async def keep(ctx: Ctx, kind: str, payload: dict[str, Any], placeholder: str) -> str | None:
    """Take a stream for this message (inside its transaction); None when the rep has 3 in flight."""
    now = clock.now()
    status, content = "pending", None
    if kind == "text":  # nothing left to compute: the first refresh gets it
        status, content = "done", payload["content"]
    elif await queries.aibot_streams_open(ctx.conn, tenant_id=ctx.tenant.tenant_id, user_id=ctx.actor.user_id,
                                          now=now) >= MAX_IN_FLIGHT:
        return None
    stream_id = new_id()
    await queries.aibot_stream_insert(
        ctx.conn, tenant_id=ctx.tenant.tenant_id, stream_id=stream_id, user_id=ctx.actor.user_id,
        msg_key=f"aibot:{ctx.msg_key}", kind=kind, payload={**payload, "placeholder": placeholder},
        content=content, status=status, now=now, expires_at=now + TTL,
    )
    return stream_id


async def run(pool: asyncpg.Pool, tenant_id: int, stream_id: str) -> bool:
    """Work on one stream if nobody else is; True when it finished here."""
    now = clock.now()
    async with pool.acquire() as conn:
        row = await queries.aibot_stream_claim(conn, tenant_id=tenant_id, stream_id=stream_id, now=now,
                                               lease_until=now + LEASE)
    if row is None:
        return False
    payload = row["payload"]
    lang = payload.get("lang", "zh")
    try:
        kb = kb_answers.kb_service()
        if kb is None:
            text = say("kb_unavailable", lang)
        else:
            async with pool.acquire() as conn:
                passages = await kb.search(conn, tenant_id, payload["query"], k=3)
            text = kb.format_passages(passages, lang=lang)
        status = "done"
    except Exception:  # a refresh will try again; after a few tries the rep is told
        log.exception("stream %s failed", stream_id)
        if row["attempts"] < MAX_ATTEMPTS:
            async with pool.acquire() as conn:
                await queries.aibot_stream_release(conn, tenant_id=tenant_id, stream_id=stream_id)
            return False
        text, status = say("kb_failed", lang, query=str(payload.get("query", ""))[:40]), "failed"
    async with pool.acquire() as conn:
        await queries.aibot_stream_finish(conn, tenant_id=tenant_id, stream_id=stream_id, status=status,
                                          content=text, now=clock.now())
    return True


async def refresh(conn: asyncpg.Connection, tenant_id: int, user_id: int, stream_id: str,
                  lang: str) -> tuple[dict[str, Any], bool]:
    """The stream's latest reply body, and whether its work should be (re)started."""
    return await current(conn, tenant_id, stream_id, user_id=user_id, lang=lang)


async def current(conn: asyncpg.Connection, tenant_id: int, stream_id: str, *, user_id: int | None = None,
                  lang: str = "zh") -> tuple[dict[str, Any], bool]:
    """The stream's latest body (for ``user_id`` only, when given) and whether its work is stalled."""
    row = await queries.aibot_stream_get(conn, tenant_id=tenant_id, stream_id=stream_id) if stream_id else None
    if row is None or (user_id is not None and row["user_id"] != user_id):
        return body(stream_id or new_id(), t("stream_gone", lang), True), False
    if row["status"] in ("done", "failed"):
        return body(stream_id, row["content"] or "", True), False
    lang = row["payload"].get("lang", lang)
    if clock.now() >= row["expires_at"]:
        text = t("stream_timeout", lang)
        await queries.aibot_stream_finish(conn, tenant_id=tenant_id, stream_id=stream_id, status="failed",
                                          content=text, now=clock.now())
        return body(stream_id, text, True), False
    stalled = row["locked_until"] is None or row["locked_until"] < clock.now()
    return body(stream_id, row["payload"].get("placeholder", "…"), False), stalled

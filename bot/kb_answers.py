"""Knowledge questions from chat: answered in the reply when that is quick, else through the outbox.

The knowledge service (``backend.services.kb``) answers in milliseconds once its embedding model
is loaded; loading it can take seconds. So: a warm model is searched at once on a separate pooled
connection with a budget well inside WeChat's 5 s; a cold model (or a search over budget) gets an
immediate "正在查找…" and a ``bot_deferred`` row taken in the message's own transaction. The
process that took the message runs it right after the commit (``run_deferred``); the worker job
``bot.deferred`` picks up whatever a dead process left. The answer is an app message through the
outbox, keyed by the inbound message, so it is sent once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import logging
from types import ModuleType
from typing import Any

import asyncpg

from backend import clock
from backend.db.queries import queries
from backend.services import outbox
from bot.context import Ctx
from bot.replies import fit, say
from schemas.outbox import TextMessage

log = logging.getLogger("tuoke.bot.kb")

SEARCH_BUDGET = 3.5  # seconds a search may take inside the callback
LEASE = dt.timedelta(minutes=2)
MAX_ATTEMPTS = 5


def kb_service() -> ModuleType | None:
    """The knowledge service, when this installation has it."""
    try:
        return importlib.import_module("backend.services.kb")
    except ImportError:
        return None


async def answer(ctx: Ctx, query: str, kind: str | None) -> str:
    kb = kb_service()
    if kb is None:
        return say("kb_unavailable", ctx.lang)
    query = query[:500]
    if ctx.later is not None:  # the channel streams the answer (the AI bot)
        return await ctx.later("kb_search", {"query": query, "kind": kind, "lang": ctx.lang},
                               say("kb_searching", ctx.lang, query=query[:40]))
    if kb.model_is_warm() or ctx.recipient is None:
        try:
            passages = await _search_now(ctx, kb, query)
        except asyncio.TimeoutError:
            if ctx.recipient is None:
                return say("kb_failed", ctx.lang, query=query[:40])
        else:
            return render(kb, query, passages, ctx.lang)
    deferred_id = await queries.bot_deferred_insert(
        ctx.conn, tenant_id=ctx.tenant.tenant_id, user_id=ctx.actor.user_id, recipient=ctx.recipient,
        kind="kb_search", payload={"query": query, "kind": kind, "lang": ctx.lang},
        msg_key=f"{ctx.channel}:{ctx.msg_key}", now=clock.now(),
    )
    if deferred_id is not None:
        ctx.deferred.append(deferred_id)
    return say("kb_searching", ctx.lang, query=query[:40])


def render(kb: ModuleType, query: str, passages: list[Any], lang: str) -> str:
    """The reply to a knowledge question: the answering sentence(s) quoted with their source, in one
    WeChat message (or the clear "not found" line)."""
    if hasattr(kb, "quote_answer"):
        return kb.quote_answer(query, passages, lang=lang)
    return kb.format_passages(passages, lang=lang)


async def answer_text(conn: asyncpg.Connection, tenant_id: int, query: str, *, lang: str = "zh",
                      kind: str | None = None) -> str:
    """The final answer text for a knowledge question, searched now on ``conn`` (loads the models
    if they are cold). For channels that stream (the AI bot): stream this text as it is."""
    kb = kb_service()
    if kb is None:
        return say("kb_unavailable", lang)
    query = query[:500]
    passages = await kb.search(conn, tenant_id, query, k=3, kind=kind)
    return render(kb, query, passages, lang)


async def _search_now(ctx: Ctx, kb: ModuleType, query: str) -> list[Any]:
    if ctx.pool is None:
        return await kb.search(ctx.conn, ctx.tenant.tenant_id, query, k=3)

    async def run() -> list[Any]:
        async with ctx.pool.acquire() as conn:
            return await kb.search(conn, ctx.tenant.tenant_id, query, k=3)

    return await asyncio.wait_for(run(), timeout=SEARCH_BUDGET)


async def run_deferred(pool: asyncpg.Pool, *, tenant_id: int | None = None, deferred_id: int | None = None,
                       batch: int = 10) -> dict[str, int]:
    """Answer open deferred questions (all that are due, or one): search, enqueue the answer, mark done."""
    counts = {"done": 0, "retry": 0, "failed": 0}
    now = clock.now()
    async with pool.acquire() as conn:
        rows = await queries.bot_deferred_claim(
            conn, now=now, lease_until=now + LEASE, tenant_id=tenant_id, deferred_id=deferred_id, batch=batch
        )
    kb = kb_service()
    for row in rows:
        payload = row["payload"]
        lang = payload.get("lang", "zh")
        try:
            if kb is None:
                text = say("kb_unavailable", lang)
            else:
                async with pool.acquire() as conn:
                    passages = await kb.search(conn, row["tenant_id"], payload["query"], k=3)
                text = render(kb, payload["query"], passages, lang)
            await _finish(pool, row, text)
            counts["done"] += 1
        except Exception as exc:  # a job must survive one bad question; the row keeps the error
            log.exception("deferred %s failed", row["deferred_id"])
            if row["attempts"] >= MAX_ATTEMPTS:
                await _finish(pool, row, say("kb_failed", lang, query=payload["query"][:40]), failed=str(exc))
                counts["failed"] += 1
            else:
                async with pool.acquire() as conn:
                    await queries.bot_deferred_retry(
                        conn, tenant_id=row["tenant_id"], deferred_id=row["deferred_id"], status="pending",
                        error=str(exc)[:500], retry_at=clock.now() + dt.timedelta(seconds=10 * row["attempts"]),
                    )
                counts["retry"] += 1
    return counts


async def _finish(pool: asyncpg.Pool, row: Any, text: str, *, failed: str | None = None) -> None:
    """Enqueue the answer and close the row in one transaction (a crash in between resends nothing twice)."""
    async with pool.acquire() as conn, conn.transaction():
        await outbox.enqueue(conn, row["tenant_id"], row["recipient"], TextMessage(content=fit(text)),
                             f"bot:{row['msg_key']}:kb")
        if failed is None:
            await queries.bot_deferred_done(conn, tenant_id=row["tenant_id"], deferred_id=row["deferred_id"],
                                            now=clock.now())
        else:
            await queries.bot_deferred_retry(conn, tenant_id=row["tenant_id"], deferred_id=row["deferred_id"],
                                             status="failed", error=failed[:500], retry_at=None)

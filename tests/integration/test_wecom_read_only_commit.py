"""A message that changed nothing but its own key and reply commits without waiting for the WAL flush
(bot.dispatch._finish); every message that wrote anything else commits as always.

dispatch.handle runs on a connection of the test's own, with asyncpg's query logger on it, so the
statements the message sent are seen as PostgreSQL got them.
"""

from __future__ import annotations

import asyncio

from backend.db.queries import queries
from bot import dispatch
from bot.context import READ_ONLY_QUERIES, MessageConnection
from tests.factory import text_inbound

ASYNC = "SET LOCAL synchronous_commit TO off;"


async def _say(db, tenant, rep, text: str) -> tuple[str | None, list[str]]:
    sent: list[str] = []
    logger = lambda record: sent.append(record.query)  # noqa: E731
    db.add_query_logger(logger)
    try:
        outcome = await dispatch.handle(db, tenant, text_inbound(tenant, rep, text))
        await asyncio.sleep(0)  # asyncpg calls query loggers with call_soon
    finally:
        db.remove_query_logger(logger)
    return outcome.reply, sent


async def test_reads_commit_without_the_flush_and_writes_with_it(factory, db):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)

    reply, sent = await _say(db, tenant, rep, "我的商机")
    assert reply and sent[-1].startswith(ASYNC), "nothing to list, nothing written: no wait"

    reply, sent = await _say(db, tenant, rep, "新客户 佛山顺和陶瓷有限公司 刘总 13826471935 想了解储能柜")
    assert reply.startswith("已新建线索") and not sent[-1].startswith(ASYNC) and sent[-1].endswith("COMMIT")

    reply, sent = await _say(db, tenant, rep, "我的商机")
    assert "顺和" in reply and sent[-1].startswith(ASYNC)

    reply, sent = await _say(db, tenant, rep, "顺和那单进入方案")
    assert reply.startswith("已把") and not sent[-1].startswith(ASYNC)

    reply, sent = await _say(db, tenant, rep, "撤销")
    assert not sent[-1].startswith(ASYNC), "undo writes"
    assert await db.fetchval("SELECT stage FROM deals WHERE tenant_id = $1", tenant.tenant_id) == "lead"


async def test_only_listed_reads_count_as_reads(db):
    async with db.transaction():
        conn = MessageConnection(db)
        for name in READ_ONLY_QUERIES:
            assert getattr(queries._loaded, name).sql  # every listed name is a real query
        await conn.fetch(queries._loaded.deal_count_visible.sql, 0, "rep", 0, 0, None, None, False)
        assert not conn.wrote
        await conn.fetchval("SELECT 1")  # not a listed query: counted as a write, to be safe
        assert conn.wrote

"""The assistant's worker jobs: answer deferred questions a dead process left, forget old keys."""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend import clock
from backend.db.queries import queries
from backend.jobs.registry import Job
from bot import kb_answers

# Message keys are kept well past WeChat's retry window (15 s) and the signature freshness window
# (5 min): after that a replay is refused as stale before its key is looked at.
KEEP_KEYS = dt.timedelta(days=3)


async def answer_deferred(pool: asyncpg.Pool) -> dict[str, int]:
    return await kb_answers.run_deferred(pool)


async def prune(pool: asyncpg.Pool) -> dict[str, str]:
    now = clock.now()
    async with pool.acquire() as conn:
        keys = await queries.bot_inbound_prune(conn, before=now - KEEP_KEYS)
        pending = await queries.bot_pending_prune(conn, now=now)
        streams = await queries.aibot_streams_prune(conn, before=now - KEEP_KEYS)
    return {"inbound_messages": keys, "bot_pending": pending, "aibot_streams": streams}


JOBS: list[Job] = [
    Job("bot.deferred", answer_deferred, 5.0),
    Job("bot.prune", prune, 3600.0),
]

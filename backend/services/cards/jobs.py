"""The cards area's worker jobs: forget old mini-program sessions and rate-limit windows (safe in
several workers)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend import clock
from backend.db.queries import queries
from backend.jobs.registry import Job

KEEP = dt.timedelta(days=30)  # expired or revoked sessions are kept this long (audit), then deleted
BATCH = 5000


async def prune_sessions(pool: asyncpg.Pool) -> int:
    """Delete sessions that ended more than 30 days ago; the number deleted."""
    deleted = 0
    async with pool.acquire() as conn:
        while True:
            status = await queries.cards_sessions_prune(conn, before=clock.now() - KEEP, batch=BATCH)
            n = int(status.split()[-1])
            deleted += n
            if n < BATCH:
                return deleted


async def prune_rate_counters(pool: asyncpg.Pool) -> int:
    """Delete rate-limit windows that no longer count; the number deleted."""
    from backend.services.cards import ratelimit

    async with pool.acquire() as conn:
        return await ratelimit.prune(conn)


JOBS = [Job("cards.prune_sessions", prune_sessions, 3600.0), Job("cards.rate_prune", prune_rate_counters, 300.0)]

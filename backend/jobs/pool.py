"""Worker jobs of the pool area: the recycle pass and account rescoring.

``pool.recycle`` holds an advisory lock per slot of tenants (a second worker skips the slot) and
its UPDATE re-checks each deal's owner and idle clock, so a deal is recycled once however many
workers run; ``accounts.score`` clears the marks it takes in its own transaction and claims each
tenant's nightly rescore once per local day.
"""

from __future__ import annotations

import asyncpg

from backend.jobs.registry import Job
from backend.services.pool import recycle, tiers


async def run_recycle(pool: asyncpg.Pool) -> object:
    result = await recycle.recycle_all(pool)
    return {"skipped": result.skipped, "warned": result.warned, "recycled": result.recycled}


async def run_scoring(pool: asyncpg.Pool) -> object:
    return await tiers.rescore_pass(pool)


JOBS: list[Job] = [
    Job("pool.recycle", run_recycle, 300.0),
    Job("accounts.score", run_scoring, 30.0),
]

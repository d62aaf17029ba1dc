"""The worker: APScheduler (3.x) running every job of the registry on the asyncio loop."""

from __future__ import annotations

import logging

import asyncpg
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from backend.jobs.registry import all_jobs

log = logging.getLogger("tuoke.worker")


def build_scheduler(pool: asyncpg.Pool) -> AsyncIOScheduler:
    # Every pass would log twice at INFO; our jobs log what they do themselves.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in all_jobs():

        async def run(job=job) -> None:
            try:
                await job.func(pool)
            except Exception:  # a failing pass is logged; the next one runs as scheduled
                log.exception("job %s failed", job.id)

        scheduler.add_job(
            run, "interval", seconds=job.seconds, id=job.id, name=job.id, max_instances=1, coalesce=True,
            misfire_grace_time=max(int(job.seconds), 1),
        )
    return scheduler

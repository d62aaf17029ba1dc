"""The worker: APScheduler (3.x) running every job of the registry on the asyncio loop."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from backend.jobs.registry import all_jobs

log = logging.getLogger("tuoke.worker")

GRACE_SECONDS = 20.0  # how long a stopping worker lets running jobs finish (a send times out in 5 s)
_RUNNING: set[asyncio.Task] = set()  # job passes running in this process


def build_scheduler(pool: asyncpg.Pool) -> AsyncIOScheduler:
    # Every pass would log twice at INFO; our jobs log what they do themselves.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in all_jobs():

        async def run(job=job) -> None:
            task = asyncio.current_task()
            if task is not None:
                _RUNNING.add(task)
            try:
                await job.func(pool)
            except Exception:  # a failing pass is logged; the next one runs as scheduled
                log.exception("job %s failed", job.id)
            finally:
                _RUNNING.discard(task)

        scheduler.add_job(
            run, "interval", seconds=job.seconds, id=job.id, name=job.id, max_instances=1, coalesce=True,
            misfire_grace_time=max(int(job.seconds), 1),
        )
    return scheduler


async def drain(grace: float = GRACE_SECONDS) -> dict[str, int]:
    """After ``scheduler.shutdown(wait=False)``: let the job passes still running finish, for up to
    ``grace`` seconds, then cancel the rest. A cancelled delivery pass gives the outbox rows it had
    claimed and not started back to pending (``outbox.deliver_due``); the one being sent keeps its
    lease and is retried when the lease runs out, as after a crash (WeChat's duplicate check guards it)."""
    running = {t for t in _RUNNING if not t.done()}
    if not running:
        return {"finished": 0, "cancelled": 0}
    log.info("waiting up to %.0f s for %d running job(s)", grace, len(running))
    done, pending = await asyncio.wait(running, timeout=grace)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=5)
    return {"finished": len(done), "cancelled": len(pending)}

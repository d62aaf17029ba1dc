"""Every periodic job of the worker, by id. Each is safe when several workers run it at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable

import asyncpg

from backend.services import outbox


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[asyncpg.Pool], Awaitable[object]]
    seconds: float  # run every this many seconds


async def deliver_outbox(pool: asyncpg.Pool) -> object:
    return await outbox.deliver_due(pool)


def all_jobs() -> list[Job]:
    jobs = [Job("outbox.deliver", deliver_outbox, 2.0)]
    for module_name in JOB_MODULES:
        module = __import__(module_name, fromlist=["JOBS"])
        jobs.extend(module.JOBS)
    return jobs


# Modules that contribute a ``JOBS: list[Job]`` (nudges, reminders, digests …).
JOB_MODULES: list[str] = ["bot.jobs", "backend.jobs.nudges", "backend.services.cards.jobs", "backend.jobs.pool"]

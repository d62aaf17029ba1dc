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
    """Every job, from the areas that contribute a ``JOBS: list[Job]`` (nudges, reminders,
    digests …), named explicitly. Imported here, not at the top: those modules import ``Job``."""
    from backend.jobs import kb as kb_jobs, nudges
    from backend.jobs import pool as pool_jobs
    from backend.services.cards import jobs as cards_jobs
    from bot import jobs as bot_jobs


    return [Job("outbox.deliver", deliver_outbox, 2.0), *bot_jobs.JOBS, *nudges.JOBS, *cards_jobs.JOBS, *pool_jobs.JOBS, *kb_jobs.JOBS]

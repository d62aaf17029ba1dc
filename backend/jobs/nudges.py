"""Worker jobs of the nudges area: the scan, follow-up reminders, manager digests.

Each is safe with several workers at once: the scan holds advisory locks (a second worker
skips the tenants being scanned) on top of the unique key of ``nudges``; reminders and digests
claim their row with a unique key in the same transaction as the enqueue.
"""

from __future__ import annotations

import asyncpg

from backend.jobs.registry import Job
from backend.services.digests import send as digest_send
from backend.services.nudges import reminders, scan


async def run_scan(pool: asyncpg.Pool) -> object:
    result = await scan.scan_all(pool)
    return {"skipped": result.skipped, "found": result.found, "enqueued": result.enqueued}


async def run_reminders(pool: asyncpg.Pool) -> object:
    async with pool.acquire() as conn:
        return await reminders.send_due_followups(conn)


async def run_digests(pool: asyncpg.Pool) -> object:
    return await digest_send.send_due_digests(pool)


JOBS: list[Job] = [
    Job("nudges.scan", run_scan, 60.0),
    Job("nudges.reminders", run_reminders, 30.0),
    Job("digests.send", run_digests, 60.0),
]

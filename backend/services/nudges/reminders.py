"""Due follow-ups (``deals.schedule_followup``) go to the outbox at their due time, each once.

The claim (``followup_reminders``' primary key) and the enqueue share one transaction, so two
workers never both send one and a crash between them leaves it to the next pass. A reminder
goes at its due time even inside quiet hours: the rep chose that time.
"""

from __future__ import annotations

import asyncpg

from backend import clock
from backend.db.queries import queries
from backend.services import outbox
from backend.services.nudges import messages


async def send_due_followups(conn: asyncpg.Connection, *, limit: int = 500) -> int:
    """Enqueue the reminders of follow-ups due now; how many were enqueued."""
    now = clock.now()
    sent = 0
    async with conn.transaction():
        for row in await queries.nudge_due_followups(conn, now=now, limit=limit):
            oid = await outbox.enqueue(
                conn, row["tenant_id"], row["wecom_userid"], messages.followup_text(row, now),
                f"followup:{row['activity_id']}", not_before=now,
            )
            sent += oid is not None
    return sent

"""Sending digests: each manager's daily digest at the tenant's digest time, plus the weekly
funnel review on Monday mornings, each once (a claimed ``digests`` row, in the same transaction
as the enqueue), with an unguessable page token that expires after a week."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from typing import Any

import asyncpg
import msgspec

from backend import clock
from backend.db.queries import queries
from backend.services import outbox, tenants
from backend.services.digests import figures as figs
from backend.services.digests import markdown
from backend.services.nudges import manners
from backend.settings import get_settings
from schemas.digests import DigestFigures
from schemas.outbox import MarkdownMessage
from schemas.tenants import Tenant

TOKEN_TTL = dt.timedelta(days=7)


PREVIEW_TTL = dt.timedelta(days=1)


def page_url(token: str) -> str:
    return f"{get_settings().public_base_url}/d/{token}"


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


async def preview(conn: asyncpg.Connection, tenant: Tenant, manager_id: int) -> tuple[DigestFigures, str]:
    """Today's digest of one manager as it would be sent now. Nothing is sent; the page behind its
    link is kept for a day as a ``preview`` (the day's real digest is not taken), so the link opens."""
    manager = await figs.manager_row(conn, tenant.tenant_id, manager_id)
    now = clock.now()
    f = await figs.daily(conn, tenant, manager, now)
    token = await queries.digest_preview_put(
        conn, tenant_id=tenant.tenant_id, manager_id=manager_id, day=manners.local_day(now, tenant.timezone),
        token=new_token(), expires_at=now + PREVIEW_TTL, figures=msgspec.to_builtins(f), now=now)
    return f, markdown.daily_markdown(f, page_url(token))


async def _claim(conn: asyncpg.Connection, tenant_id: int, manager_id: int, kind: str, day: dt.date,
                 now: dt.datetime) -> tuple[int, str] | None:
    token = new_token()
    digest_id = await queries.digest_claim(
        conn, tenant_id=tenant_id, manager_id=manager_id, kind=kind, day=day, token=token,
        expires_at=now + TOKEN_TTL, now=now,
    )
    return (digest_id, token) if digest_id is not None else None


# kind → (its figures, its markdown)
_KINDS = {
    "daily": (figs.daily, markdown.daily_markdown),
    "weekly": (figs.weekly, markdown.weekly_markdown),
}


async def _send_kind(conn: asyncpg.Connection, tenant: Tenant, manager: Any, kind: str, day: dt.date,
                     now: dt.datetime, send_at: dt.datetime) -> int:
    """Claim this manager's ``kind`` digest for ``day`` and enqueue it; 0 when another worker had it."""
    claimed = await _claim(conn, tenant.tenant_id, manager["user_id"], kind, day, now)
    if claimed is None:
        return 0
    digest_id, token = claimed
    compute, render = _KINDS[kind]
    figures = await compute(conn, tenant, manager, now)
    await queries.digest_set_figures(conn, tenant_id=tenant.tenant_id, digest_id=digest_id,
                                     figures=msgspec.to_builtins(figures))
    await outbox.enqueue(
        conn, tenant.tenant_id, manager["wecom_userid"],
        MarkdownMessage(content=render(figures, page_url(token))),
        f"digest:{kind}:{manager['user_id']}:{day.isoformat()}", not_before=send_at,
    )
    return 1


async def send_one(conn: asyncpg.Connection, tenant: Tenant, manager: Any, day: dt.date, monday: bool,
                   now: dt.datetime) -> int:
    """The manager's digest(s) for ``day``; how many were enqueued (0 when another worker had them)."""
    send_at = manners.release_time(now, tenant.timezone, tenant.quiet_start, tenant.quiet_end)
    async with conn.transaction():
        sent = await _send_kind(conn, tenant, manager, "daily", day, now, send_at)
        if monday:
            sent += await _send_kind(conn, tenant, manager, "weekly", day, now, send_at)
    return sent


async def send_due_digests(pool: asyncpg.Pool, *, limit: int = 5000, concurrency: int = 4) -> int:
    """Every digest due now (all tenants); a few managers at a time. How many were enqueued."""
    now = clock.now()
    async with pool.acquire() as conn:
        due = await queries.digest_due(conn, now=now, limit=limit)
        if not due:
            return 0
        tenant_map = {t.tenant_id: t for t in await tenants.list_tenants(conn)}
    gate = asyncio.Semaphore(concurrency)

    async def one(row: Any) -> int:
        async with gate, pool.acquire() as conn:
            tenant = tenant_map[row["tenant_id"]]
            manager = await figs.manager_row(conn, tenant.tenant_id, row["manager_id"])
            return await send_one(conn, tenant, manager, row["day"], row["monday"], now)

    return sum(await asyncio.gather(*(one(r) for r in due)))

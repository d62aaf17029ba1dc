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


BATCH = 500  # managers whose daily digests are computed together, in one transaction


async def send_due_digests(pool: asyncpg.Pool, *, limit: int = 5000, concurrency: int = 4) -> int:
    """Every digest due now (all tenants), set-based: the due managers in batches of ``BATCH``;
    each batch, in one transaction, claims its daily digests in one statement, computes the
    figures of all the claimed ones together (one statement per figure, ``figures.daily_many``),
    stores them and enqueues the messages in one statement each; Monday's weekly reviews follow
    per manager. A digest another worker claimed first is left to it. How many were enqueued."""
    now = clock.now()
    async with pool.acquire() as conn:
        due = await queries.digest_due(conn, now=now, limit=limit)
        if not due:
            return 0
        tenant_map = {t.tenant_id: t for t in await tenants.list_tenants(conn)}
    batches = [due[i:i + BATCH] for i in range(0, len(due), BATCH)]
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(rows: list[Any]) -> int:
        async with gate, pool.acquire() as conn:
            async with conn.transaction():
                # the figures sort and group every due manager's deals at once: in memory, not on disk
                await conn.execute("SET LOCAL work_mem = '256MB'")
                return await _send_batch(conn, tenant_map, rows, now)

    return sum(await asyncio.gather(*(one(b) for b in batches)))


async def _send_batch(conn: asyncpg.Connection, tenant_map: dict[int, Tenant], due: list[Any],
                      now: dt.datetime) -> int:
    managers = {
        (r["tenant_id"], r["user_id"]): r
        for r in await queries.digest_many_managers(
            conn, tenant_ids=[r["tenant_id"] for r in due], manager_ids=[r["manager_id"] for r in due])
    }
    due = [r for r in due if (r["tenant_id"], r["manager_id"]) in managers]
    if not due:
        return 0
    claimed = {
        (r["tenant_id"], r["manager_id"]): r
        for r in await queries.digest_claim_many(
            conn, kind="daily", tenant_ids=[r["tenant_id"] for r in due], manager_ids=[r["manager_id"] for r in due],
            days=[r["day"] for r in due], tokens=[new_token() for _ in due], expires_at=now + TOKEN_TTL, now=now)
    }
    mine = [r for r in due if (r["tenant_id"], r["manager_id"]) in claimed]
    figures = await figs.daily_many(
        conn, [(tenant_map[r["tenant_id"]], managers[(r["tenant_id"], r["manager_id"])]) for r in mine], now)
    out: dict[str, list[Any]] = {"tenant_ids": [], "recipients": [], "payloads": [], "keys": [], "not_before": []}
    stored: dict[str, list[Any]] = {"tenant_ids": [], "digest_ids": [], "figures": []}
    send_at: dict[int, dt.datetime] = {}
    for r, f in zip(mine, figures):
        tenant = tenant_map[r["tenant_id"]]
        key = (r["tenant_id"], r["manager_id"])
        claim, manager = claimed[key], managers[key]
        if tenant.tenant_id not in send_at:
            send_at[tenant.tenant_id] = manners.release_time(now, tenant.timezone, tenant.quiet_start, tenant.quiet_end)
        stored["tenant_ids"].append(tenant.tenant_id)
        stored["digest_ids"].append(claim["digest_id"])
        stored["figures"].append(msgspec.json.encode(f).decode())
        out["tenant_ids"].append(tenant.tenant_id)
        out["recipients"].append(manager["wecom_userid"])
        message = MarkdownMessage(content=markdown.daily_markdown(f, page_url(claim["token"])))
        out["payloads"].append(msgspec.json.encode(outbox.to_wecom(message)).decode())
        out["keys"].append(f"digest:daily:{manager['user_id']}:{r['day'].isoformat()}"[:300])
        out["not_before"].append(send_at[tenant.tenant_id])
    sent = 0
    if mine:
        await queries.digest_set_figures_many(conn, **stored)
        sent = await queries.nudge_outbox_many(conn, **out)
    for r in due:
        if r["monday"]:
            tenant = tenant_map[r["tenant_id"]]
            when = manners.release_time(now, tenant.timezone, tenant.quiet_start, tenant.quiet_end)
            sent += await _send_kind(conn, tenant, managers[(r["tenant_id"], r["manager_id"])], "weekly", r["day"],
                                     now, when)
    return sent

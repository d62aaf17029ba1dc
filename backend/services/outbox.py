"""The outbox: enqueue inside the caller's transaction; deliver with claims that never double.

A row is claimed with ``FOR UPDATE SKIP LOCKED`` and a lease (with a fresh lease token), sent, and
marked sent. Every change of a claimed row presents its lease token, so a loop whose lease ran
out (and was re-claimed by another) changes nothing; and right before each send the lease is
renewed, fenced the same way, to cover the longest a send can take (``send_lease``), so a row
being sent is never re-claimed mid-send. A failed
send goes back to pending with exponential backoff; a permanent failure (or too many attempts)
is kept as ``dead`` with its error, never dropped; a held message whose area says it no longer
applies (``register_stale_check``: a nudge for a deal that moved overnight) is kept as
``cancelled`` with the reason. WeChat Work's per-member limits (about 30 app
messages a minute, 1,000 an hour) are kept by deferring, not failing. A payload may also stand
for a message that its area renders when it is sent (``register_renderer``: a nudge card is
written by the scan as a small reference and rendered here, from the deal as of the scan).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import uuid
from typing import Any, Awaitable, Callable

import asyncpg
import msgspec

from backend import clock, wechat_api
from backend.db.queries import queries
from backend.errors import UpstreamError
from backend.services import tenants
from schemas.outbox import OutboundMessage

log = logging.getLogger("tuoke.outbox")

# Areas that enqueue messages which can go stale while held (a nudge waiting out quiet hours)
# register a check by idempotency-key prefix: it returns why the message no longer applies, or None.
StaleCheck = Callable[[asyncpg.Connection, int, str], Awaitable[str | None]]
STALE_CHECKS: dict[str, StaleCheck] = {}


def register_stale_check(prefix: str, check: StaleCheck) -> None:
    STALE_CHECKS[prefix] = check


async def _stale(conn: asyncpg.Connection, row: asyncpg.Record) -> str | None:
    for prefix, check in STALE_CHECKS.items():
        if row["idempotency_key"].startswith(prefix):
            return await check(conn, row["tenant_id"], row["idempotency_key"])
    return None


# A row whose payload says ``{"render": KIND, …}`` refers to what its area recorded (a nudge card
# names its nudges): the area registers how to render it, and the message is made when it is sent.
# It gets the row's tenant, idempotency key and payload, and returns the WeChat message, or None
# when what it refers to is gone (the row is then cancelled).
Renderer = Callable[[asyncpg.Connection, int, str, dict[str, Any]], Awaitable[dict[str, Any] | None]]
RENDERERS: dict[str, Renderer] = {}


def register_renderer(kind: str, render: Renderer) -> None:
    RENDERERS[kind] = render


async def rendered(conn: asyncpg.Connection, tenant_id: int, key: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The message an outbox payload stands for: itself, or what its area renders from it."""
    kind = payload.get("render")
    if kind is None:
        return payload
    render = RENDERERS.get(kind)
    if render is None:  # not registered in this process: retried later, never sent as it is
        raise UpstreamError(f"no renderer for outbox payloads of kind {kind!r}")
    return await render(conn, tenant_id, key, payload)


MAX_ATTEMPTS = 10
LEASE = dt.timedelta(seconds=60)  # a claimed batch's lease; each row's is renewed before its send


def send_lease() -> dt.timedelta:
    """How long one send may hold its row: a token fetch, the send, and a retry after a refreshed
    token (three calls of at most ``TUOKE_WECHAT_TIMEOUT`` each), plus a margin."""
    return dt.timedelta(seconds=3 * float(os.environ.get("TUOKE_WECHAT_TIMEOUT", "5")) + 5)
PER_MINUTE = 30
PER_HOUR = 1000
# Content limits of WeChat Work app messages (bytes).
TEXT_LIMIT = 2048
MARKDOWN_LIMIT = 4096


def backoff(attempts: int) -> dt.timedelta:
    """5 s, 10 s, 20 s … capped at 30 minutes."""
    return dt.timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 1800))


def truncate_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def to_wecom(message: OutboundMessage | dict[str, Any]) -> dict[str, Any]:
    """The ``msgtype`` + body WeChat Work's message/send takes."""
    if isinstance(message, dict):
        return message
    data = msgspec.to_builtins(message)
    kind = data.pop("type")
    if kind == "text":
        return {"msgtype": "text", "text": {"content": truncate_bytes(data["content"], TEXT_LIMIT)}}
    if kind == "markdown":
        return {"msgtype": "markdown", "markdown": {"content": truncate_bytes(data["content"], MARKDOWN_LIMIT)}}
    return {"msgtype": "template_card", "template_card": data["card"]}


async def enqueue(
    conn: asyncpg.Connection,
    tenant_id: int,
    recipient: str,
    message: OutboundMessage | dict[str, Any],
    idempotency_key: str,
    *,
    channel: str = "wecom",
    not_before: dt.datetime | None = None,
) -> int | None:
    """Queue a message once per key; returns the new row id, or None when the key was used."""
    return await queries.outbox_enqueue(
        conn, tenant_id=tenant_id, channel=channel, recipient=recipient, payload=to_wecom(message),
        idempotency_key=idempotency_key[:300], not_before=not_before or clock.now(),
    )


async def _over_limit(conn: asyncpg.Connection, row: asyncpg.Record, now: dt.datetime) -> dt.datetime | None:
    """When the recipient already had its fill, the time to try again."""
    minute = await queries.outbox_sent_since(
        conn, tenant_id=row["tenant_id"], recipient=row["recipient"], since=now - dt.timedelta(minutes=1)
    )
    if minute >= PER_MINUTE:
        return now + dt.timedelta(seconds=60)
    hour = await queries.outbox_sent_since(
        conn, tenant_id=row["tenant_id"], recipient=row["recipient"], since=now - dt.timedelta(hours=1)
    )
    if hour >= PER_HOUR:
        return now + dt.timedelta(minutes=10)
    return None


async def deliver_due(pool: asyncpg.Pool, *, batch: int = 50, tenant_id: int | None = None) -> dict[str, int]:
    """One pass of the delivery loop: claim what is due, send each, record the outcome.

    ``tenant_id`` limits the pass to one tenant (the CLI and tests); the worker delivers all.
    """
    counts = {"sent": 0, "retry": 0, "dead": 0, "deferred": 0, "cancelled": 0}
    now = clock.now()
    async with pool.acquire() as conn:
        claimed = await queries.outbox_claim(
            conn, now=now, lease_until=now + LEASE, batch=batch, only_tenant_id=tenant_id,
            lease_token=str(uuid.uuid4()),
        )
    tenant_cache: dict[int, Any] = {}
    started = 0
    try:
        for row in claimed:
            started += 1
            await _deliver_one(pool, row, counts, tenant_cache)
    except asyncio.CancelledError:  # the worker is stopping: give back what was claimed and not started
        await asyncio.shield(_release(pool, claimed[started:]))
        raise
    return counts


async def _release(pool: asyncpg.Pool, rows: list[Any]) -> None:
    if not rows:
        return
    async with pool.acquire() as conn:
        for row in rows:
            await queries.outbox_defer(conn, tenant_id=row["tenant_id"], outbox_id=row["outbox_id"],
                                       lease_token=row["lease_token"], next_attempt_at=clock.now())
    log.info("outbox: %d claimed message(s) given back on shutdown", len(rows))


async def _deliver_one(pool: asyncpg.Pool, row: Any, counts: dict[str, int], tenant_cache: dict[int, Any]) -> None:
    async with pool.acquire() as conn:
        key = {"tenant_id": row["tenant_id"], "outbox_id": row["outbox_id"], "lease_token": row["lease_token"]}
        renewed = await queries.outbox_renew(conn, **key, lease_until=clock.now() + send_lease())
        if renewed is None:  # our lease ran out and another loop holds the row now
            log.info("outbox %s: lease lost to another delivery loop", row["outbox_id"])
            return
        reason = await _stale(conn, row)
        if reason is not None:
            await queries.outbox_mark_cancelled(conn, **key, reason=reason[:500])
            counts["cancelled"] += 1
            return
        later = await _over_limit(conn, row, clock.now())
        if later is not None:
            await queries.outbox_defer(conn, **key, next_attempt_at=later)
            counts["deferred"] += 1
            return
        try:
            tenant = tenant_cache.get(row["tenant_id"]) or await tenants.get_tenant(conn, row["tenant_id"])
            tenant_cache[row["tenant_id"]] = tenant
            if row["channel"] != "wecom":
                raise UpstreamError(f"channel {row['channel']!r} has no sender", permanent=True)
            message = await rendered(conn, row["tenant_id"], row["idempotency_key"], row["payload"])
            if message is None:
                await queries.outbox_mark_cancelled(conn, **key, reason="what the message refers to is gone")
                counts["cancelled"] += 1
                return
            await wechat_api.wecom_send(conn, tenant, row["recipient"], message)
        except UpstreamError as exc:
            if exc.permanent or row["attempts"] >= MAX_ATTEMPTS:
                await queries.outbox_mark_dead(conn, **key, error=exc.detail[:500])
                counts["dead"] += 1
                log.warning("outbox %s dead: %s", row["outbox_id"], exc.detail)
            else:
                await queries.outbox_mark_retry(
                    conn, **key, error=exc.detail[:500], next_attempt_at=clock.now() + backoff(row["attempts"])
                )
                counts["retry"] += 1
            return
        await queries.outbox_mark_sent(conn, **key, now=clock.now())
        counts["sent"] += 1


async def deliver_until_idle(
    pool: asyncpg.Pool, *, max_passes: int = 100, tenant_id: int | None = None
) -> dict[str, int]:
    """Deliver until nothing is due (used by tests and the CLI)."""
    total = {"sent": 0, "retry": 0, "dead": 0, "deferred": 0, "cancelled": 0}
    for _ in range(max_passes):
        counts = await deliver_due(pool, tenant_id=tenant_id)
        for k, v in counts.items():
            total[k] += v
        if not any(counts.values()):
            break
    return total

"""The AI bot's long connection (``tuoke aibot run``): WeChat Work's official ``wecom-aibot-python-sdk``.

The SDK keeps the WebSocket (auth frame, heartbeat, reconnect with exponential backoff 1 s → 30 s,
here without a limit on attempts) and hands us each callback frame; its body is the same JSON as
the callback's decrypted message, so it goes through the same ``bot.aibot.service.receive`` — the
same claim in ``inbound_messages``, so several processes on one bot never act twice on a message.
A slow answer is a stream here too: the first frame says "looking it up", and the finished answer
follows on the same req_id as soon as it is ready (no refresh callbacks on this channel).
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import asyncpg

from backend.errors import TuokeError
from backend.services import tenants
from bot.aibot import message, service, streams

log = logging.getLogger("tuoke.bot.aibot.ws")

WS_URL_ENV = "TUOKE_AIBOT_WS_URL"  # the long connection's address (default: the SDK's, WeChat Work's)


class _SdkLogger:
    """The SDK's logger interface (debug/info/warn/error) on top of ``logging``."""

    def debug(self, message: str, *args: Any) -> None:
        log.debug(message)

    def info(self, message: str, *args: Any) -> None:
        log.info(message)

    def warn(self, message: str, *args: Any) -> None:
        log.warning(message)

    def error(self, message: str, *args: Any) -> None:
        log.error(message)


def client_for(bot_id: str, secret: str, ws_url: str | None, reconnect_ms: int = 1000) -> Any:
    import aibot
    from aibot import WSClient, WSClientOptions

    if ws_url and ws_url.startswith("ws://"):
        # A plain ws:// address (a local server, an internal proxy): the SDK would pass its TLS context.
        aibot.ws._SSL_CONTEXT = None
    return WSClient(WSClientOptions(bot_id=bot_id, secret=secret, ws_url=ws_url or "", reconnect_interval=reconnect_ms,
                                    max_reconnect_attempts=-1, logger=_SdkLogger()))


class Runner:
    """One tenant's bot on one long connection."""

    def __init__(self, pool: asyncpg.Pool, slug: str, ws_url: str | None = None, reconnect_ms: int = 1000) -> None:
        self.pool, self.slug = pool, slug
        self.ws_url = ws_url if ws_url is not None else (os.environ.get(WS_URL_ENV) or None)
        self.reconnect_ms = reconnect_ms
        self.client: Any = None
        self.tenant: Any = None
        self.handled = 0
        self._tasks: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        async with self.pool.acquire() as conn:
            self.tenant, cfg = await tenants.tenant_with_aibot(conn, self.slug)
        if not cfg.get("bot_id") or not cfg.get("secret"):
            raise TuokeError("the AI bot's bot_id and secret are not set for this tenant")
        self.client = client_for(cfg["bot_id"], cfg["secret"], self.ws_url, self.reconnect_ms)
        self.client.on("message", self._spawn)
        self.client.on("event", self._spawn)
        self.client.on("authenticated", lambda: log.info("aibot %s: connected and authenticated", self.slug))
        self.client.on("reconnecting", lambda n: log.info("aibot %s: reconnecting (attempt %s)", self.slug, n))
        await self.client.connect()

    def stop(self) -> None:
        if self.client is not None:
            self.client.disconnect()

    def _spawn(self, frame: dict[str, Any]) -> None:
        task = asyncio.ensure_future(self.on_frame(frame))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def on_frame(self, frame: dict[str, Any]) -> None:
        try:
            msg = message.parse(frame.get("body") or {})
        except TuokeError as exc:
            log.warning("aibot %s: frame refused: %s", self.slug, exc)
            return
        try:
            async with self.pool.acquire() as conn:
                answer = await service.receive(conn, self.tenant, msg, pool=self.pool)
            if answer.body is not None:
                await self._send(frame, answer)
            self.handled += 1
            for stream_id in answer.streams:
                final = await self._finish(stream_id)
                await self.client.reply(frame, final)
        except Exception:  # one frame must not end the connection
            log.exception("aibot %s: frame %s failed", self.slug, msg.msgid)

    async def _send(self, frame: dict[str, Any], answer: service.Answer) -> None:
        body = answer.body or {}
        if answer.kind == "welcome":
            await self.client.reply_welcome(frame, body)
        elif answer.kind == "update":
            await self.client.update_template_card(frame, body["template_card"], body.get("userids"))
        else:
            await self.client.reply(frame, body)

    async def _finish(self, stream_id: str, poll: float = 0.3) -> dict[str, Any]:
        """Work on the stream (or wait for whoever does) until it has its answer."""
        tenant_id = self.tenant.tenant_id
        while True:
            await streams.run(self.pool, tenant_id, stream_id)
            async with self.pool.acquire() as conn:
                body, _ = await streams.current(conn, tenant_id, stream_id)
            if body["stream"]["finish"]:
                return body
            await asyncio.sleep(poll)


async def run_forever(pool: asyncpg.Pool, slug: str, ws_url: str | None = None) -> None:
    runner = Runner(pool, slug, ws_url)
    await runner.start()
    try:
        await asyncio.Event().wait()
    finally:
        runner.stop()

"""``GET|POST /wecom/{tenant}/aibot``: WeChat Work's AI bot (智能机器人) callback.

GET is URL verification (decrypt ``echostr``; no database write, well inside WeChat Work's 1 s).
POST takes ``{"encrypt": …}``: size, JSON, timestamp and signature are checked before anything is
decrypted, and only a verified message reaches ``bot.aibot.service``. The answer is the encrypted
JSON envelope, or an empty body when there is nothing to say.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.background_tasks import BackgroundTask, BackgroundTasks
from litestar.datastructures import State

from backend.errors import Forbidden, NotFound
from backend.services import tenants
from bot.aibot import crypto, message, service, streams
from schemas.tenants import Tenant


async def config(db: asyncpg.Connection, slug: str) -> tuple[Tenant, dict[str, Any]]:
    """The tenant and its AI bot configuration (secrets included); 404 when it is not set up."""
    if len(slug) > 40:
        raise NotFound("no such tenant")
    tenant, cfg = await tenants.tenant_with_aibot(db, slug)
    if not cfg.get("token") or not cfg.get("encoding_aes_key"):
        raise NotFound("the AI bot is not set up for this tenant")
    return tenant, cfg


def after(answer: service.Answer, state: State, tenant: Tenant) -> BackgroundTasks | None:
    if not answer.streams:
        return None
    return BackgroundTasks([BackgroundTask(streams.run, state.pool, tenant.tenant_id, s) for s in answer.streams])


class AibotCallbackController(Controller):
    path = "/wecom/{tenant:str}/aibot"
    tags = ["chat"]

    @get(operation_id="aibotVerifyUrl", media_type=MediaType.TEXT)
    async def verify(
        self, db: asyncpg.Connection, tenant: str, msg_signature: str, timestamp: str, nonce: str, echostr: str
    ) -> str:
        """AI bot URL verification: check ``msg_signature`` and answer the decrypted ``echostr``."""
        _, cfg = await config(db, tenant)
        return crypto.verify_echo(cfg["token"], cfg["encoding_aes_key"], msg_signature, timestamp, nonce, echostr)

    @post(operation_id="aibotCallback", status_code=200, request_max_body_size=crypto.MAX_BODY)
    async def receive(
        self, request: Request, db: asyncpg.Connection, state: State, tenant: str, msg_signature: str,
        timestamp: str, nonce: str,
    ) -> Response[Any]:
        """An encrypted JSON message, event or stream refresh; the answer is an encrypted JSON reply."""
        t, cfg = await config(db, tenant)
        encrypted = crypto.parse_envelope(await request.body())
        data = crypto.decrypt(cfg["token"], cfg["encoding_aes_key"], encrypted, msg_signature, timestamp, nonce)
        msg = message.parse(data)
        if cfg.get("bot_id") and msg.aibotid and msg.aibotid != cfg["bot_id"]:
            raise Forbidden("message is for another bot")
        answer = await service.receive(db, t, msg, pool=state.pool)
        if answer.body is None:
            return Response("", media_type=MediaType.TEXT)
        envelope = crypto.encrypt(cfg["token"], cfg["encoding_aes_key"], answer.body)
        return Response(envelope, media_type=MediaType.JSON, background=after(answer, state, t))


ROUTES: list = [AibotCallbackController]

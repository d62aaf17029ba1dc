"""WeChat Work and Official Account callbacks (the chat assistant's entry points).

``GET|POST /wecom/{tenant}/callback``: the tenant's self-built WeChat Work app (URL verification,
encrypted messages, encrypted passive replies). ``GET|POST /wechat/{tenant}/callback``: the
tenant's Official Account, plain mode or safe (encrypted) mode. ``{tenant}`` is the tenant slug.
Checks come first (size, XML, signature, freshness, corp/app id); only a verified message reaches
``bot.dispatch``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.background_tasks import BackgroundTask, BackgroundTasks
from litestar.datastructures import State
from litestar.params import Parameter
from wechatpy.enterprise.replies import TextReply as WecomTextReply
from wechatpy.replies import TextReply as MpTextReply

from backend import clock
from backend.db.queries import queries
from backend.errors import Forbidden, Invalid, NotFound
from backend.services import tenants
from bot import crypto, dispatch, kb_answers, voice
from bot.inbound import MAX_TEXT, Inbound, from_xml
from bot.replies import fit
from schemas.tenants import Tenant


async def _tenant(db: asyncpg.Connection, slug: str) -> Tenant:
    if len(slug) > 40:
        raise NotFound("no such tenant")
    return await tenants.tenant_by_slug(db, slug)


async def _checked(db: asyncpg.Connection, slug: str, handle: Callable[[Tenant], Awaitable[Response[str]]]
                   ) -> Response[str]:
    """Handle a callback with the tenant's configuration from this process's cache (no round trip).

    A message that fails verification with the cached configuration is tried once more with it read
    afresh (the keys may have just changed); a message whose handling finds the cached configuration
    older than the database's (``tenants.StaleConfig``, checked in the round trip that starts the
    message) is handled again from the start with the fresh one.
    """
    if len(slug) > 40:
        raise NotFound("no such tenant")
    tenant = await tenants.cached_tenant_by_slug(db, slug)
    try:
        return await handle(tenant)
    except (Forbidden, Invalid, NotFound, tenants.StaleConfig):
        fresh = await tenants.reload_tenant(db, slug)
        if fresh is tenant:  # pragma: no cover - reload always makes a new object
            raise
    return await handle(fresh)


def _wecom_ready(tenant: Tenant) -> None:
    w = tenant.wecom
    if not (w.token and w.encoding_aes_key and w.corp_id):
        raise NotFound("WeChat Work is not set up for this tenant")


def _xml(body: str, background: BackgroundTasks | None = None) -> Response[str]:
    return Response(body, media_type=MediaType.XML, background=background)


def _empty() -> Response[str]:
    return Response("", media_type=MediaType.TEXT)


def _after(outcome: dispatch.Outcome, state: State, tenant: Tenant) -> BackgroundTasks | None:
    """Slow answers taken by this message start right after the response is sent."""
    if not outcome.deferred:
        return None
    return BackgroundTasks([
        BackgroundTask(kb_answers.run_deferred, state.pool, tenant_id=tenant.tenant_id, deferred_id=i)
        for i in outcome.deferred
    ])


class WecomCallbackController(Controller):
    path = "/wecom/{tenant:str}/callback"
    tags = ["chat"]

    @get(operation_id="wecomVerifyUrl", media_type=MediaType.TEXT)
    async def verify(
        self, db: asyncpg.Connection, tenant: str, msg_signature: str, timestamp: str, nonce: str, echostr: str
    ) -> str:
        """WeChat Work URL verification: check ``msg_signature`` and answer the decrypted ``echostr``."""
        t = await _tenant(db, tenant)
        _wecom_ready(t)
        cipher = crypto.wecom_crypto(t.wecom.token, t.wecom.encoding_aes_key, t.wecom.corp_id)
        return crypto.verify_echo(cipher, msg_signature, timestamp, nonce, echostr)

    @post(operation_id="wecomCallback", status_code=200, request_max_body_size=crypto.MAX_BODY)
    async def receive(
        self, request: Request, db: asyncpg.Connection, state: State, tenant: str, msg_signature: str,
        timestamp: str, nonce: str,
    ) -> Response[str]:
        """An encrypted message or event from a member; the answer is an encrypted passive reply."""
        envelope = crypto.parse_xml(await request.body())

        async def handle(t: Tenant) -> Response[str]:
            return await _wecom_message(t, envelope, db, state, msg_signature, timestamp, nonce)

        return await _checked(db, tenant, handle)


async def _wecom_message(t: Tenant, envelope: dict, db: asyncpg.Connection, state: State, msg_signature: str,
                         timestamp: str, nonce: str) -> Response[str]:
    _wecom_ready(t)
    cipher = crypto.wecom_crypto(t.wecom.token, t.wecom.encoding_aes_key, t.wecom.corp_id)
    data = crypto.decrypt(cipher, envelope, msg_signature, timestamp, nonce)
    inbound = from_xml("wecom", data)
    if inbound.to_user != t.wecom.corp_id:
        raise Forbidden("message is not for this corp")
    if t.wecom.agent_id and inbound.agent_id is not None and inbound.agent_id != t.wecom.agent_id:
        raise Forbidden("message is for another app")
    if inbound.msg_type == "voice" and not inbound.text and inbound.media_id and voice.configured():
        seen = await queries.bot_inbound_get(db, tenant_id=t.tenant_id, channel="wecom", msg_key=inbound.msg_key)
        words = None if seen is not None else await voice.transcribe(db, t, inbound.media_id)
        if words:
            inbound = msgspec.structs.replace(inbound, text=words[:MAX_TEXT])

    def answer(text: str | None) -> str | None:
        """The encrypted passive reply for ``text`` (rendered while the message's COMMIT is on its way)."""
        if text is None:
            return None
        reply = WecomTextReply(source=inbound.to_user, target=inbound.sender, content=fit(text),
                               agent=inbound.agent_id or t.wecom.agent_id, time=int(clock.now().timestamp()))
        return crypto.encrypt(cipher, reply.render())

    outcome = await dispatch.handle(db, t, inbound, pool=state.pool, prepare=answer)
    if outcome.reply is None:
        return _empty()
    body = outcome.prepared if outcome.prepared is not None else answer(outcome.reply)
    return _xml(body, _after(outcome, state, t))


class WechatMpCallbackController(Controller):
    path = "/wechat/{tenant:str}/callback"
    tags = ["chat"]

    @get(operation_id="wechatMpVerifyUrl", media_type=MediaType.TEXT)
    async def verify(
        self, db: asyncpg.Connection, tenant: str, signature: str, timestamp: str, nonce: str, echostr: str
    ) -> str:
        """Official Account URL verification: check ``signature`` and answer ``echostr`` as sent."""
        t = await _tenant(db, tenant)
        if not t.mp.token:
            raise NotFound("the Official Account is not set up for this tenant")
        crypto.verify_plain(t.mp.token, signature, timestamp, nonce)
        return echostr

    @post(operation_id="wechatMpCallback", status_code=200, request_max_body_size=crypto.MAX_BODY)
    async def receive(
        self, request: Request, db: asyncpg.Connection, state: State, tenant: str, signature: str,
        timestamp: str, nonce: str,
        encrypt_type: str | None = None,
        msg_signature: str | None = None,
        openid: str | None = Parameter(default=None, max_length=128),
    ) -> Response[str]:
        """A message from a follower: plain mode, or safe mode (``encrypt_type=aes``) with encrypted replies.

        A tenant with an EncodingAESKey configured takes safe-mode messages only.
        """
        envelope = crypto.parse_xml(await request.body())

        async def handle(t: Tenant) -> Response[str]:
            return await _mp_message(t, envelope, db, state, signature, timestamp, nonce, encrypt_type,
                                     msg_signature, openid)

        return await _checked(db, tenant, handle)


async def _mp_message(t: Tenant, envelope: dict, db: asyncpg.Connection, state: State, signature: str,
                      timestamp: str, nonce: str, encrypt_type: str | None, msg_signature: str | None,
                      openid: str | None) -> Response[str]:
    mp = t.mp
    if not mp.token:
        raise NotFound("the Official Account is not set up for this tenant")
    cipher = None
    if encrypt_type == "aes":
        if not (mp.encoding_aes_key and mp.appid):
            raise Forbidden("safe mode is not set up for this account")
        if not msg_signature:
            raise Forbidden("safe mode needs msg_signature")
        cipher = crypto.mp_crypto(mp.token, mp.encoding_aes_key, mp.appid)
        data = crypto.decrypt(cipher, envelope, msg_signature, timestamp, nonce)
    else:
        if mp.encoding_aes_key:
            raise Forbidden("this account takes encrypted (safe mode) messages only")
        crypto.verify_plain(mp.token, signature, timestamp, nonce)
        data = envelope
    inbound: Inbound = from_xml("mp", data)
    if openid and openid != inbound.sender:
        raise Forbidden("openid does not match the message")

    def answer(text: str | None) -> str | None:
        """The passive reply for ``text``, encrypted in safe mode (rendered while the COMMIT is on its way)."""
        if text is None:
            return None
        rendered = MpTextReply(source=inbound.to_user, target=inbound.sender, content=fit(text),
                               time=int(clock.now().timestamp())).render()
        return crypto.encrypt(cipher, rendered) if cipher is not None else rendered

    outcome = await dispatch.handle(db, t, inbound, pool=state.pool, prepare=answer)
    if outcome.reply is None:
        return _empty()
    body = outcome.prepared if outcome.prepared is not None else answer(outcome.reply)
    return _xml(body, _after(outcome, state, t))


ROUTES: list = [WecomCallbackController, WechatMpCallbackController]

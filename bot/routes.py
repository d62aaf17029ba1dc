"""WeChat Work and Official Account callbacks (the chat assistant's entry points).

``GET|POST /wecom/{tenant}/callback``: the tenant's self-built WeChat Work app (URL verification,
encrypted messages, encrypted passive replies). ``GET|POST /wechat/{tenant}/callback``: the
tenant's Official Account, plain mode or safe (encrypted) mode. ``{tenant}`` is the tenant slug.
Checks come first (size, XML, signature, freshness, corp/app id); only a verified message reaches
``bot.dispatch``.
"""

from __future__ import annotations

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
from backend.errors import Forbidden, NotFound
from backend.services import tenants
from bot import crypto, dispatch, kb_answers, voice
from bot.inbound import MAX_TEXT, Inbound, from_xml
from bot.replies import fit
from schemas.tenants import Tenant


async def _tenant(db: asyncpg.Connection, slug: str) -> Tenant:
    if len(slug) > 40:
        raise NotFound("no such tenant")
    return await tenants.tenant_by_slug(db, slug)


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
        t = await _tenant(db, tenant)
        _wecom_ready(t)
        envelope = crypto.parse_xml(await request.body())
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
        outcome = await dispatch.handle(db, t, inbound, pool=state.pool)
        if outcome.reply is None:
            return _empty()
        reply = WecomTextReply(source=inbound.to_user, target=inbound.sender, content=fit(outcome.reply),
                               agent=inbound.agent_id or t.wecom.agent_id, time=int(clock.now().timestamp()))
        return _xml(crypto.encrypt(cipher, reply.render()), _after(outcome, state, t))


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
        t = await _tenant(db, tenant)
        mp = t.mp
        if not mp.token:
            raise NotFound("the Official Account is not set up for this tenant")
        envelope = crypto.parse_xml(await request.body())
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
        outcome = await dispatch.handle(db, t, inbound, pool=state.pool)
        if outcome.reply is None:
            return _empty()
        reply = MpTextReply(source=inbound.to_user, target=inbound.sender, content=fit(outcome.reply),
                            time=int(clock.now().timestamp()))
        rendered = reply.render()
        background = _after(outcome, state, t)
        return _xml(crypto.encrypt(cipher, rendered) if cipher is not None else rendered, background)


ROUTES: list = [WecomCallbackController, WechatMpCallbackController]

"""Who sent a verified message, and doing what it asks exactly once.

Exactly once: the message key (MsgId, or sender + CreateTime for events) is inserted into
``inbound_messages`` in the same transaction as everything the message does, and the reply is
stored with it. A retry that arrives while the first attempt still runs waits on that key's
unique index until the first commits, then finds the key taken and gets the stored reply; if the
first attempt rolled back, the retry does the work. So a message acts at most once across any
number of processes, and a retry never acts a second time.

Unknown senders get a polite reply and nothing is written. Anything unexpected rolls the whole
message back and answers "please send it again" (the message did nothing, so it may be resent).
"""

from __future__ import annotations

import logging
import re

import asyncpg
import msgspec

from backend import clock
from backend.db.queries import queries
from backend.errors import RateLimited
from backend.services import binding, tenants
from bot import nudge_buttons
from bot.context import Ctx
from bot.conversation import converse
from bot.inbound import Inbound
from bot.replies import say
from schemas.tenants import Tenant
from schemas.users import Actor

log = logging.getLogger("tuoke.bot")

_BIND = re.compile(r"^\s*(?:绑定|綁定|bind)\s*[:：]?\s*(\d{6})\s*$", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")


class Outcome(msgspec.Struct, kw_only=True):
    reply: str | None = None  # None: answer WeChat with an empty body (no message to the user)
    deferred: list[int] = msgspec.field(default_factory=list)  # bot_deferred ids to run after commit
    replayed: bool = False  # a retry of a message already handled


async def identify(conn: asyncpg.Connection, tenant: Tenant, inbound: Inbound) -> Actor | None:
    if inbound.channel == "wecom":
        return await tenants.actor_for_wecom(conn, tenant.tenant_id, inbound.sender)
    user_id = await queries.bot_mp_user(conn, tenant_id=tenant.tenant_id, openid=inbound.sender)
    if user_id is None:
        return None
    return await tenants.actor_for_user(conn, tenant.tenant_id, user_id)


def _acts(inbound: Inbound) -> bool:
    """Does this message ask for anything (events other than button clicks and follows do not)."""
    if inbound.msg_type != "event":
        return True
    if inbound.event == "template_card_event":
        return nudge_buttons.is_nudge(inbound.event_key)
    return inbound.event == "subscribe"


def _guess_lang(text: str | None, default: str = "zh") -> str:
    if not text:
        return default
    return "zh" if _CJK.search(text) else "en"


async def handle(conn: asyncpg.Connection, tenant: Tenant, inbound: Inbound, *,
                 pool: asyncpg.Pool | None = None) -> Outcome:
    if not _acts(inbound):
        return Outcome()
    actor = await identify(conn, tenant, inbound)
    if actor is None:
        return await _stranger(conn, tenant, inbound)
    lang = _guess_lang(inbound.text, actor.lang)
    if inbound.msg_type not in ("text", "voice", "event"):
        return Outcome(reply=say("unsupported", actor.lang))
    if inbound.msg_type in ("text", "voice") and not inbound.text:
        return Outcome(reply=say("voice_empty" if inbound.msg_type == "voice" else "unknown", actor.lang))
    ctx = Ctx(conn=conn, tenant=tenant, actor=actor, msg_key=inbound.msg_key, channel=inbound.channel,
              text=inbound.text or "", lang=lang, pool=pool)
    key = {"tenant_id": tenant.tenant_id, "channel": inbound.channel, "msg_key": inbound.msg_key}
    try:
        async with conn.transaction():
            if await queries.bot_inbound_claim(conn, **key, now=clock.now()) is None:
                row = await queries.bot_inbound_get(conn, **key)
                return Outcome(reply=row["reply"] if row else None, replayed=True)
            await queries.bot_user_lock(conn, tenant_id=tenant.tenant_id, user_id=actor.user_id)
            reply = await _respond(ctx, inbound)
            await queries.bot_inbound_set_reply(conn, **key, reply=reply)
    except Exception:  # nothing of this message stays written; WeChat gets an apology, not a 500
        log.exception("message %s of tenant %s failed", inbound.msg_key, tenant.slug)
        return Outcome(reply=say("busy", ctx.lang))
    return Outcome(reply=reply, deferred=list(ctx.deferred))


async def _respond(ctx: Ctx, inbound: Inbound) -> str | None:
    if inbound.msg_type == "event":
        if inbound.event == "template_card_event":
            return await nudge_buttons.handle(ctx, inbound.event_key or "", response_code=inbound.response_code)
        return say("help", ctx.lang)  # subscribe: how to use the bot
    return await converse(ctx, inbound.text or "")


async def _stranger(conn: asyncpg.Connection, tenant: Tenant, inbound: Inbound) -> Outcome:
    """An unknown sender: a polite answer and nothing written (an Official Account follower may bind)."""
    lang = _guess_lang(inbound.text)
    if inbound.channel == "wecom":
        return Outcome(reply=say("not_registered", lang))
    match = _BIND.match(inbound.text or "")
    if not match:
        return Outcome(reply=say("not_registered_mp", lang))
    key = {"tenant_id": tenant.tenant_id, "channel": inbound.channel, "msg_key": inbound.msg_key}
    try:
        await binding.throttle(conn, tenant.tenant_id, who=f"mp:{inbound.sender}", ip=None)
    except RateLimited:
        return Outcome(reply="尝试次数太多，请 10 分钟后再试。" if lang == "zh" else "Too many tries; try again in 10 minutes.")
    try:
        async with conn.transaction():
            if await queries.bot_inbound_claim(conn, **key, now=clock.now()) is None:
                row = await queries.bot_inbound_get(conn, **key)
                return Outcome(reply=row["reply"] if row else None, replayed=True)
            user_id = await queries.bind_code_take(conn, tenant_id=tenant.tenant_id, code=match[1], now=clock.now())
            if user_id is None:
                raise _Refused(say("mp_bind_bad", lang))  # a wrong code writes nothing: roll the claim back
            await queries.bot_mp_bind(conn, tenant_id=tenant.tenant_id, openid=inbound.sender, user_id=user_id,
                                      now=clock.now())
            actor = await tenants.actor_for_user(conn, tenant.tenant_id, user_id)
            reply = say("mp_bound", lang, name=actor.name)
            await queries.bot_inbound_set_reply(conn, **key, reply=reply)
    except _Refused as refused:
        return Outcome(reply=refused.reply)
    return Outcome(reply=reply)


class _Refused(Exception):
    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply

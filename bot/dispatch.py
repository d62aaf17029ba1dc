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

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Any, Protocol

import asyncpg
import msgspec

from backend import clock
from backend.db.queries import queries
from backend.errors import RateLimited
from backend.services import binding, tenants
from bot import commands, confirm, nudge_buttons
from bot.context import Ctx, MessageConnection, NeedSavepoints
from bot.conversation import converse, on_button
from bot.inbound import Inbound
from bot.intents import StageAlias, parse
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
    prepared: Any = None  # what handle's ``prepare`` made of ``reply`` while its COMMIT was on the way


class Hooks(Protocol):
    """What a channel adds around the conversation, inside the message's transaction (the AI bot)."""

    async def before(self, ctx: Ctx) -> str | None:
        """After the claim and the rep's lock: a final reply to skip the conversation, or None."""

    async def render(self, ctx: Ctx, reply: str | None) -> str | None:
        """The reply as the channel answers it (and as a retry gets it back)."""


async def identify(conn: asyncpg.Connection, tenant: Tenant, inbound: Inbound) -> Actor | None:
    if inbound.channel in ("wecom", "aibot"):
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
        if commands.is_button(inbound.event_key):  # the pool warning's 保留 / 放回公海
            return True
        return nudge_buttons.is_nudge(inbound.event_key) or confirm.is_confirm_key(inbound.event_key)
    return inbound.event == "subscribe"


def _guess_lang(text: str | None, default: str = "zh") -> str:
    if not text:
        return default
    return "zh" if _CJK.search(text) else "en"


# The rep's pending question as bot.state reads it (bot_pending_get); bot_message_begin reads the same
# row after the rep's lock, so that read is answered without a round trip. Should the query change,
# the prime no longer matches and the read goes to the database as before.
_PENDING_READ = ("SELECT kind, parsed, options, lang, created_at, expires_at FROM bot_pending "
                 "WHERE tenant_id = $1 AND user_id = $2 AND expires_at > $3;")
# The rep's pool_chat row as bot.commands.pool reads it (pool_chat_get), read by bot_message_begin too
# (migration 0015): every message asks whether a 保留 waits for its reason.
_POOL_CHAT_READ = ("SELECT listed, listed_at, keep_deal_id, keep_until FROM pool_chat "
                   "WHERE tenant_id = $1 AND user_id = $2;")


async def handle(conn: asyncpg.Connection, tenant: Tenant, inbound: Inbound, *,
                 pool: asyncpg.Pool | None = None, hooks: Hooks | None = None,
                 prepare: Callable[[str | None], Any] | None = None) -> Outcome:
    """Handle one verified message exactly once; the Outcome's ``reply`` is what to answer.

    ``prepare(reply)`` (optional, CPU only: the channel's rendering and encryption of its answer) is
    called while the message's COMMIT is on its way to PostgreSQL, so that the work overlaps the
    wait for the WAL flush instead of following it; its result is the Outcome's ``prepared`` when
    the COMMIT then succeeds (an Outcome without ``prepared`` is rendered by the caller as before).
    """
    if not _acts(inbound):
        return Outcome()
    if inbound.msg_type not in ("text", "voice", "event") or (inbound.msg_type != "event" and not inbound.text):
        return await _unactionable(conn, tenant, inbound)
    try:
        return await _attempt(conn, tenant, inbound, pool, hooks, careful=False, prepare=prepare)
    except NeedSavepoints:  # an error inside a savepoint after it wrote: again, with real savepoints
        return await _attempt(conn, tenant, inbound, pool, hooks, careful=True, prepare=prepare)


async def _attempt(conn: asyncpg.Connection, tenant: Tenant, inbound: Inbound, pool: asyncpg.Pool | None,
                   hooks: Hooks | None, *, careful: bool,
                   prepare: Callable[[str | None], Any] | None = None) -> Outcome:
    key = {"tenant_id": tenant.tenant_id, "channel": inbound.channel, "msg_key": inbound.msg_key}
    # One round trip starts the message: sender, the rep's lock, the key, the config version, pending.
    await conn.execute("BEGIN")
    try:
        # The text is parsed while the begin call is at PostgreSQL (CPU overlapping the wait), with the
        # stages this process has cached for the tenant; understand() uses it only if it would parse
        # the same text with the same stages (what the call then confirms), else it parses again.
        begin = asyncio.ensure_future(queries.bot_message_begin(conn, **key, sender=inbound.sender, now=clock.now()))
        try:
            await asyncio.sleep(0)  # the task sends the call
            parsed_early = _parse_early(tenant, inbound)
        finally:
            row = await begin
        _check_config(tenant, row["config_version"])
    except BaseException:
        await _rollback(conn)
        raise
    if row["user_id"] is None:
        await _rollback(conn)
        return await _stranger(conn, tenant, inbound)
    if not row["claimed"]:
        await _rollback(conn)
        return Outcome(reply=row["reply"], replayed=True)
    actor = Actor(tenant_id=tenant.tenant_id, user_id=row["user_id"], role=row["role"], team_id=row["team_id"],
                  name=row["name"], lang=row["lang"], wecom_userid=row["wecom_userid"])
    message_conn = MessageConnection(conn, careful=careful)
    if queries.bot_pending_get.sql.split() == _PENDING_READ.split():
        pending = None if row["pending_kind"] is None else {
            "kind": row["pending_kind"], "parsed": row["pending_parsed"], "options": row["pending_options"],
            "lang": row["pending_lang"], "created_at": row["pending_created_at"],
            "expires_at": row["pending_expires_at"]}
        message_conn.prime(_PENDING_READ, (tenant.tenant_id, actor.user_id), pending)
    if queries.pool_chat_get.sql.split() == _POOL_CHAT_READ.split():
        pool_chat = None if not row["pool_found"] else {
            "listed": row["pool_listed"], "listed_at": row["pool_listed_at"],
            "keep_deal_id": row["pool_keep_deal_id"], "keep_until": row["pool_keep_until"]}
        message_conn.prime(_POOL_CHAT_READ, (tenant.tenant_id, actor.user_id), pool_chat)
    ctx = Ctx(conn=message_conn, tenant=tenant, actor=actor, msg_key=inbound.msg_key,
              channel=inbound.channel, text=inbound.text or "", lang=_guess_lang(inbound.text, actor.lang), pool=pool,
              early=parsed_early)
    checked = tenants.config_checked(tenant.tenant_id, row["config_version"])
    try:
        early = await hooks.before(ctx) if hooks is not None else None
        if early is not None:
            reply = early
        else:
            reply = await _respond(ctx, inbound)
            if hooks is not None:
                reply = await hooks.render(ctx, reply)
        prepared = await _finish_preparing(conn, key, reply, message_conn.wrote, prepare)
    except Exception:  # nothing of this message stays written; WeChat gets an apology, not a 500
        log.exception("message %s of tenant %s failed", inbound.msg_key, tenant.slug)
        await _rollback(conn)
        return Outcome(reply=say("busy", ctx.lang))
    except BaseException:
        await _rollback(conn)
        raise
    finally:
        tenants.config_unchecked(checked)
    return Outcome(reply=reply, deferred=list(ctx.deferred), prepared=prepared)


async def _finish_preparing(conn: asyncpg.Connection, key: dict, reply: str | None, durable: bool,
                            prepare: Callable[[str | None], Any] | None) -> Any:
    """``_finish``, with ``prepare(reply)`` run while the COMMIT is in flight (see ``handle``): the
    statement is sent first (one turn of the event loop lets the task write it), then the CPU work,
    then the wait for PostgreSQL's answer. A failed COMMIT raises here as before, and what was
    prepared is dropped; a ``prepare`` that fails leaves the rendering to the caller."""
    if prepare is None:
        await _finish(conn, key, reply, durable=durable)
        return None
    commit = asyncio.ensure_future(_finish(conn, key, reply, durable=durable))
    prepared = None
    try:
        await asyncio.sleep(0)  # the task sends the reply's UPDATE and COMMIT
        try:
            prepared = prepare(reply)
        except Exception:  # the caller renders it itself, after the commit
            log.warning("preparing the reply of message %s failed; rendered after the commit", key["msg_key"],
                        exc_info=True)
    finally:
        await commit
    return prepared


class EarlyParse(msgspec.Struct, frozen=True):
    """A message's text parsed ahead (``_parse_early``), with what it was parsed with."""

    text: str
    tz: str
    stages: list[StageAlias]
    now: Any
    parsed: Any

    def same(self, text: str, tz: str, stages: list[StageAlias]) -> bool:
        return text == self.text and tz == self.tz and stages == self.stages


def _parse_early(tenant: Tenant, inbound: Inbound) -> EarlyParse | None:
    """The text parsed with the tenant's likely stages (None: an event, or no stages cached yet)."""
    if inbound.msg_type == "event" or not inbound.text:
        return None
    cached = tenants.likely_stages(tenant.tenant_id)
    if cached is None:
        return None
    stages = [StageAlias(s.key, s.name_zh, list(s.aliases)) for s in cached.values()]
    now = clock.now()
    try:
        parsed = parse(inbound.text, now=now, tz=tenant.timezone, stages=stages)
    except Exception:  # understand() parses it again, and says so if it fails
        return None
    return EarlyParse(text=inbound.text, tz=tenant.timezone, stages=stages, now=now, parsed=parsed)


async def _rollback(conn: asyncpg.Connection) -> None:
    if not conn.is_closed() and conn.is_in_transaction():
        await conn.execute("ROLLBACK")


def _check_config(tenant: Tenant, version: int | None) -> None:
    """The tenant this process cached must still be the database's: else drop it and start over."""
    if version is None:
        tenants.forget_tenant(tenant.tenant_id)
        raise tenants.StaleConfig(tenant.slug)
    cached = tenants.cached_version(tenant.tenant_id)
    if cached is not None and cached != version:
        tenants.forget_tenant(tenant.tenant_id)
        raise tenants.StaleConfig(tenant.slug)


async def _finish(conn: asyncpg.Connection, key: dict, reply: str | None, *, durable: bool = True) -> None:
    """Store the reply with the key and commit, in one round trip (one simple query: the values
    go in as SQL literals, which is exact with standard_conforming_strings, the default since 9.1).

    ``durable=False``: the message changed nothing but its key and reply (a list, a question, help —
    ``MessageConnection.wrote``), so its commit does not wait for the WAL flush (PostgreSQL's
    ``synchronous_commit = off`` for this transaction only: no risk to consistency, and a flush
    follows within a fraction of a second). Were the database to crash in between, what is lost is
    that the message was answered: a retry of it is answered again, and it had done nothing else.
    Every message that wrote anything else commits as always.
    """
    if conn.get_settings().standard_conforming_strings != "on":
        await queries.bot_inbound_set_reply(conn, **key, reply=reply)
        await conn.execute("COMMIT")
        return
    await conn.execute(
        ("" if durable else "SET LOCAL synchronous_commit TO off; ")
        + f"UPDATE inbound_messages SET reply = {_literal(reply)} WHERE tenant_id = {int(key['tenant_id'])}"
        f" AND channel = {_literal(key['channel'])} AND msg_key = {_literal(key['msg_key'])}; COMMIT"
    )


def _literal(value: str | None) -> str:
    if value is None:
        return "NULL"
    return "'" + value.replace("\x00", "").replace("'", "''") + "'"


async def _unactionable(conn: asyncpg.Connection, tenant: Tenant, inbound: Inbound) -> Outcome:
    """A message type the bot does not read, or an empty text / voice: say so, write nothing."""
    actor = await identify(conn, tenant, inbound)
    if actor is None:
        return await _stranger(conn, tenant, inbound)
    if inbound.msg_type not in ("text", "voice", "event"):
        return Outcome(reply=say("unsupported", actor.lang))
    if inbound.msg_type == "voice":  # the self-built app's voice without words: how to send it
        done = await queries.bot_inbound_get(conn, tenant_id=tenant.tenant_id, channel=inbound.channel,
                                             msg_key=inbound.msg_key)
        if done is not None:  # a retry of a voice message transcribed the first time
            return Outcome(reply=done["reply"], replayed=True)
        return Outcome(reply=say("voice_how" if inbound.media_id else "voice_empty", actor.lang))
    return Outcome(reply=say("unknown", actor.lang))


async def _respond(ctx: Ctx, inbound: Inbound) -> str | None:
    if inbound.msg_type == "event":
        if inbound.event == "template_card_event" and confirm.is_confirm_key(inbound.event_key):
            return await on_button(ctx, inbound.event_key or "", response_code=inbound.response_code)
        if inbound.event == "template_card_event" and commands.is_button(inbound.event_key):
            return await commands.on_button(ctx, inbound.event_key or "", response_code=inbound.response_code)
        if inbound.event == "template_card_event":
            return await nudge_buttons.handle(ctx, inbound.event_key or "", response_code=inbound.response_code)
        return say("help", ctx.lang)  # subscribe: how to use the bot
    return await converse(ctx, inbound.text or "")


async def _stranger(conn: asyncpg.Connection, tenant: Tenant, inbound: Inbound) -> Outcome:
    """An unknown sender: a polite answer and nothing written (an Official Account follower may bind)."""
    lang = _guess_lang(inbound.text)
    if inbound.channel in ("wecom", "aibot"):
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

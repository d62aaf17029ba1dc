"""One AI bot message → the passive reply body; shared by the callback route and ``tuoke aibot``.

Messages that ask for something (text, voice transcript, mixed, a card tap) go through
``bot.dispatch.handle`` — the same identify → claim once → converse → reply path as the
self-built app — with ``Hooks`` that speak this channel inside the message's transaction: slow
answers become streams, an open question becomes a button card, a tap answers it and updates
the card. The body stored with the claim is the JSON reply itself, so a retry of the same msgid
gets the same reply and acts on nothing. Reads (stream refreshes, enter_chat greetings,
images and files) claim nothing and write nothing.

Group chats: the bot answers only the rep who @-mentioned it, and only what is not theirs to keep
private (knowledge questions, help); anything about their deals is sent back to the one-to-one
chat, and nothing is written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import msgspec

from backend import clock
from backend.db.queries import queries
from backend.services import tenants
from bot import actions, dispatch, state
from bot.aibot import cards, streams
from bot.aibot.message import AibotMessage
from bot.aibot.texts import t
from bot.context import Ctx
from bot.conversation import understand
from bot.inbound import Inbound
from bot.replies import say
from schemas.tenants import Tenant

log = logging.getLogger("tuoke.bot.aibot")

GROUP_INTENTS = frozenset({"search_kb", "help"})  # what a group may see answered


@dataclass
class Answer:
    body: dict[str, Any] | None  # the passive reply (None: an empty response)
    streams: list[str] = field(default_factory=list)  # stream ids to work on after responding
    kind: str = "reply"  # reply | welcome | update (the long connection answers each with its own cmd)


def _json(body: dict[str, Any]) -> str:
    return msgspec.json.encode(body).decode()


def as_body(reply: str | None) -> dict[str, Any] | None:
    """A stored reply back as a body: this channel's JSON, or plain text (a refusal) as a finished stream."""
    if reply is None:
        return None
    if reply.startswith("{"):
        try:
            data = msgspec.json.decode(reply)
        except msgspec.DecodeError:
            data = None
        if isinstance(data, dict) and ("msgtype" in data or "response_type" in data):
            return data
    return streams.body(streams.new_id(), reply, True)


class Hooks:
    """This channel's part of one message, inside ``dispatch.handle``'s transaction."""

    def __init__(self, msg: AibotMessage, tap: tuple[int, str] | None = None) -> None:
        self.msg = msg
        self.tap = tap
        self.ctx: Ctx | None = None
        self.stream_id: str | None = None
        self.card_row: Any = None

    async def _later(self, kind: str, payload: dict[str, Any], placeholder: str) -> str:
        assert self.ctx is not None
        stream_id = await streams.keep(self.ctx, kind, payload, placeholder)
        if stream_id is None:
            return t("in_flight", self.ctx.lang, n=streams.MAX_IN_FLIGHT)
        self.stream_id = stream_id
        return placeholder

    async def before(self, ctx: Ctx) -> str | None:
        self.ctx = ctx
        ctx.later = self._later
        if self.tap is not None:
            return await self._tap_before(ctx)
        if self.msg.in_group:
            parsed = await understand(ctx, ctx.text)
            ctx.lang = parsed.lang
            if parsed.intent not in GROUP_INTENTS:
                return _json(streams.body(streams.new_id(), t("group_private", ctx.lang), True))
            return await self.render(ctx, await actions.act(ctx, parsed))  # the open question stays as it is
        return None

    async def render(self, ctx: Ctx, reply: str | None) -> str | None:
        if self.tap is not None:
            return await self._tap_render(ctx, reply)
        reply = reply or ""
        if self.stream_id is not None:  # a slow answer: its refreshes finish it; the rep may rate it
            return _json(streams.body(self.stream_id, reply, False, feedback=True))
        if not self.msg.in_group:
            pending = await state.get(ctx.conn, ctx.actor)  # only this message can have left it open
            q = await cards.question(ctx, pending, reply, 1) if pending is not None else None
            if q is not None:
                task_id = streams.new_id("t")
                await queries.aibot_card_insert(ctx.conn, tenant_id=ctx.tenant.tenant_id, task_id=task_id,
                                                user_id=ctx.actor.user_id, question=q, now=clock.now())
                return _json({"msgtype": "template_card", "template_card": cards.card(task_id, q)})
        return _json(streams.body(streams.new_id(), reply, True))

    # -- taps ----------------------------------------------------------------------------------

    async def _tap_before(self, ctx: Ctx) -> str | None:
        assert self.tap is not None
        step, choice = self.tap
        row = await queries.aibot_card_lock(ctx.conn, tenant_id=ctx.tenant.tenant_id, task_id=self.msg.task_id)
        if row is None:
            return _json({"response_type": "none"})
        q = row["question"]
        if row["user_id"] != ctx.actor.user_id:
            return _json(cards.update(cards.done_card(self.msg.task_id, q, t("not_yours", ctx.lang), stale=True),
                                      self.msg.userid))
        if row["acted_at"] is not None or step != q.get("step") or choice == "done":
            result = row["result"] or t("stale", q.get("lang", ctx.lang))
            return _json(cards.update(cards.done_card(self.msg.task_id, q, result), self.msg.userid))
        valid = {key for key, _ in q.get("buttons", [])}
        pending = await state.get(ctx.conn, ctx.actor)
        if choice not in valid or not cards.matches(pending, q):
            result = t("stale", q.get("lang", ctx.lang))
            await queries.aibot_card_acted(ctx.conn, tenant_id=ctx.tenant.tenant_id, task_id=self.msg.task_id,
                                           now=clock.now(), result=result, question=None)
            return _json(cards.update(cards.done_card(self.msg.task_id, q, result, stale=True), self.msg.userid))
        ctx.lang = q.get("lang", ctx.lang)
        self.card_row = row
        return None

    async def _tap_render(self, ctx: Ctx, reply: str | None) -> str:
        q = self.card_row["question"]
        result = reply or ""
        pending = await state.get(ctx.conn, ctx.actor)
        nxt = await cards.question(ctx, pending, result, int(q["step"]) + 1) if pending is not None else None
        if nxt is not None:  # the answer led to another question: the same card asks it
            await queries.aibot_card_reopen(ctx.conn, tenant_id=ctx.tenant.tenant_id, task_id=self.msg.task_id,
                                            question=nxt)
            return _json(cards.update(cards.card(self.msg.task_id, nxt), self.msg.userid))
        await queries.aibot_card_acted(ctx.conn, tenant_id=ctx.tenant.tenant_id, task_id=self.msg.task_id,
                                       now=clock.now(), result=result, question=None)
        return _json(cards.update(cards.done_card(self.msg.task_id, q, result), self.msg.userid))


def _inbound(msg: AibotMessage, text: str, msg_type: str = "text") -> Inbound:
    return Inbound(channel="aibot", sender=msg.userid, to_user=msg.aibotid, msg_type=msg_type, text=text,
                   msg_key=msg.msg_key)


async def receive(conn: asyncpg.Connection, tenant: Tenant, msg: AibotMessage, *,
                  pool: asyncpg.Pool | None = None) -> Answer:
    """The reply to one AI bot message (the callback encrypts it; the long connection sends it)."""
    kind = msg.msgtype
    if kind == "stream":
        actor = await tenants.actor_for_wecom(conn, tenant.tenant_id, msg.userid)
        if actor is None:
            return Answer(None)
        body, stalled = await streams.refresh(conn, tenant.tenant_id, actor.user_id, msg.stream_id, actor.lang)
        return Answer(body, [msg.stream_id] if stalled else [])
    if kind == "event":
        return await _event(conn, tenant, msg, pool)
    if kind in ("text", "voice", "mixed"):
        hooks = Hooks(msg)
        outcome = await dispatch.handle(conn, tenant, _inbound(msg, msg.text, "voice" if kind == "voice" else "text"),
                                        pool=pool, hooks=hooks)
        body = as_body(outcome.reply)
        started = [hooks.stream_id] if hooks.stream_id and not outcome.replayed else []
        return Answer(body, started)
    actor = await tenants.actor_for_wecom(conn, tenant.tenant_id, msg.userid)
    lang = actor.lang if actor else "zh"
    if actor is None:
        return Answer(streams.body(streams.new_id(), say("not_registered", lang), True))
    key = "media" if kind in ("image", "file") else "unsupported"
    return Answer(streams.body(streams.new_id(), t(key, lang), True))


async def _event(conn: asyncpg.Connection, tenant: Tenant, msg: AibotMessage, pool: asyncpg.Pool | None) -> Answer:
    if msg.event == "enter_chat":
        actor = await tenants.actor_for_wecom(conn, tenant.tenant_id, msg.userid)
        if actor is None:
            text = say("not_registered", "zh")
        else:
            text = t("welcome", actor.lang, name=actor.name) + "\n" + say("help", actor.lang)
        return Answer({"msgtype": "text", "text": {"content": text}}, kind="welcome")
    if msg.event == "template_card_event":
        tap = cards.parse_key(msg.event_key)
        if tap is None or not msg.task_id:
            return Answer(None)
        step, choice = tap
        actor = await tenants.actor_for_wecom(conn, tenant.tenant_id, msg.userid)
        if actor is None:
            return Answer(None)
        text = cards.answer_text(choice, actor.lang)
        hooks = Hooks(msg, tap)
        outcome = await dispatch.handle(conn, tenant, _inbound(msg, text), pool=pool, hooks=hooks)
        body = as_body(outcome.reply)
        if body is not None and body.get("response_type") == "none":
            body = None
        if body is not None and "response_type" not in body:
            body = None  # a refusal as text cannot update a card; the rep may tap again
        started = [hooks.stream_id] if hooks.stream_id and not outcome.replayed else []
        return Answer(body, started, kind="update")
    if msg.event == "feedback_event":
        log.info("feedback from %s on %s: %s", msg.userid, tenant.slug, msg.feedback)
    return Answer(None)

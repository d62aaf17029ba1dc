"""One message from a known rep: answer the pending question if it is an answer, else understand the
message (``bot.intents.parse``), ask first when the parser is unsure, and act."""

from __future__ import annotations

import re

import msgspec

from backend import clock
from bot import actions, commands, finder, state
from bot.context import Ctx
from bot.intents import StageAlias, parse
from bot.replies import say
from schemas.intents import ParsedMessage

LOW_CONFIDENCE = 0.5  # below this a write is confirmed first, even without a parser question

_YES = re.compile(r"^(是|是的|是啊|对|对的|对啊|好|好的|确认|没错|嗯|嗯嗯|可以|行|ok|okay|yes|y|yep|sure|right|correct|go|goahead)$",
                  re.IGNORECASE)
_NO = re.compile(r"^(不|不是|不对|否|取消|算了|不用了?|no|n|nope|cancel|stop)$", re.IGNORECASE)


async def converse(ctx: Ctx, text: str) -> str:
    pending = await state.get(ctx.conn, ctx.actor)
    if pending is not None:
        reply = await _answer(ctx, pending, text)
        if reply is not None:
            return reply
    reply = await commands.respond(ctx, text)  # 公海 and the manager's questions (bot/commands/)
    if reply is not None:
        if pending is not None:
            await state.clear(ctx.conn, ctx.actor)
        return reply
    parsed = await understand(ctx, text)
    ctx.lang = parsed.lang
    if pending is not None:
        await state.clear(ctx.conn, ctx.actor)  # a new request replaces the open question
    if parsed.intent in actions.WRITE_INTENTS and (parsed.clarify or parsed.confidence < LOW_CONFIDENCE):
        return await _ask_confirm(ctx, parsed)
    return await actions.act(ctx, parsed)


async def understand(ctx: Ctx, text: str) -> ParsedMessage:
    stages = [StageAlias(s.key, s.name_zh, list(s.aliases)) for s in (await ctx.stages()).values()]
    return parse(text, now=clock.now(), tz=ctx.tenant.timezone, stages=stages)


async def _ask_confirm(ctx: Ctx, parsed: ParsedMessage) -> str:
    await state.put(ctx.conn, ctx.actor, "confirm", parsed, ctx.text, ctx.lang)
    question = parsed.clarify or say("confirm_default", ctx.lang,
                                     summary=actions.describe(parsed, ctx.lang, await ctx.stage_names()))
    return say("confirm", ctx.lang, question=question)


def _word(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text.strip().lower())


async def _answer(ctx: Ctx, pending: state.Pending, text: str) -> str | None:
    """The reply when ``text`` answers the pending question; None when it is a new request."""
    ctx.lang = pending.lang
    word = _word(text)
    if _NO.match(word):
        await state.clear(ctx.conn, ctx.actor)
        return say("cancelled", ctx.lang)
    if pending.kind == "pick_deal":
        rows = [r for r in [await actions.deal_by_id(ctx, i) for i in pending.options] if r is not None]
        chosen = finder.pick(text, rows)
        if chosen is None:
            return None
        await state.clear(ctx.conn, ctx.actor)
        ctx.text = pending.text
        return await actions.act(ctx, pending.parsed, chosen)
    if pending.kind == "confirm":
        if _YES.match(word):
            await state.clear(ctx.conn, ctx.actor)
            ctx.text = pending.text
            return await actions.act(ctx, msgspec.structs.replace(pending.parsed, clarify=None))
        # An answer to the question itself ("120万", "是谈判"): read it together with the message; it
        # settles the question when the parser is now sure, or when it added what was missing.
        combined = await understand(ctx, f"{pending.text}，{text}")
        before, after = set(pending.parsed.to_expect()), set(combined.to_expect())
        if combined.intent == pending.parsed.intent and (not combined.clarify or before < after):
            await state.clear(ctx.conn, ctx.actor)
            ctx.text = pending.text
            return await actions.act(ctx, combined)
        return None
    if pending.kind == "need_company":
        fresh = await understand(ctx, text)
        if fresh.intent != "unknown" or not word:
            return None
        await state.clear(ctx.conn, ctx.actor)
        ctx.text = pending.text
        company = text.strip().strip("。.,，!！")[:100]
        return await actions.act(ctx, msgspec.structs.replace(pending.parsed, company=company))
    return None

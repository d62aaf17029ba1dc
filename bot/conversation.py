"""One message from a known rep: answer the pending question if it is an answer, else understand the
message (``bot.intents.parse``, and the optional LLM when the parser is unsure) and act — where
``bot.actions.act`` asks first (``bot.confirm``) before a consequential or unsure write.

A pending confirmation is answered by "1" / "是" (write it), "2" / "取消" (drop it), a correction
(read together with the first message), or a card button (``on_button``); anything else is a new
request and replaces it. An expired one, answered, says so and writes nothing.
"""

from __future__ import annotations

import re
import unicodedata

import msgspec

from backend import clock
from backend.services import outbox
from bot import actions, commands, confirm, finder, llm, state
from bot.context import Ctx
from bot.intents import StageAlias, parse
from bot.replies import say
from schemas.intents import ParsedMessage

_YES = re.compile(r"^(1|是|是的|是啊|对|对的|对啊|好|好的|确认|确定|没错|嗯|嗯嗯|可以|行|ok|okay|yes|y|yep|sure|right|correct|"
                  r"confirm|go|goahead)$", re.IGNORECASE)
_NO = re.compile(r"^(不|不是|不对|否|取消|算了|不用了?|no|n|nope|cancel|stop)$", re.IGNORECASE)


async def converse(ctx: Ctx, text: str) -> str:
    pending = await state.get(ctx.conn, ctx.actor, include_expired=True)
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
    return await actions.act(ctx, parsed)


async def understand(ctx: Ctx, text: str) -> ParsedMessage:
    """The built-in parser's reading; when it is unsure and an LLM is configured, the LLM's (if valid)."""
    stages = [StageAlias(s.key, s.name_zh, list(s.aliases)) for s in (await ctx.stages()).values()]
    early, ctx.early = ctx.early, None
    if early is not None and early.same(text, ctx.tenant.timezone, stages):
        now, parsed = early.now, early.parsed  # parsed ahead, from the same text and stages (bot.dispatch)
    else:
        now = clock.now()
        parsed = parse(text, now=now, tz=ctx.tenant.timezone, stages=stages)
    if parsed.confidence < confirm.threshold() and llm.enabled():
        better = await llm.refine(text, parsed, now=now, tz=ctx.tenant.timezone, stages=list(await ctx.stages()))
        if better is not None:
            return better
    return parsed


def _word(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", text).strip().lower())


def _minutes() -> str:
    return f"{confirm.ttl_minutes():g}"


async def _answer(ctx: Ctx, pending: state.Pending, text: str) -> str | None:
    """The reply when ``text`` answers the pending question; None when it is a new request."""
    ctx.lang = pending.lang
    word = _word(text)
    if pending.kind == "confirm":
        return await _answer_confirm(ctx, pending, text, word)
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
    if pending.kind == "need_company":
        fresh = await understand(ctx, text)
        if fresh.intent != "unknown" or not word:
            return None
        await state.clear(ctx.conn, ctx.actor)
        ctx.text = pending.text
        company = text.strip().strip("。.,，!！")[:100]
        return await actions.act(ctx, msgspec.structs.replace(pending.parsed, company=company))
    return None


async def _answer_confirm(ctx: Ctx, pending: state.Pending, text: str, word: str) -> str | None:
    yes, no = bool(_YES.match(word)), bool(word == "2" or _NO.match(word))
    if pending.expired:
        await state.clear(ctx.conn, ctx.actor)
        return confirm.text("expired", ctx.lang, minutes=_minutes()) if yes or no else None
    if no:
        await state.clear(ctx.conn, ctx.actor)
        return confirm.text("cancelled", ctx.lang)
    if yes:
        await state.clear(ctx.conn, ctx.actor)
        return await _carry_out(ctx, pending)
    if not pending.parsed.clarify:
        return None
    # An answer to the parser's question ("120万", "是谈判"): read it together with the message; it
    # settles the question when the parser is now sure, or when it added what was missing. The rep
    # has answered about the message itself; what the database shows (a duplicate …) is still asked.
    combined = await understand(ctx, f"{pending.text}，{text}")
    before, after = set(pending.parsed.to_expect()), set(combined.to_expect())
    if combined.intent == pending.parsed.intent and (not combined.clarify or before < after):
        await state.clear(ctx.conn, ctx.actor)
        ctx.text = pending.text
        deal = await actions.deal_by_id(ctx, pending.deal_id) if pending.deal_id is not None else None
        return await actions.act(ctx, msgspec.structs.replace(combined, clarify=None), deal,
                                 confirmed=confirm.PARSE_REASONS)
    return None


async def _carry_out(ctx: Ctx, pending: state.Pending) -> str:
    """Write what the rep confirmed, exactly as it was shown to them."""
    ctx.text = pending.text
    deal = None
    if pending.deal_id is not None:
        deal = await actions.deal_by_id(ctx, pending.deal_id)
        if deal is None:
            return say("deal_gone", ctx.lang)
    return await actions.act(ctx, msgspec.structs.replace(pending.parsed, clarify=None), deal,
                             confirmed=confirm.ALL_REASONS)


async def on_button(ctx: Ctx, event_key: str, *, response_code: str | None = None) -> str:
    """A tap on a confirmation card's 确认 / 取消 (``confirm:<token>:yes|no``).

    Only the confirmation with that token is answered: a card of a replaced, answered or expired
    confirmation writes nothing. The tap itself acts once (``bot.dispatch`` claims its message key),
    and the card's buttons give way to what was done (``update_template_card`` through the outbox).
    """
    key = confirm.parse_key(event_key)
    pending = await state.get(ctx.conn, ctx.actor, include_expired=True)
    if key is None or pending is None or pending.kind != "confirm" or pending.token != key[0]:
        outcome, reply = "stale", confirm.text("stale", ctx.lang)
    else:
        ctx.lang = pending.lang
        await state.clear(ctx.conn, ctx.actor)
        if pending.expired:
            outcome, reply = "expired", confirm.text("expired", ctx.lang, minutes=_minutes())
        elif key[1] == "no":
            outcome, reply = "no", confirm.text("cancelled", ctx.lang)
        else:
            outcome, reply = "yes", await _carry_out(ctx, pending)
    if response_code and ctx.recipient:
        label = confirm.DONE_LABELS[outcome]["en" if ctx.lang == "en" else "zh"]
        await outbox.enqueue(ctx.conn, ctx.tenant.tenant_id, ctx.recipient,
                             {"api": "update_template_card", "response_code": response_code,
                              "button": {"replace_name": label}},
                             f"card-update:{ctx.msg_key}")
    return reply

"""Clicks on a nudge card's buttons (WeChat Work ``template_card_event``, EventKey ``nudge:{deal}:{action}``).

``done`` logs an activity "已跟进", ``snooze3`` mutes the deal's nudges for 3 days, ``next`` moves it
to the next open stage of the pipeline. The clicking user acts, with their own access rights.
"""

from __future__ import annotations

import re

from backend.errors import TuokeError
from backend.services import deals, outbox
from bot import replies
from bot.actions import error_reply, open_stage_after
from bot.context import Ctx
from bot.replies import say

EVENT_KEY = re.compile(r"^nudge:(\d{1,18}):(done|snooze3|next)$")
DONE_NOTE = "已跟进"


def is_nudge(event_key: str | None) -> bool:
    return bool(event_key) and event_key.startswith("nudge:")


# What a tapped card's button turns into once the action is done (update_template_card).
DONE_LABELS = {"done": "已跟进", "snooze3": "已推迟3天", "next": "已推进到下一阶段"}


async def handle(ctx: Ctx, event_key: str, *, response_code: str | None = None) -> str:
    match = EVENT_KEY.match(event_key.strip())
    if not match:
        return say("nudge_bad", ctx.lang)
    deal_id, action = int(match[1]), match[2]
    try:
        async with ctx.conn.transaction():
            reply, acted = await _act(ctx, deal_id, action)
            if acted and response_code and ctx.actor.wecom_userid:
                # The card's buttons give way to what was done; through the outbox, once per tap.
                await outbox.enqueue(
                    ctx.conn, ctx.tenant.tenant_id, ctx.actor.wecom_userid,
                    {"api": "update_template_card", "response_code": response_code,
                     "button": {"replace_name": DONE_LABELS[action]}},
                    f"card-update:{ctx.msg_key}",
                )
            return reply
    except TuokeError as exc:
        return error_reply(exc, ctx.lang)


async def _act(ctx: Ctx, deal_id: int, action: str) -> tuple[str, bool]:
    """Do what the button says; the reply, and whether anything changed."""
    deal = await deals.get_deal(ctx.conn, ctx.actor, deal_id)
    label = replies.deal_label(deal)
    if action == "done":
        await deals.log_activity(ctx.conn, ctx.actor, deal_id, "note", DONE_NOTE)
        return say("nudge_done", ctx.lang, deal=label), True
    if action == "snooze3":
        snoozed = await deals.snooze(ctx.conn, ctx.actor, deal_id, 3)
        until = replies.day(snoozed.snoozed_until, ctx.tenant.timezone, ctx.lang)
        return say("snoozed", ctx.lang, deal=label, days=3, until=until), True
    stages = await ctx.stages()
    names = await ctx.stage_names()
    target = open_stage_after(deal.stage, stages)
    if target is None:
        return say("nudge_closed", ctx.lang, deal=label, stage=replies.stage_name(deal.stage, ctx.lang, names)), False
    await deals.move_stage(ctx.conn, ctx.actor, deal_id, target)
    return say("stage_moved", ctx.lang, deal=label, stage=replies.stage_name(target, ctx.lang, names), extra=""), True

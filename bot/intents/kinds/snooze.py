"""snooze: postpone or mute a deal's reminders (X天后再提醒我 / 先别提醒了 / snooze …)."""

from __future__ import annotations

import re

from bot.intents import cues as C
from bot.intents.registry import register


def fields(ctx) -> dict:
    sm = C.SNOOZE_RE.search(ctx.s)
    out = {"deal_hint": ctx._hint(sm.start(), sm.end())}
    h = out["deal_hint"]
    # 这单别催了 下个月再说: what follows the mute is its time, not a name
    if h and re.match(r"(?:下个?月|下周|下个?星期|下个?礼拜|明天|后天|过几天|过两天|过阵子|过段时间|年后|节后|\d+|[一二两三四五六七八九十半]+)\s*(?:天|周|个?月|个?星期|个?礼拜)?\s*(?:之?后)?\s*再", ctx._norm_of(h)):
        out["deal_hint"] = None
    # 这单暂时别催我了 客户在走流程: the mute's object (我) and the reason after it name no deal
    if h and re.match(r"(?:我|我们)?(?:了|啦|哈|啊)?\s*(?:客户|他们|她们|对方|人家|甲方)|再说|吧", ctx._norm_of(h)):
        out["deal_hint"] = None
    days = ctx._snooze_days()
    if days:
        out["snooze_days"] = days
    return out


# X那边说让我们先别着急下个月再联系: the customer's words, reported; not the rep muting the bot
_REPORTED_BEFORE_RE = re.compile(r"(?:说|表示|让我们|让我|叫我们|要我们|希望我们)[^，,。;；]{0,12}$")


@register("snooze", fields=fields, writes=True)
def score(ctx) -> float:
    sm = C.SNOOZE_RE.search(ctx.s)
    if not sm:
        return 0.0
    if _REPORTED_BEFORE_RE.search(ctx.s, 0, sm.start()) and not C.REMIND_RE.search(ctx.s):
        return 0.55
    return 0.93

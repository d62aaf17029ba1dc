"""snooze: postpone or mute a deal's reminders (X天后再提醒我 / 先别提醒了 / snooze …)."""

from __future__ import annotations

from bot.intents import cues as C
from bot.intents.registry import register


def fields(ctx) -> dict:
    sm = C.SNOOZE_RE.search(ctx.s)
    out = {"deal_hint": ctx._hint(sm.start(), sm.end())}
    days = ctx._snooze_days()
    if days:
        out["snooze_days"] = days
    return out


@register("snooze", fields=fields, writes=True)
def score(ctx) -> float:
    return 0.93 if C.SNOOZE_RE.search(ctx.s) else 0.0

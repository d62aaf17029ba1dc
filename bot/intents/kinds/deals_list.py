"""list_deals: the rep's own deals, optionally filtered by a named stage."""

from __future__ import annotations

from bot.intents import cues as C
from bot.intents.context import _stage_hits
from bot.intents.registry import register


def fields(ctx) -> dict:
    hits = [h for h in _stage_hits(ctx.s, ctx.lex) if not h.embedded]
    return {"stage": hits[-1].key} if hits else {}


@register("list_deals", fields=fields)
def score(ctx) -> float:
    lm = C.LIST_RE.search(ctx.s)
    if lm and lm.start() == 0 and C.LIST_VERB_RE.match(ctx.s):
        return 0.93  # 列出已签约的单子: a list verb that opens the message outranks the stage / win word it filters by
    # 帮我拉一下所有赢单的项目: the same after a polite opening (帮我 / 麻烦 / 请)
    bm = C.LIST_RE.match(ctx.body)
    if bm and C.LIST_VERB_RE.match(ctx.body):
        return 0.93
    return 0.88 if lm or ctx._own_deals_by_stage() else 0.0

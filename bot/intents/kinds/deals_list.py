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
    return 0.88 if C.LIST_RE.search(ctx.s) or ctx._own_deals_by_stage() else 0.0

"""search_kb: a question for the knowledge base (query, and kb_kind when a competitor or our own product is clear)."""

from __future__ import annotations

from bot.intents import cues as C
from bot.intents.deals import build_query
from bot.intents.registry import register


def fields(ctx) -> dict:
    out = {"query": build_query(ctx.m)}
    kind = ctx._kb_kind()
    if kind:
        out["kb_kind"] = kind
    return out


@register("search_kb", fields=fields)
def score(ctx) -> float:
    body = ctx.body
    if C.QUESTION_RE.search(body):
        return 0.78
    if len(body) <= 30 and C.KB_TOPIC_RE.search(body):
        return 0.30  # a bare topic (宁能的价格): a weak guess
    return 0.0

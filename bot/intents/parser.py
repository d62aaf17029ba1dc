"""The built-in intent and field parser for chat messages (zh / en, typed or voice-to-text).

Pipeline (Rasa-like, each stage replaceable and measured alone by scripts/eval_parser):
1. ``text.Msg``: normalise (traditional → simplified, full-width → half-width, voice homophone slips
   from ``lexicon.HOMOPHONES``), index-aligned with the original so values are cut as written;
2. ``context.Context``: analyse once what several intents read (stage words and their cues, win /
   loss words, the due time, past-time words, activity verbs);
3. ``registry.scores``: every intent module in ``kinds/`` scores the message; the best one wins
   (ties go to the first registered, which never happens on the calibrated levels);
4. the winner's field extractor fills the fields; ``confidence`` combines the winning score, its
   margin over the runner-up and what the extractors were unsure of.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from schemas.intents import ParsedMessage

from bot.intents import kinds  # noqa: F401  (registers every intent)
from bot.intents.context import Context
from bot.intents.lexicon import StageAlias, stage_lexicon
from bot.intents.registry import REGISTRY, scores
from bot.intents import prefilter

prefilter.install()  # the slowest searches tried only where a match can start (same matches)

_NEEDS_DEAL = ("update_stage", "mark_won", "mark_lost", "snooze")


def classify(ctx: Context) -> tuple[str, float, float, dict[str, float]]:
    """(intent, its score, its margin over the runner-up, all scores)."""
    sc = scores(ctx)
    ranked = sorted(sc.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    return best, top, top - second, sc


def confidence(top: float, margin: float) -> float:
    """The winning score mapped to [0.35, 0.92], discounted by up to a quarter when the runner-up was
    close (margin under 0.15: the levels of two competing cues, e.g. a done visit that mentions 方案)."""
    return min(0.95, 0.35 + 0.6 * top) * (0.75 + 0.25 * min(1.0, margin / 0.15))


def parse(
    text: str,
    *,
    now: dt.datetime | None = None,
    tz: str = "Asia/Shanghai",
    stages: Sequence[StageAlias] | None = None,
) -> ParsedMessage:
    """Understand one chat message: its intent and the fields it states."""
    if now is None:
        now = dt.datetime.now(ZoneInfo(tz))
    ctx = Context(text or "", now, tz, stage_lexicon(stages))
    intent, top, margin, _ = classify(ctx)
    fields = REGISTRY[intent].fields(ctx)
    fields = {k: v for k, v in fields.items() if v is not None}
    conf = min(ctx.confidence, confidence(top, margin))
    if intent == "unknown":
        conf = min(conf, 0.5)
    if intent in _NEEDS_DEAL and not fields.get("deal_hint"):
        conf = min(conf, 0.75)  # the bot uses the rep's most recent deal
    if intent == "update_stage" and "stage" not in fields:
        conf = min(conf, 0.4)
    if conf < 0.4 and not ctx.clarify and intent != "unknown":
        ctx.clarify = "没太明白，你是想做什么？" if ctx.lang == "zh" else "Sorry, what would you like me to do?"
    return ParsedMessage(intent=intent, **fields, confidence=round(conf, 2), clarify=ctx.clarify, lang=ctx.lang)


__all__ = ["parse", "classify", "Context"]

"""One registry of intents: each intent module registers its scorer and its field extractor.

Classification scores every registered intent on the same analysed message and keeps the best
(see ``bot.intents.parser``); nothing depends on the order modules were written or imported in.
A score is the strength of the evidence for that intent in [0, 1]: a few calibrated levels
(an explicit command ≈ 0.95, a keyword with its cue ≈ 0.85–0.9, a weaker cue 0.6–0.75, a guess
≤ 0.4) plus or minus what the message says against it. The gap between the best and the second
score is the margin the parser's confidence is built from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.intents.context import Context

Scorer = Callable[["Context"], float]
Extractor = Callable[["Context"], dict]


@dataclass(frozen=True)
class IntentSpec:
    name: str
    score: Scorer
    fields: Extractor = field(default=lambda ctx: {})
    writes: bool = False  # acting on it changes data (the bot may confirm first)


REGISTRY: dict[str, IntentSpec] = {}


def register(name: str, *, fields: Extractor | None = None, writes: bool = False) -> Callable[[Scorer], Scorer]:
    """``@register("snooze", fields=snooze_fields)`` on the intent's scorer."""

    def deco(score: Scorer) -> Scorer:
        if name in REGISTRY:
            raise ValueError(f"intent {name!r} registered twice")
        REGISTRY[name] = IntentSpec(name, score, fields or (lambda ctx: {}), writes)
        return score

    return deco


def scores(ctx: "Context") -> dict[str, float]:
    """Every registered intent's score for this message."""
    return {name: max(0.0, min(1.0, spec.score(ctx))) for name, spec in REGISTRY.items()}

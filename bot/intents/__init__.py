"""The built-in chat parser: ``parse(text)`` → :class:`schemas.intents.ParsedMessage`.

Modules: ``text`` (normalisation: traditional → simplified, full-width → half-width, index-aligned),
``lexicon`` (pipeline stages and word lists), ``cues`` (intent cue patterns), ``numerals`` (phones
and amounts), ``dates`` (relative dates), ``leads`` (new-lead fields), ``deals`` (deal hints,
notes, reasons, queries), ``parser`` (intent decision and assembly).
"""

from bot.intents.lexicon import DEFAULT_STAGES, StageAlias
from bot.intents.parser import parse

__all__ = ["parse", "StageAlias", "DEFAULT_STAGES"]

"""Faster searches for the parser's slowest patterns, with the same matches (issue 12).

A pattern that opens with a long alternation of words (``(?:客户|对方|他们…)(?:说|表示…)``) is tried
by ``re`` at every character of the message, and fails at nearly all of them. The characters a match
can start with are read off the pattern's parse tree (``first_chars``); ``Prefiltered`` then tries
the pattern only where such a character stands:

* ``search(s, pos, endpos)``: the first candidate position where the pattern matches — the leftmost
  match, as ``search`` finds it (``match`` at a position sees the same look-behind context);
* ``finditer``: ``search`` again from each match's end (only patterns that cannot match the empty
  string are wrapped, so every match moves on, as ``finditer``'s do);
* ``match`` / ``fullmatch``: no match when the character at ``pos`` cannot start one;
* everything else (``sub``, ``findall``, ``.pattern`` …) is the pattern's own.

The characters are an over-approximation (every alternative's first character, past optional and
zero-width items), so a position left out cannot start a match: the results are the pattern's own,
only found sooner. A pattern whose first characters cannot be told (``.``, a negated class, inline
flags, a back-reference up front) or that can match the empty string is left as it is.

``install()`` (called once by ``bot.intents.parser``) swaps the patterns listed in ``HOT`` for their
prefiltered copies in every loaded ``bot.intents`` module that holds them, so that every reference
— ``cues.X_RE`` or an imported ``X_RE`` — is the same object. ``HOT`` lists the patterns that took
the most time over the datasets' 2,232 messages; a name no longer there is skipped.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

_MAX = sys.maxsize

# module (under bot.intents) and name of the slowest searches, in the order measured (µs a message)
HOT = (
    "kinds.activity._PERSON_SAID_RE", "cues.SNOOZE_RE", "cues.LEAD_RECORD_RE", "cues.QUESTION_RE",
    "cues.LEAD_CMD_RE", "cues.ACTIVITY_RE", "cues.HELP_RE", "leads._FUSED_NAME_RE", "numerals._AMOUNT",
    "dates._EN_DAY", "cues.SUFFIX_RE", "leads.INTEREST_RE", "leads.CARD_HEADER_RE", "cues.LIST_RE",
    "dates._EN_TIME", "leads.ZH_TITLE_RE", "cues.PAST_TIME_RE", "phones._CAND", "context.PAID_RE",
    "cues.SURNAME_HON_RE", "cues.LOST_RE", "cues.WON_RE", "cues.DEAL_WORD_RE", "cues.LEADING_RE", "cues.BIND_RE",
    "deals._VERB_CUT_RE", "kinds.activity._REPORTED_RE", "leads.CORRECTION_RE", "leads.ZH_TITLE_LOOSE_RE",
    "deals._PREP_RE", "deals._LEAD_CMD_RE", "leads._SPACED_TITLE_RE", "cues.CHITCHAT_TOPIC_RE", "leads.STOP_RE",
)


class _Unknown(Exception):
    """The first characters cannot be told."""


def _parse_tree(pattern: re.Pattern) -> tuple[Any, Any] | None:
    try:
        from re import _constants as C, _parser as P  # the standard library's own regex parser (3.11+)
    except ImportError:  # pragma: no cover
        return None
    return C, P.parse(pattern.pattern, pattern.flags)


def first_chars(pattern: re.Pattern, *, allow_empty: bool = True) -> re.Pattern | None:
    """A character class (compiled with the pattern's flags) matching every character a non-empty
    match of ``pattern`` can start with, or None when that cannot be told (or when the pattern can
    match the empty string and ``allow_empty`` is False)."""
    parsed = _parse_tree(pattern)
    if parsed is None:  # pragma: no cover
        return None
    C, tree = parsed
    categories = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_SPACE: r"\s", C.CATEGORY_WORD: r"\w"}

    def charset(items: list, out: list[str]) -> None:
        for op, av in items:
            if op is C.LITERAL:
                out.append(re.escape(chr(av)))
            elif op is C.RANGE:
                out.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
            elif op is C.CATEGORY and av in categories:
                out.append(categories[av])
            else:  # a negated class, another category
                raise _Unknown

    def first(seq: Any, out: list[str]) -> bool:
        """Add the first characters of ``seq`` to ``out``; whether ``seq`` can match empty."""
        for op, av in seq:
            if op is C.LITERAL:
                out.append(re.escape(chr(av)))
                return False
            if op is C.IN:
                charset(av, out)
                return False
            if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
                continue  # zero-width: the next item starts the match
            if op is C.BRANCH:
                empty = False
                for alt in av[1]:
                    empty = first(alt, out) or empty
                if not empty:
                    return False
                continue
            if op is C.SUBPATTERN:
                if av[1] or av[2]:
                    raise _Unknown  # inline flags
                if not first(av[3], out):
                    return False
                continue
            if op in (C.MAX_REPEAT, C.MIN_REPEAT):
                if not first(av[2], out) and av[0] > 0:
                    return False
                continue
            raise _Unknown  # ., a back-reference, an atomic group …
        return True

    chars: list[str] = []
    try:
        empty = first(tree, chars)
    except _Unknown:
        return None
    if (empty and not allow_empty) or not chars:
        return None
    return re.compile("[" + "".join(chars) + "]", pattern.flags)


class Prefiltered:
    """A compiled pattern that is tried only where a match can start (see the module's doc)."""

    __slots__ = ("raw", "_first")

    def __init__(self, raw: re.Pattern, first: re.Pattern) -> None:
        self.raw = raw
        self._first = first

    def search(self, string: str, pos: int = 0, endpos: int = _MAX) -> re.Match | None:
        first, raw = self._first, self.raw
        c = first.search(string, pos, endpos)
        while c is not None:
            at = c.start()
            m = raw.match(string, at, endpos)
            if m is not None:
                return m
            c = first.search(string, at + 1, endpos)
        return None

    def finditer(self, string: str, pos: int = 0, endpos: int = _MAX) -> Iterator[re.Match]:
        m = self.search(string, pos, endpos)
        while m is not None:
            yield m
            m = self.search(string, m.end(), endpos)

    def match(self, string: str, pos: int = 0, endpos: int = _MAX) -> re.Match | None:
        if 0 <= pos < min(len(string), endpos) and self._first.match(string, pos, endpos) is None:
            return None
        return self.raw.match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = _MAX) -> re.Match | None:
        if 0 <= pos < min(len(string), endpos) and self._first.match(string, pos, endpos) is None:
            return None
        return self.raw.fullmatch(string, pos, endpos)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)

    def __repr__(self) -> str:
        return f"Prefiltered({self.raw!r})"


def prefiltered(pattern: re.Pattern) -> re.Pattern | Prefiltered:
    """``pattern`` tried only where a match can start, or ``pattern`` itself when that cannot be told."""
    first = first_chars(pattern, allow_empty=False)
    return pattern if first is None else Prefiltered(pattern, first)


def install() -> list[str]:
    """Swap the ``HOT`` patterns for prefiltered copies in every loaded bot.intents module; the names
    swapped."""
    modules = {name: mod for name, mod in list(sys.modules.items())
               if (name == "bot.intents" or name.startswith("bot.intents.")) and mod is not None}
    swaps: dict[int, Prefiltered] = {}
    for spec in HOT:
        module, _, attr = spec.rpartition(".")
        raw = getattr(modules.get(f"bot.intents.{module}"), attr, None)
        if isinstance(raw, re.Pattern) and id(raw) not in swaps:
            fast = prefiltered(raw)
            if isinstance(fast, Prefiltered):
                swaps[id(raw)] = fast
    done = []
    for mod in modules.values():
        for name, value in list(vars(mod).items()):
            if isinstance(value, re.Pattern) and id(value) in swaps:
                setattr(mod, name, swaps[id(value)])
                done.append(f"{mod.__name__}.{name}")
    return done

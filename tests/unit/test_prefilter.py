"""bot.intents.prefilter: the parser's slowest patterns tried only where a match can start, with the
same matches as the patterns themselves (and the date phrases' scan, bot.intents.dates._zh_matches)."""

from __future__ import annotations

import importlib
import json
import random
import re
import sys
from pathlib import Path

import pytest

import bot.intents  # noqa: F401  (the parser installs the prefiltered patterns)
from bot.intents import dates, prefilter
from bot.intents.text import normalise

DATA = Path(__file__).resolve().parents[1] / "data"


def _texts() -> list[str]:
    out = []
    for path in sorted(DATA.glob("chat_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                text = json.loads(line).get("text")
            except (ValueError, AttributeError):
                continue
            if isinstance(text, str):
                out.extend({text, normalise(text)})
    return out


def _sig(m: re.Match | None):
    return None if m is None else (m.span(), m.groups())


def _same(fast, raw: re.Pattern, s: str, pos: int = 0, end: int = sys.maxsize) -> None:
    assert _sig(fast.search(s, pos, end)) == _sig(raw.search(s, pos, end)), (raw.pattern[:40], s, pos, end)
    assert [_sig(m) for m in fast.finditer(s, pos, end)] == [_sig(m) for m in raw.finditer(s, pos, end)]
    assert _sig(fast.match(s, pos, end)) == _sig(raw.match(s, pos, end))
    assert _sig(fast.fullmatch(s, pos, end)) == _sig(raw.fullmatch(s, pos, end))


def test_the_hot_patterns_are_installed_everywhere_they_are_referenced():
    from bot.intents import cues
    from bot.intents import leads

    assert isinstance(cues.SUFFIX_RE, prefilter.Prefiltered)
    assert leads.SUFFIX_RE is cues.SUFFIX_RE  # an imported name is the same object (identity checks hold)
    assert cues.SUFFIX_RE.pattern == cues.SUFFIX_RE.raw.pattern  # the rest is the pattern's own
    assert prefilter.install() == []  # once


def test_installed_patterns_match_as_the_patterns_do_on_every_message():
    fast = []
    for spec in prefilter.HOT:
        module, _, name = spec.rpartition(".")
        value = getattr(importlib.import_module(f"bot.intents.{module}"), name, None)
        if isinstance(value, prefilter.Prefiltered):
            fast.append(value)
    assert len(fast) >= 20
    rnd = random.Random(12)
    texts = _texts()
    assert len(texts) > 500
    for s in texts:
        spots = [(0, sys.maxsize)] + [(rnd.randint(-1, len(s) + 1), rnd.choice([sys.maxsize, rnd.randint(0, len(s) + 1)]))
                                      for _ in range(1)]
        for f in fast:
            for pos, end in spots:
                _same(f, f.raw, s, pos, end)


@pytest.mark.parametrize("pattern", [
    r"(?<![\d.])(\d{1,2})[-/](\d{1,2})",  # a look-behind before the first character
    r"(?:客户|对方|他们?)(?:那边)?(?:说|表示)",
    r"\b(?:said|told (?:me|us))\b",
    r"(?:x|y)?(?:ab|cd)+e?",  # an optional item first
    r"^(?:新客户|新线索)\s*[:：]?",  # anchored
    r"(?=\d{3})\d+元?|[一二三]+万",  # a look-ahead first
])
def test_prefiltered_patterns_agree_with_re_on_random_strings(pattern):
    for flags in (0, re.IGNORECASE):
        raw = re.compile(pattern, flags)
        fast = prefilter.prefiltered(raw)
        assert isinstance(fast, prefilter.Prefiltered)
        rnd = random.Random(pattern)
        alphabet = list("abcdexyABE0123456789.-/ 客户对方他们那边说表示新线索：:元一二三万") + ["said ", "told us", "Told me"]
        for _ in range(3000):
            s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
            _same(fast, raw, s)
            _same(fast, raw, s, rnd.randint(-1, len(s)), rnd.randint(0, len(s) + 1))


@pytest.mark.parametrize("pattern", [r"a*", r"(?:x)?", r".abc", r"[^a]b", r"(?P<x>a)?(?P=x)b", r"(?i:ab)c", r"\Dx"])
def test_what_cannot_be_told_is_left_alone(pattern):
    raw = re.compile(pattern)
    assert prefilter.prefiltered(raw) is raw


def test_date_phrases_are_found_as_finditer_finds_them():
    assert dates._ZH_FIRST is not None
    rnd = random.Random(3)
    pool = list("今明后昨前上下周星期礼拜天日号月年点半刻分钟时早中晚午凌傍夜深第大次这本同当过去几两二三四五六七八九十零廿卅一"
                "0123456789:.-/ \t的个末底初了万亿元楼ap号之以") + ["下午", "上午", "10:30", "2021-09-09", "3/5", "12.5", "pm"]
    strings = _texts() + ["".join(rnd.choice(pool) for _ in range(rnd.randint(0, 14))) for _ in range(8000)]
    for s in strings:
        expected = [(m.span(), m.groupdict()) for m in dates._ZH.finditer(s) if m.end() > m.start()]
        assert [(m.span(), m.groupdict()) for m in dates._zh_matches(s)] == expected, s

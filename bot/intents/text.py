"""A message as the parser reads it: the original text and a same-length normalised copy.

Matching happens on ``norm`` (traditional → simplified with zhconv, full-width → half-width with
NFKC, character by character so every index still points at the same character of the original);
field values are cut from ``orig`` so traditional characters stay as written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import zhconv

zhconv.loaddict()
_HANS: dict[str, str] = {k: v for k, v in zhconv.zhconv.zhcdicts["zh2Hans"].items() if len(k) == len(v)}


def to_simplified(text: str) -> str:
    """Traditional → simplified, keeping the length (every mapping used is length-preserving)."""
    out = zhconv.convert(text, "zh-hans")
    if len(out) != len(text):  # never expected, but keep indices aligned whatever happens
        out = "".join(_HANS.get(ch, ch) for ch in text)
    return out


@lru_cache(maxsize=4096)
def _nfkc_char(ch: str) -> str:
    n = unicodedata.normalize("NFKC", ch)
    if len(n) != 1:
        return ch
    return n


_EXTRA = {"\u3000": " ", "，": ",", "。": ".", "、": "、", "～": "~", "—": "-", "–": "-", "·": "·", "＂": '"'}


def _slips() -> dict[str, str]:
    from bot.intents.lexicon import DIALECT, HOMOPHONES

    # matched on the simplified text, so a key is taken in the form zhconv gives it
    return {**{to_simplified(k): v for k, v in DIALECT.items()}, **HOMOPHONES}


def _homophone_re() -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in sorted(_SLIPS, key=len, reverse=True)))


_SLIPS: dict[str, str] = {}
_HOMOPHONE_RE: re.Pattern | None = None


def fix_homophones(s: str) -> str:
    """Voice-input slips and Cantonese words read as the Mandarin meant (lexicon.HOMOPHONES and
    lexicon.DIALECT; every pair keeps the length)."""
    global _HOMOPHONE_RE
    if _HOMOPHONE_RE is None:
        _SLIPS.update(_slips())
        _HOMOPHONE_RE = _homophone_re()
    from bot.intents.slips import fix_command_slips

    return fix_command_slips(_HOMOPHONE_RE.sub(lambda m: _SLIPS[m.group(0)], s))


def normalise(text: str) -> str:
    s = to_simplified(text)
    out = []
    for ch in s:
        if ch.isascii():
            out.append(ch)
            continue
        ch = _EXTRA.get(ch, ch)
        out.append(_nfkc_char(ch))
    return _VOICE_TIME_PARTICLE_RE.sub(" ", fix_homophones("".join(out)))


# 后天下午呢两点半 / 明天上午啊十点: a voice particle between a day or part of the day and the clock is a pause (a space,
# so the text stays index-aligned)
_VOICE_TIME_PARTICLE_RE = re.compile(r"(?<=上午|下午|中午|晚上|早上|明天|后天|今天|明早|明晚|今晚)(?:呢|啊|吧|呀)(?=[零一二两三四五六七八九十\d])")


CJK = r"\u3400-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK}]")
PUNCT_RE = re.compile(r"[\s,.;:!?，。；：！？、…~\-—()（）\[\]【】\"'“”‘’《》<>/|]+")
SEP_CHARS = ",.;:!?;、()[]【】《》<>|/\n\t\"“”'‘’~"


class Msg:
    """The original text, its normalised copy, and a mask of characters already used."""

    __slots__ = ("orig", "s", "used")

    def __init__(self, text: str):
        self.orig = text
        self.s = normalise(text)
        self.used = [False] * len(text)

    def cut(self, start: int, end: int) -> str:
        return self.orig[start:end]

    def use(self, start: int, end: int) -> None:
        for i in range(max(0, start), min(end, len(self.used))):
            self.used[i] = True

    def masked(self, fill: str = "\x00") -> str:
        """``s`` with used characters replaced by ``fill`` (a boundary for later patterns)."""
        return "".join(fill if u else c for c, u in zip(self.s, self.used))


def is_cjk(ch: str) -> bool:
    return bool(CJK_RE.match(ch))


def has_cjk(text: str) -> bool:
    return bool(CJK_RE.search(text))


def strip_edges(text: str) -> str:
    return text.strip(" \t\n,.;:!?，。；：！？、…~-—()（）")

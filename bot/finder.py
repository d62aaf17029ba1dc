"""Which deal a message means: fuzzy match (rapidfuzz) of the words naming it over the rep's open deals.

"华为那单", "顺和储能柜", "Northgate": each of the deal's customer name, title, product and contact
is normalised (traditional → simplified, width, case, legal suffixes) and scored against the hint.
One clear best → that deal; several close → ask 1/2/3; none → offer the most recent ones.
No hint at all ("这单") → the deal the rep touched last.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import zhconv
from rapidfuzz import fuzz

from backend.db.queries import queries
from backend.services.access import scope_params
from backend.services.accounts import normalise_company
from schemas.users import Actor

MATCH = 80.0  # a deal matches from this score (0–100)
TIE = 4.0  # deals within this many points of the best are "the same" and the rep is asked
MAX_OPTIONS = 3
CANDIDATES = 300

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
# Words that only say "a deal" and name none: dropped from a hint before matching.
_DEAL_WORDS = re.compile(
    r"(?:(?:那个|这个|那|这|的)?(?:单子|订单|合同|项目|商机|单|deal|project|opportunity|account)"
    r"|的|那个|这个|那边|这边|那|这|吧|呢|啊|了)$",
    re.IGNORECASE,
)
_PRONOUNS = {"", "这", "那", "这个", "那个", "它", "这家", "那家", "他们", "this", "that", "it", "the"}


@dataclass
class Found:
    """The outcome of a search: ``deal`` when one is meant, else ``options`` to ask about."""

    deal: Any | None = None
    options: list[Any] = field(default_factory=list)
    more: bool = False
    no_match: bool = False  # nothing matched the hint: ``options`` are the rep's recent deals


def norm(text: str | None) -> str:
    if not text:
        return ""
    return _norm(text)


@functools.lru_cache(maxsize=8192)  # pure; every message scores each of the rep's open deals' words again
def _norm(text: str) -> str:
    text = zhconv.convert(unicodedata.normalize("NFKC", text), "zh-cn").lower()
    return _PUNCT.sub("", text)


def clean_hint(hint: str | None) -> str:
    """The naming words of a hint, normalised, without "那单 / 项目 / deal"."""
    text = norm(hint)
    for _ in range(4):
        stripped = _DEAL_WORDS.sub("", text)
        if stripped == text:
            break
        text = stripped
    return "" if text in _PRONOUNS else text


def score(hint: str, row: Any) -> float:
    """How well a cleaned hint names this deal (0–100)."""
    company = normalise_company(row["company"]) if row["company"] else ""
    fields = [f for f in (company, norm(row["title"]), norm(row["product"]), norm(row["contact_name"])) if f]
    if not fields or not hint:
        return 0.0
    combined = "".join(fields)
    best_field = max(fuzz.ratio(hint, f) for f in fields)
    # The hint usually is a part of the name ("顺和" in 佛山顺和陶瓷): partial alignment scores it;
    # when the hint is longer than everything we know, a plain ratio is the fair measure. A hint
    # that joins several fields ("华为储能柜": customer + product) is scored by how much of it the
    # deal's words cover.
    contained = fuzz.partial_ratio(hint, combined) if len(hint) <= len(combined) else fuzz.ratio(hint, combined)
    return 0.85 * max(contained, coverage(hint, combined)) + 0.15 * best_field


def coverage(hint: str, text: str) -> float:
    """The share (0–100) of ``hint`` made of pieces of two or more characters found in ``text``."""
    # At each position the longest piece found in ``text`` is taken. A piece's every prefix is in
    # ``text`` when the piece is, so the longest is found by growing it from two characters: no
    # piece is tried when its first two characters are not in ``text`` (most positions of most deals).
    covered, i, n = 0, 0, len(hint)
    while i < n:
        j = i + 2
        if j <= n and hint[i:j] in text:
            while j < n and hint[i:j + 1] in text:
                j += 1
            covered += j - i
            i = j
        else:
            i += 1
    return 100.0 * covered / n if hint else 0.0


async def open_deals(conn: asyncpg.Connection, actor: Actor) -> list[asyncpg.Record]:
    return await queries.bot_open_deals(conn, **scope_params(actor), limit=CANDIDATES)


async def find(conn: asyncpg.Connection, actor: Actor, hint: str | None) -> Found:
    deals = await open_deals(conn, actor)
    if not deals:
        return Found(no_match=True)
    cleaned = clean_hint(hint)
    if not cleaned:
        return Found(deal=await _last_touched(conn, actor, deals))
    return rank(cleaned, deals)


def rank(cleaned: str, deals: list[Any]) -> Found:
    """Pick the deal ``cleaned`` names among ``deals`` (own deals first, recent first)."""
    scored = sorted(((score(cleaned, d), i, d) for i, d in enumerate(deals)), key=lambda t: (-t[0], t[1]))
    top = scored[0][0]
    if top < MATCH:
        return Found(options=deals[:MAX_OPTIONS], more=len(deals) > MAX_OPTIONS, no_match=True)
    close = [d for s, _, d in scored if s >= MATCH and s >= top - TIE]
    if len(close) == 1:
        return Found(deal=close[0])
    return Found(options=close[:MAX_OPTIONS], more=len(close) > MAX_OPTIONS)


async def _last_touched(conn: asyncpg.Connection, actor: Actor, deals: list[Any]) -> Any:
    last = await queries.bot_last_touched_deal(conn, tenant_id=actor.tenant_id, user_id=actor.user_id)
    for d in deals:
        if d["deal_id"] == last:
            return d
    own = [d for d in deals if d["owner_id"] == actor.user_id]
    return (own or deals)[0]


def pick(answer: str, options: list[Any]) -> Any | None:
    """The option a reply to "1/2/3?" chose: its number (1, １, 一, 第二个, #2) or its name."""
    text = norm(answer)
    number = _choice_number(text)
    if number is not None:
        return options[number - 1] if 1 <= number <= len(options) else None
    cleaned = clean_hint(answer)
    if len(cleaned) < 2 or not options:
        return None
    found = rank(cleaned, options)
    return found.deal


_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_EN_ORDINALS = {"first": 1, "one": 1, "second": 2, "two": 2, "third": 3, "three": 3}
_CHOICE = re.compile(r"^(?:选|第|no|number|#)?([1-9]|[一二两三四五])(?:个|号|单|项|条)?(?:吧|的|啊)?$")


def _choice_number(text: str) -> int | None:
    m = _CHOICE.match(text)
    if m:
        token = m.group(1)
        return int(token) if token.isdigit() else _CN_DIGITS[token]
    for word, number in _EN_ORDINALS.items():
        if text in (word, f"the{word}", f"{word}one"):
            return number
    return None

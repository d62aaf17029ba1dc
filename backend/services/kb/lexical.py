"""Chinese-aware lexical terms: jieba words (search mode), whole model numbers, English words.

The same function makes the terms of a chunk and of a question, so both sides always agree.
Terms go into a ``simple`` tsvector built here lexeme by lexeme (PostgreSQL's own parser would
split HC-ESS-215 and cannot segment Chinese), with the title's terms weighted A.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata

import jieba
import snowballstemmer
import zhconv
from pypinyin import Style, lazy_pinyin

jieba.setLogLevel(logging.WARNING)

# Model numbers and codes: HC-ESS-215, GB/T, IEC, 36276, UL9540A, 1.2MW (kept whole and by part).
_CODE = re.compile(r"[a-z0-9][a-z0-9\-_/.+]*[a-z0-9]|[a-z0-9]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ALNUM_RUN = re.compile(r"[a-z]+|[0-9]+")
_WORD_CHARS = re.compile(r"[\w\u3400-\u9fff]")

# Words that carry no topic: particles, fillers reps say into voice messages, question words,
# and English function words. IDF weighting handles the rest.
STOPWORDS = frozenset(
    """
    的 了 吗 呢 吧 啊 呀 嘛 哦 哈 嗯 呃 唉 么 着 过 是 在 有 和 与 及 或 也 都 就 还 又 而 但 把 被 给 让 对 从 向
    我 你 他 她 它 我们 你们 他们 她们 咱们 大家 自己 这 那 这个 那个 这些 那些 这种 那种 这样 那样 这边 那边
    什么 怎么 怎么样 怎样 为什么 多少 几 哪 哪个 哪些 哪里 哪儿 谁 如何 是否 是不是 能不能 会不会 有没有 可不可以
    要 会 能 可以 可能 应该 需要 想 请 帮 帮我 一下 一个 一些 有点 来着 就是 然后 还是 或者 如果 因为 所以 比较
    查 查一下 问 问下 问一下 客户问 说 讲 知道 告诉 看看 看 资料 知识库 相关 关于 请问 多 少 吗 呐 啦 喔 哎
    跟 比 啥 咋 呗 么 嘞 得 地 之 其 该 并 等 即
    the a an of to in on for and or is are was were be been do does did what which who how when where why
    can could should would will may might we our us you your they their it its this that these those there
    with about as at by from into than then so if not no yes please tell me my i any some vs versus
    """.split()
)

_STEMMER = snowballstemmer.stemmer("english")


def normalise(text: str) -> str:
    """NFKC, lower case, traditional → simplified Chinese (so 報價 meets 报价)."""
    text = unicodedata.normalize("NFKC", text).lower()
    if _CJK.search(text):
        text = zhconv.convert(text, "zh-cn")
    return text


def _ascii_term(token: str) -> str | None:
    """An English word stemmed (weaknesses → weak), a number or code as is; noise dropped."""
    if len(token) < 2 or token in STOPWORDS:
        return None
    if token.isalpha():
        return _STEMMER.stemWord(token)
    return token


def _code_terms(token: str) -> list[str]:
    """A code kept whole plus its parts, and the forms reps type it in: hc-ess-215 → hc-ess-215,
    hcess215, hc, ess, 215; cb10 → cb10, cb, 10 (so CB10, CB-10 and CB 10 all meet); decimals whole."""
    token = token.strip("-_/.+")
    if not token:
        return []
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", token):
        return [token]
    parts = [p for p in re.split(r"[\-_/.+]", token) if p]
    out = [token] if len(parts) > 1 else []
    if len(parts) > 1 and not re.search(r"[0-9]\.[0-9]", token):
        out.append(re.sub(r"[\-_/+]", "", token))  # compact: hc-ess-215 → hcess215 (never 1.2mw → 12mw)
    for part in parts:
        out.append(part)
        pieces = _ALNUM_RUN.findall(part)
        if len(pieces) > 1 and not re.fullmatch(r"[0-9]+[a-z]{1,3}", part):
            out.extend(pieces)  # letters meet digits: cb10 → cb, 10 (not units: 50kw, 220v stay whole)
    return [t for t in (_ascii_term(x) for x in out) if t]


@functools.lru_cache(maxsize=65536)
def _pinyin(word: str) -> str | None:
    if len(word) >= 2 and all(_CJK.match(ch) for ch in word):
        return "".join(lazy_pinyin(word, style=Style.NORMAL, v_to_u=False))
    return None


def pinyin_terms(words: list[str]) -> list[str]:
    """Toneless pinyin of Chinese words of two or more characters (宁能 → ningneng, 绿峰 → lvfeng),
    so that English questions naming a Chinese company by its pinyin still hit. Cached per word: a
    knowledge base repeats its words, and pypinyin was a third of an ingest's term work."""
    return [p for p in map(_pinyin, words) if p is not None]


def terms(text: str) -> list[str]:
    """The lexical terms of ``text`` in order (repeats kept), stopwords dropped."""
    text = normalise(text)
    out: list[str] = []
    for word in jieba.cut_for_search(text):
        word = word.strip()
        if not word or not _WORD_CHARS.search(word):
            continue
        if _CJK.search(word):
            if word not in STOPWORDS:
                out.append(word)
            continue
        for code in _CODE.findall(word):
            out.extend(_code_terms(code))
    # jieba splits "hc-ess-215" at the hyphens: add whole codes from the raw text too.
    for code in _CODE.findall(text):
        code = code.strip("-_/.+")
        if any(ch in code for ch in "-_/+") or (re.search(r"[a-z]", code) and "." in code):
            if not re.search(r"[0-9]\.[0-9]", code):
                out.append(re.sub(r"[\-_/+]", "", code))
            out.append(code)
    return out


def _quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(title_terms: list[str], body_terms: list[str]) -> str:
    """A tsvector literal: each term with its positions; title terms weighted A, body terms D."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for weight, seq in (("A", title_terms), ("", body_terms)):
        for term in seq:
            pos = min(pos + 1, 16383)
            positions.setdefault(term, []).append(f"{pos}{weight}")
    return " ".join(f"{_quote(t)}:{','.join(p[:255])}" for t, p in positions.items())


def tsquery_literal(query_terms: list[str], weights: str = "") -> str:
    """An OR query over distinct terms (``weights`` e.g. "A" restricts to title terms)."""
    seen = dict.fromkeys(query_terms)
    suffix = f":{weights}" if weights else ""
    return " | ".join(f"{_quote(t)}{suffix}" for t in seen)

"""Filters read off the question: which of the tenant's products and competitors it names.

Names come from the tenant's own documents (their ``product`` / ``competitor`` fields), with
the short forms reps say: 宁能科技 → 宁能 (company suffixes dropped), HC-INV-50K 光伏逆变器 →
hc-inv-50k and 逆变器 (the head noun), and the pinyin of Chinese names (宁能 → ningneng) for
questions asked in English. Filters only drop documents clearly about something else: a
question naming 宁能 drops notes on other competitors, one naming 逆变器 drops selling points
of other products; our own selling points stay for "跟宁能比我们…" comparisons, and documents
of kind other are never dropped by inference.
"""

from __future__ import annotations

import re
from collections import defaultdict

import asyncpg
import jieba
import msgspec
from pypinyin import Style, lazy_pinyin

from backend.db.queries import queries
from backend.services.kb.lexical import normalise

_COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "股份", "科技", "技术", "电气",
                     "新能源", "能源", "电力", "智能", "电子", "实业", "控股", "inc", "ltd", "co", "corp", "group")
_CJK = re.compile(r"[\u3400-\u9fff]")
_ASCII_WORD = re.compile(r"[a-z0-9][a-z0-9\-_.]*[a-z0-9]|[a-z0-9]")


class Filters(msgspec.Struct, kw_only=True):
    kinds: list[str] | None = None  # allowed kinds (None: all)
    competitors: list[str] | None = None  # competitor notes allowed (None: all)
    products: list[str] | None = None  # selling points allowed (None: all)


def _strip_suffixes(name: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in _COMPANY_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                name = name[: -len(suffix)].strip(" .,")
                changed = True
    return name


def competitor_aliases(name: str) -> set[str]:
    name = normalise(name).strip()
    out = {name}
    core = _strip_suffixes(name)
    out.add(core)
    if _CJK.search(core) and all(_CJK.match(ch) for ch in core):
        out.add("".join(lazy_pinyin(core, style=Style.NORMAL, v_to_u=False)))
    for word in _ASCII_WORD.findall(core):
        if len(word) >= 3:
            out.add(word)
    return {a for a in out if len(a) >= 2}


def product_aliases(name: str) -> set[str]:
    name = normalise(name).strip()
    out = {name}
    for part in re.split(r"[\s/|,，、()（）]+", name):
        if not part:
            continue
        if _CJK.search(part):
            out.add(part)
            words = [w for w in jieba.cut(part) if w.strip()]
            if words and len(words[-1]) >= 2 and _CJK.search(words[-1]):
                out.add(words[-1])  # the head noun: 光伏逆变器 → 逆变器
        elif len(part) >= 3 or re.search(r"\d", part):
            out.add(part)
    return {a for a in out if len(a) >= 2}


def _named(question: str, alias: str) -> bool:
    if _CJK.search(alias):
        return alias in question
    return re.search(rf"(?<![a-z0-9]){re.escape(alias)}(?![a-z0-9])", question) is not None


async def infer(conn: asyncpg.Connection, tenant_id: int, question: str, kind: str | None = None) -> Filters:
    """The filters the question makes clear, plus an explicit kind when the caller gives one."""
    question = normalise(question)
    by_competitor: dict[str, set[str]] = defaultdict(set)
    by_product: dict[str, set[str]] = defaultdict(set)
    for row in await queries.kb_subjects(conn, tenant_id=tenant_id):
        if row["competitor"]:
            for alias in competitor_aliases(row["competitor"]):
                by_competitor[alias].add(row["competitor"])
        if row["product"] and row["kind"] == "selling_point":
            for alias in product_aliases(row["product"]):
                by_product[alias].add(row["product"])
    competitors = sorted({c for alias, names in by_competitor.items() if _named(question, alias) for c in names})
    products = sorted({p for alias, names in by_product.items() if _named(question, alias) for p in names})
    return Filters(kinds=[kind] if kind else None, competitors=competitors or None, products=products or None)

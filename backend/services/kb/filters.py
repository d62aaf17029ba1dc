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
import time
from collections import defaultdict
from typing import NamedTuple

import asyncpg
import jieba
import msgspec
from pypinyin import Style, lazy_pinyin

from backend.db.queries import queries
from backend.services.kb.lexical import normalise

COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "股份", "科技", "技术", "电气",
                     "新能源", "能源", "电力", "智能", "电子", "实业", "控股", "inc", "ltd", "co", "corp", "group")
# Words that describe a company's trade rather than name it: 德威机器人 → 德威, 友联软件 → 友联,
# 迈瑞医疗器械 → 迈瑞. Reps call a competitor by the part before them.
_TRADE_WORDS = ("机器人", "自动化", "软件", "网络", "信息", "数据", "数字", "数智", "云", "互联网", "物联网", "通信",
                "医疗器械", "医疗", "医药", "制药", "生物", "基因", "健康", "器械", "仪器", "仪表", "装备", "机械",
                "设备", "精密", "动力", "工业", "汽车", "材料", "化工", "半导体", "微电子", "光电", "视觉", "系统",
                "环境", "环保", "工程", "建设", "制造", "国际", "贸易", "物流", "储能", "光伏", "新材料", "电器",
                "电机", "传感", "控制", "智造", "创新", "研究院", "实验室")
# English words that describe a trade: "Northwind Energy" is called Northwind, never "energy".
_TRADE_WORDS_EN = frozenset("""energy power electric electrical electronics technology technologies tech software systems
    system solutions solution robotics robot robots automation medical health healthcare devices device networks
    network data cloud industries industrial international global holdings labs group inc ltd co corp
    company limited llc gmbh ag sa""".split())
_CJK = re.compile(r"[\u3400-\u9fff]")
_ASCII_WORD = re.compile(r"[a-z0-9][a-z0-9\-_.]*[a-z0-9]|[a-z0-9]")


# Words that ask about the competition without naming a competitor (竞品怎么打, rivals' pricing).
_COMPETITION = re.compile(r"竞品|竞争对手|对手|友商|同行|别家|别的厂家|其他厂家|competitor|competition|rival")


def names_competition(question: str) -> bool:
    """Does the question ask about the competition in general (no name needed)?"""
    return _COMPETITION.search(normalise(question)) is not None


class Filters(msgspec.Struct, kw_only=True):
    kinds: list[str] | None = None  # allowed kinds (None: all)
    competitors: list[str] | None = None  # competitor notes allowed (None: all)
    products: list[str] | None = None  # selling points allowed (None: all)
    named: list[str] = []  # the aliases the question names them by (their terms say nothing more)
    codes: list[str] = []  # model numbers named, in the catalogue's spelling (e 6 / e-6 → e6's form)


def _strip_suffixes(name: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in COMPANY_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                name = name[: -len(suffix)].strip(" .,")
                changed = True
    return name


def _brand(core: str) -> str:
    """The brand part of an all-Chinese company name: trade words and suffixes dropped from the end
    (德威机器人 → 德威); for a four-character name with no such word, its first jieba word when that is
    no everyday word (海康威视 → 海康, but never 东方 of 东方明珠)."""
    changed = True
    while changed:
        changed = False
        for word in sorted(_TRADE_WORDS, key=len, reverse=True):
            if core.endswith(word) and len(core) - len(word) >= 2:
                core = _strip_suffixes(core[: -len(word)])
                changed = True
    if len(core) >= 4:
        _ensure_jieba()
        words = jieba.lcut(core)
        if len(words) >= 2 and len(words[0]) >= 2 and jieba.dt.FREQ.get(words[0], 0) < _EVERYDAY_FREQ:
            return words[0]
        if (len(core) == 4 and jieba.dt.FREQ.get(core[2:], 0) > 0 and jieba.dt.FREQ.get(core[:2], 0) < _EVERYDAY_FREQ
                and jieba.dt.FREQ.get(core, 0) == 0):
            return core[:2]  # two characters jieba cannot read as a word, then a word of the trade (易成 + 三维)
    return core


_EVERYDAY_FREQ = 1000  # jieba dictionary frequency above which a word is everyday language (东方, 中国)


def _ensure_jieba() -> None:
    if not jieba.dt.initialized:
        jieba.initialize()


_SCRIPT_RUNS = re.compile(r"[\u3400-\u9fff]+|[a-z0-9][a-z0-9\-_.& ]*[a-z0-9]|[a-z0-9]")


def competitor_aliases(name: str) -> set[str]:
    name = normalise(name).strip()
    runs = [r.strip() for r in _SCRIPT_RUNS.findall(name)]
    if len(runs) >= 2 and _CJK.search(name) and re.search(r"[a-z]", name):
        # A name given in both scripts (NordAir 诺德气, 锋源机电 (Fengyuan)): each one names the company, and
        # reps say either.
        return {name} | {a for run in runs if len(run) >= 2 for a in competitor_aliases(run)}
    out = {name}
    core = _strip_suffixes(name)
    out.add(core)
    if _CJK.search(core) and all(_CJK.match(ch) for ch in core):
        for form in {core, _brand(core)}:
            out.add(form)
            out.add("".join(lazy_pinyin(form, style=Style.NORMAL, v_to_u=False)))
    words = _ASCII_WORD.findall(core)
    if len(words) == 1 or (words and words[0] not in _TRADE_WORDS_EN):
        # The brand (first word) of an English name; the trade words after it name nobody.
        if len(words[0]) >= 3:
            out.add(words[0])
    return {a for a in out if len(a) >= 2}


# Head nouns every seller's catalogue shares (全线设备, 全系列产品): as an alias they would name one product for
# any question that says 设备.
_GENERIC_HEADS = frozenset("设备 产品 系列 全系列 机器 东西 整机 商品 型号".split())
# Likewise an everyday word as a head (空压站节能改造 → 改造, 云平台 → 平台, 运维服务 → 服务): it names no product, and
# 纺织厂改造的那个案例 would filter to the retrofit service. A head noun names a product when it is a term of the
# trade (逆变器, 冷干机, 机器人), which jieba's dictionary counts rarely.
_HEAD_MAX_FREQ = 1000
_NAME_PARTS = re.compile(r"[\s/|,，、()（）]+")  # a catalogue name's parts (HC-INV-50K 光伏逆变器 → model, noun)
_WHOLE_RANGE = re.compile(r"全线|全系列|全系|全部|所有|通用|\ball (?:products|models|series)\b")


def product_aliases(name: str) -> set[str]:
    name = normalise(name).strip()
    out = {name}
    for part in _NAME_PARTS.split(name):
        if not part:
            continue
        if _CJK.search(part):
            out.add(part)
            if re.search(r"[a-z]", part):
                # reps drop the letters inside a Chinese name (户外LED屏 → 户外屏, 金属3D打印机 → 金属打印机)
                bare = re.sub(r"[a-z0-9]+", "", part)
                if len(bare) >= 3:
                    out.add(bare)
            words = [w for w in jieba.cut(part) if w.strip()]
            head = _head(words)
            if head:
                out.add(head)
            if (len(words) >= 3 and all(_CJK.match(w) for w in words) and len(words[-1]) >= 2
                    and jieba.dt.FREQ.get(words[-1], 0) >= _HEAD_MAX_FREQ):
                # The abbreviation reps say for a …系统 / …平台: each word's first character, then the last
                # word whole (信息发布系统 → 信发系统, 电池管理系统 → 电管系统).
                out.add("".join(w[0] for w in words[:-1]) + words[-1])  # the head noun: 光伏逆变器 → 逆变器 (never 全线设备 → 设备: every product is one)
        elif len(part) >= 3 or re.search(r"\d", part):
            out.add(part)
            out |= short_codes(part)
    return {a for a in out if len(a) >= 2}


def _head(words: list[str]) -> str | None:
    """The head noun of a product name's words: the last word (光伏逆变器 → 逆变器), never a generic one (全线设备);
    an everyday last word takes the word before it (空压站云平台 → 云平台, 空压站节能改造 → 节能改造)."""
    if not words or not _CJK.search(words[-1]) or words[-1] in _GENERIC_HEADS:
        return None
    head = words[-1]
    if jieba.dt.FREQ.get(head, 0) >= _HEAD_MAX_FREQ:
        if len(words) < 2 or not _CJK.search(words[-2]):
            return None
        head = words[-2] + head
        if jieba.dt.FREQ.get(head, 0) >= _HEAD_MAX_FREQ:
            return None
    return head if len(head) >= 2 else None


def short_codes(code: str) -> set[str]:
    """The short forms reps type for a model number: without its series prefix (RM-M500Q → m500q, GY-C12 → c12)
    and without its variant letters (QF-75VSD → qf-75, RM-M500Q → m500)."""
    out: set[str] = set()
    m = re.fullmatch(r"[a-z]{1,4}-([a-z][a-z0-9\-]*\d[a-z0-9\-]*)", code)
    forms = [code] + ([m.group(1)] if m else [])
    for form in forms:
        out.add(form)
        short = truncated_code(form)
        if short:
            out.add(short)
    out.discard(code)
    return {f for f in out if len(f) >= 2}


def truncated_code(code: str) -> str | None:
    """A model number without its trailing letters, the way reps shorten it: QF-75VSD → qf-75, OF-22W → of-22
    (a variant suffix; the series and the number name the machine). None when nothing is left to say."""
    m = re.fullmatch(r"(.*[a-z].*\d)[a-z]{1,4}", code)
    return m.group(1) if m else None


_SEPARATOR = r"[\s\-_/+.]?"


def _code_pattern(alias: str) -> str:
    """A regex for an ASCII name or model number that also matches how reps type it: with or without
    its hyphens and spaces, and split where letters meet digits (cb-10 ~ cb10 ~ cb 10 ~ CB_10)."""
    pieces = [p for p in re.split(r"[\s\-_/+]+", alias) if p]
    parts: list[str] = []
    for piece in pieces:
        parts.extend(re.findall(r"[a-z]+|[0-9]+|[^a-z0-9]+", piece))
    return _SEPARATOR.join(re.escape(p) for p in parts)


def _named(question: str, alias: str) -> bool:
    if _CJK.search(alias):
        return alias in question
    return re.search(rf"(?<![a-z0-9]){_code_pattern(alias)}(?![a-z0-9])", question) is not None


CACHE_SECONDS = 30.0  # the catalogue (products, competitors) is read at most this often per process


class Catalogue(NamedTuple):
    """A tenant's names as questions use them, read from its documents once per ``CACHE_SECONDS``."""
    competitors: dict[str, set[str]]  # alias → competitor names
    products: dict[str, set[str]]  # alias → product names
    names: tuple[str, ...]  # every product name, sorted
    whole_range: frozenset[str]  # the product names that stand for the whole range (全线产品, 全系列)


_catalogue: dict[int, tuple[float, Catalogue]] = {}


_chunk_counts: dict[int, tuple[float, int]] = {}


def forget(tenant_id: int) -> None:
    """Drop a tenant's cached catalogue and chunk count (after an ingest or a delete in this process)."""
    _catalogue.pop(tenant_id, None)
    _chunk_counts.pop(tenant_id, None)


async def chunk_count(conn: asyncpg.Connection, tenant_id: int) -> int:
    """How many chunks the tenant has (for IDF; cached like the catalogue: a count off by a recent
    ingest in another process changes IDFs by a hair)."""
    now = time.monotonic()
    hit = _chunk_counts.get(tenant_id)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    n = int(await queries.kb_chunk_count(conn, tenant_id=tenant_id))
    _chunk_counts[tenant_id] = (now, n)
    return n


async def catalogue(conn: asyncpg.Connection, tenant_id: int) -> Catalogue:
    """The tenant's competitor and product names and their aliases, from its documents (cached)."""
    now = time.monotonic()
    hit = _catalogue.get(tenant_id)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    by_competitor: dict[str, set[str]] = defaultdict(set)
    by_product: dict[str, set[str]] = defaultdict(set)
    for row in await queries.kb_subjects(conn, tenant_id=tenant_id):
        if row["competitor"]:
            for alias in competitor_aliases(row["competitor"]):
                by_competitor[alias].add(row["competitor"])
        if row["product"] and row["kind"] == "selling_point":
            for alias in product_aliases(row["product"]):
                by_product[alias].add(row["product"])
    names = tuple(sorted({p for products in by_product.values() for p in products}))
    found = Catalogue(by_competitor, by_product, names,
                      frozenset(p for p in names if _WHOLE_RANGE.search(normalise(p))))
    _catalogue[tenant_id] = (now, found)
    return found


async def infer(conn: asyncpg.Connection, tenant_id: int, question: str, kind: str | None = None) -> Filters:
    """The filters the question makes clear, plus an explicit kind when the caller gives one."""
    question = normalise(question)
    known = await catalogue(conn, tenant_id)
    by_competitor, by_product = known.competitors, known.products
    named_competitors = [alias for alias in by_competitor if _named(question, alias)]
    named_products = [alias for alias in by_product if _named(question, alias)]
    competitors = sorted({c for alias in named_competitors for c in by_competitor[alias]})
    products = sorted({p for alias in named_products for p in by_product[alias]})
    # A model number however typed (E 6, e-6, E6) stands in the question in the catalogue's spelling, so
    # the lexical terms meet the documents' (the split "e 6" alone would be the terms "6" and nothing).
    codes = sorted({a for a in named_products + named_competitors
                    if not _CJK.search(a) and re.search(r"[0-9]", a) and a not in question})
    # A shortened model (qf75 for QF-75VSD, m500 for RM-M500Q) stands in the catalogue's full spelling too: the documents' terms
    # are the full model's (qf-75vsd), never the short one.
    codes = sorted(set(codes) | {part for alias in named_products if not _CJK.search(alias)
                                 for product in by_product[alias]
                                 for part in _NAME_PARTS.split(normalise(product))
                                 if part and alias in short_codes(part)})
    if len(products) > 1 and 2 * len(products) >= len(known.names):
        # A category most of the catalogue shares (空压机 of four compressors out of seven products) picks out no
        # product: the answer may be the platform or service around them (群控 in the cloud platform's note).
        products = []
    if products:
        # A note on the whole range (全线产品, 擎风全系列空压机) holds for the product named too: never dropped.
        products = sorted(set(products) | known.whole_range)
    return Filters(kinds=[kind] if kind else None, competitors=competitors or None, products=products or None,
                   named=sorted(set(named_competitors + named_products)), codes=codes)

"""Numbers in messages: Chinese numerals and CNY amounts (50万, 一点二亿, 30k). Phones: bot.intents.phones."""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

CN_NUM_CHARS = "零〇一二两三四五六七八九十百千万亿点幺"


@dataclass
class Found:
    start: int
    end: int
    value: object
    ambiguous: str | None = None  # why the reading is doubtful, if it is



# ---------------------------------------------------------------- amounts

_UNIT = {
    "万": 10_000, "w": 10_000, "亿": 100_000_000, "k": 1_000, "千": 1_000, "m": 1_000_000,
    "百万": 1_000_000, "千万": 10_000_000, "元": 1, "块": 1, "rmb": 1, "cny": 1, "yuan": 1, "mn": 1_000_000,
    "million": 1_000_000, "thousand": 1_000, "万元": 10_000, "亿元": 100_000_000, "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}
_ASCII_AMOUNT = re.compile(
    r"(?<![A-Za-z0-9\-_./:@])(?P<cur>[¥￥$]|rmb|cny)?\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<dec>\d+))?"
    r"\s?(?P<ge>个)?\s?(?P<unit>万元|亿元|百万|千万|万|亿|千|元|块|million|thousand|billion|mn|bn|rmb|cny|yuan|w|k|m)?"
    r"(?![A-Za-z0-9%:]|\.\d|\s?(?:天|日|号|点|台|套|个月|月|年|度|周|岁|人|次|小时|分钟|%|％|倍|kw|kwh|mw|v\b))",
    re.IGNORECASE,
)
_CN_AMOUNT = re.compile(
    r"(?P<num>[零〇一二两三四五六七八九十百千点]+)(?P<ge>个)?(?P<unit>万元|亿元|万|亿|元|块)"
    # 六十五万五千 / 一百万零五千: a thousands part spoken after 万
    r"(?:(?<=万)(?P<rest>零?[一二两三四五六七八九]千(?:[零一二两三四五六七八九]百)?)(?![万亿]))?"
)
# 预算八十万不对是九十万 / 三十万哦不对四十万 / 不是八十万是九十万: the rep corrected the amount.
_CORRECTION_BETWEEN = re.compile(
    r"^\s*[,，.。]?\s*(?:哦|噢|啊|呃|嗯|额)?\s*(?:不对|不是|说错了|错了|搞错了|更正一下|更正|纠正一下|纠正|sorry|no|i mean)"
    r"\s*[,，.。]?\s*(?:应该|其实)?\s*(?:是|为)?\s*(?:预算|报价|合同额|金额)?\s*(?:是|为)?\s*$",
    re.IGNORECASE,
)
AMOUNT_LABEL = re.compile(
    r"(?:预算|budget|报价|报了|合同额|合同金额|合同价|金额|总价|最终价|成交价|价格|价|回款|收款|付款|到账|quote|quoted|price|value|"
    r"deal size|worth|signed|定金|首付|尾款|签了|拿下了?|签约)(?:大概|大约|约|差不多|在|是|为|有)*[\s:：]*$",
    re.IGNORECASE,
)


def cn_number(text: str) -> float | None:
    """一百二十 → 120, 一点二 → 1.2, 两百 → 200 (cn2an, smart mode)."""
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, IndexError):
        return None


def find_amounts(s: str) -> list[Found]:
    """CNY amounts in the normalised text. Bare numbers count only after an amount word."""
    out: list[Found] = []
    for m in _ASCII_AMOUNT.finditer(s):
        unit = (m.group("unit") or "").lower()
        cur = m.group("cur")
        num = float(m.group("num").replace(",", "") + ("." + m.group("dec") if m.group("dec") else ""))
        before = s[: m.start()]
        labelled = bool(AMOUNT_LABEL.search(before[-14:]))
        if unit == "m" and not re.match(r"[\s,.;，。]|$", s[m.end(): m.end() + 1] or ""):
            continue
        if not unit and not cur and not labelled:
            continue
        if not unit and "," in m.group("num") and not cur:
            pass
        value = num * _UNIT.get(unit, 1)
        amb = None
        if not unit and not cur and value < 10_000 and labelled:
            amb = "amount_unit"  # 预算200: 200 元 or 200 万?
        out.append(Found(m.start(), m.end(), int(round(value)), amb))
    for m in _CN_AMOUNT.finditer(s):
        if any(f.start < m.end() and m.start() < f.end for f in out):
            continue
        if m.group("unit") == "块" and re.match(r"[\u3400-\u9fff]", s[m.end():m.end() + 1]) and not re.match(r"[钱左上多的一每吧啊呢了人]", s[m.end():m.end() + 1]):
            continue  # 八十块智慧黑板: 块 counts boards here, not yuan
        num = cn_number(m.group("num"))
        if num is None:
            continue
        value = num * _UNIT[m.group("unit")]
        if m.group("rest"):
            extra = cn_number(m.group("rest").lstrip("零"))
            if extra is not None:
                value += extra
        out.append(Found(m.start(), m.end(), int(round(value))))
    # Chinese numerals with no unit after an amount word (预算一百五): reads two ways.
    for m in re.finditer(r"[一二两三四五六七八九十百千点]{2,}", s):
        if any(f.start <= m.start() < f.end for f in out):
            continue
        if AMOUNT_LABEL.search(s[: m.start()][-14:]) and not re.match(r"[万亿元块天个台套%]", s[m.end(): m.end() + 1]):
            num = cn_number(m.group(0))
            if num is not None:
                out.append(Found(m.start(), m.end(), int(round(num)), "amount_unit"))
    out.sort(key=lambda f: f.start)
    # widen over approximation words so they leave the text with the number
    for f in out:
        tail = re.match(r"\s?(?:左右|上下|出头|多|以内|以上|的样子|the\s+most)", s[f.end:])
        if tail:
            f.end += tail.end()
    # a corrected amount gives way to the one that follows the correction
    kept = []
    for k, f in enumerate(out):
        nxt = out[k + 1] if k + 1 < len(out) else None
        if nxt and f.ambiguous is None and _CORRECTION_BETWEEN.match(s[f.end:nxt.start]):
            continue
        if nxt and re.search(r"不是\s*$", s[max(0, f.start - 4):f.start]) and re.match(r"\s*[,，]?\s*(?:而)?是\s*$", s[f.end:nxt.start]):
            continue
        kept.append(f)
    return kept


def cn_small_int(text: str) -> int | None:
    """三 → 3, 十五 → 15, 15 → 15."""
    if text.isdigit():
        return int(text)
    v = cn_number(text)
    return int(v) if v is not None and v == int(v) else None


def cn_number_value(text: str) -> int | float | None:
    """A whole Chinese numeral as a number (一万零五十 → 10050), or None."""
    v = cn_number(text)
    if v is None:
        return None
    return int(v) if v == int(v) else v


# phones moved to bot.intents.phones; kept importable from here for callers that still do
from bot.intents.phones import PHONE_DIGITS, PHONE_LABEL, find_phones  # noqa: E402,F401

"""Numbers in messages: Chinese numerals and CNY amounts (50万, 一点二亿, 30k, 三万五, 壹万贰仟).

Two layers:
- ``parse_numeral``: a small grammar for one written number — Chinese digits (everyday and
  financial forms), units 十百千 / 万亿, 零, 点 decimals, 半, ASCII digits mixed in (25万6千,
  1亿2000万), and the spoken abbreviations (三万五 = 35000, 一千五 = 1500, 十二万五 = 125000).
- ``find_amounts``: numbers in a sentence with their magnitude (万 / w / 亿 / k / M) and currency
  (元 / 块 / ¥ / 人民币; another currency leaves the amount out), approximation words kept as the
  stated round figure (八十多万 → 800000), and a corrected amount giving way to its correction.
Word lists live in ``numwords``. Phones: ``bot.intents.phones``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.intents import numwords as W

CN_NUM_CHARS = "零〇一二两三四五六七八九十百千万亿点幺"


@dataclass
class Found:
    start: int
    end: int
    value: object
    ambiguous: str | None = None  # why the reading is doubtful, if it is


# ---------------------------------------------------------------- one numeral

_ASCII_NUM = re.compile(r"\d+(?:\.\d+)?")


def _tokens(text: str) -> list[tuple[str, float]] | None:
    """('n', value) numbers, ('u', 10|100|1000) small units, ('U', 10^4|10^8) big units, ('z', 0) zeros."""
    out: list[tuple[str, float]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        m = _ASCII_NUM.match(text, i)
        if m:
            out.append(("n", float(m.group(0))))
            i = m.end()
            continue
        if ch in W.ZERO_CHARS:
            out.append(("z", 0))
        elif ch in W.DIGITS:
            out.append(("d", W.DIGITS[ch]))
        elif ch in W.TENS:
            out.append(("n", W.TENS[ch]))
        elif ch in W.SMALL_UNITS:
            out.append(("u", W.SMALL_UNITS[ch]))
        elif ch in W.BIG_UNITS:
            out.append(("U", W.BIG_UNITS[ch]))
        elif ch == "点" and out and out[-1][0] in "dnz":
            # 一点二五: the digits after 点 are decimals
            j = i + 1
            frac = ""
            while j < n and text[j] in W.DIGITS:
                frac += str(W.DIGITS[text[j]])
                j += 1
            if not frac:
                return None
            kind, v = out.pop()
            out.append(("n", float(f"{int(v)}.{frac}")))
            i = j
            continue
        elif ch == "半" and out and out[-1][0] in "dn":
            kind, v = out.pop()
            out.append(("n", v + 0.5))
        elif ch in "个 ":
            pass
        else:
            return None
        i += 1
    return out


def _section(toks: list[tuple[str, float]]) -> float | None:
    """A number below 万: 三千二百零五, 一千五 (= 1500), 两百五 (= 250), 十五, 3541.07."""
    total = 0.0
    n: float | None = None
    n_digit = False  # n is a single Chinese digit (so 一千五 reads 1500)
    last_unit = 0
    zero = False
    for kind, v in toks:
        if kind in "dn":
            if n is not None:
                return None  # 两三 / 十七八: a range, not one number
            n, n_digit = v, kind == "d"
        elif kind == "z":
            if n is not None:
                return None
            zero = True
        elif kind == "u":
            if last_unit and v >= last_unit:
                return None
            total += (1 if n is None else n) * v
            n, last_unit, zero = None, int(v), False
    if n is not None:
        if last_unit >= 100 and not zero and n_digit:
            total += n * last_unit / 10
        else:
            total += n
    return total


def _value(toks: list[tuple[str, float]]) -> float | None:
    if not toks:
        return 0.0
    big = [k for k, (kind, _) in enumerate(toks) if kind == "U"]
    if not big:
        return _section(toks)
    top = max(toks[k][1] for k in big)
    k = max(i for i in big if toks[i][1] == top)
    left, right = toks[:k], toks[k + 1:]
    lv = _value(left) if left else 1.0
    if lv is None:
        return None
    # 三万五: one digit after the big unit is the next digit down (5000), unless a 零 stands between
    if len(right) == 1 and right[0][0] in "dn" and right[0][1] < 10 and right[0][1] == int(right[0][1]):
        rv = right[0][1] * top / 10
    else:
        if right and right[0][0] == "z":
            right = right[1:]
        rv = _value(right)
        if rv is None:
            return None
    return lv * top + rv


# 十五六万 / 二三十万 / 三四百 / 一两万: two neighbouring digits before a unit state a range; as an amount
# its stated round figure is the lower one (as 八十多万 is 800000); parse_numeral itself keeps a range unread
_RANGE_RE = re.compile(r"([一二两三四五六七八九])([二两三四五六七八九])(?=[十百千万亿])")
_DIGIT_OF = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _range_low(m: re.Match) -> str:
    a, b = _DIGIT_OF[m.group(1)], _DIGIT_OF[m.group(2)]
    return m.group(1) if b == a + 1 else m.group(0)


def parse_numeral(text: str) -> float | None:
    """One written number → its value: 一万零五十 → 10050, 三万五 → 35000, 壹万贰仟 → 12000,
    25万6千 → 256000, 一个半亿 → 1.5e8, 一点二 → 1.2, 一三八 → 138 (digits read one by one)."""
    text = text.replace(",", "").strip()
    if not text:
        return None
    toks = _tokens(text)
    if not toks:
        return None
    kinds = {k for k, _ in toks}
    if kinds <= {"d", "z"} and len(toks) > 1:
        return float("".join(str(int(v)) for _, v in toks))  # 一二三四 → 1234
    return _value(toks)


def cn_number(text: str) -> float | None:
    """一百二十 → 120, 一点二 → 1.2, 两百 → 200."""
    return parse_numeral(text)


def cn_number_value(text: str) -> int | float | None:
    """A whole Chinese numeral as a number (一万零五十 → 10050), or None."""
    v = parse_numeral(text)
    if v is None:
        return None
    return int(v) if v == int(v) else v


def cn_small_int(text: str) -> int | None:
    """三 → 3, 十五 → 15, 15 → 15, 廿 → 20."""
    if text.isdigit():
        return int(text)
    v = parse_numeral(text)
    return int(v) if v is not None and v == int(v) else None


# ---------------------------------------------------------------- amounts

_D = "".join(k for k in W.DIGITS if k not in "幺洞拐")
_CN_PART = rf"(?:[{_D}廿卅十拾]|(?<=[{_D}])[百佰千仟])[{_D}廿卅十拾百佰千仟]*(?:点[{_D}]+)?"
_NUM_GROUP = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:[千百](?![0-9]))?|{_CN_PART}"
_APPROX = "|".join(W.APPROX_INFIX)
_NUMERAL = (
    rf"(?:(?:{_NUM_GROUP})(?:个半|个|半)?(?:{_APPROX})?\s?[万亿]+零?)*(?:{_NUM_GROUP})(?:个半|个|半)?(?:(?:{_APPROX})?\s?[万亿]+)?"
    rf"|(?:(?:{_NUM_GROUP})(?:个半|个|半)?(?:{_APPROX})?\s?[万亿]+零?)+"
)
_MAGS = sorted((k for k in W.AMOUNT_MAGNITUDES if k not in ("万", "亿", "千")), key=len, reverse=True)
_YUAN = sorted(W.YUAN_WORDS, key=len, reverse=True)
_PRE = sorted(W.YUAN_PREFIXES, key=len, reverse=True)
_AMOUNT = re.compile(
    rf"(?P<pre>(?:{'|'.join(map(re.escape, _PRE))})\s*)?"
    rf"(?P<num>{_NUMERAL})"
    rf"(?P<approx>{_APPROX})?"
    rf"(?:\s?(?P<mag>{'|'.join(map(re.escape, _MAGS))})(?![a-z]))?"
    rf"(?P<approx2>{_APPROX})?"
    rf"(?:\s?(?P<yuan>{'|'.join(map(re.escape, _YUAN))}))?",
    re.IGNORECASE,
)
_OTHER_AFTER = re.compile(r"\s?(?:" + "|".join(map(re.escape, sorted(W.OTHER_CURRENCY_AFTER, key=len, reverse=True))) + ")",
                          re.IGNORECASE)
_OTHER_BEFORE = re.compile(r"(?:" + "|".join(map(re.escape, sorted(W.OTHER_CURRENCY_BEFORE, key=len, reverse=True)))
                           + r")\s?$", re.IGNORECASE)
_COUNT_AFTER = re.compile(r"\s?(?:" + "|".join(map(re.escape, sorted(W.COUNT_MEASURES, key=len, reverse=True))) + ")",
                          re.IGNORECASE)
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
_RANGE_NEXT = re.compile(
    rf"\s?(?:-|~|到|至)\s?(?P<num>{_NUMERAL})(?:\s?(?P<mag>{'|'.join(map(re.escape, _MAGS))})(?![a-z]))?", re.IGNORECASE
)
_APPROX_TAIL = re.compile(r"\s?(?:" + "|".join(map(re.escape, W.APPROX_SUFFIX)) + ")")


def _amount_at(s: str, m: re.Match) -> Found | None:
    num = m.group("num")
    pre, mag, yuan = m.group("pre"), (m.group("mag") or "").lower(), m.group("yuan")
    if num[0] in "千百佰仟万亿":
        return None  # 千万别 / 百度 / 万科: words, not numbers
    before = s[: m.start()]
    after = s[m.end():]
    if _OTHER_BEFORE.search(before[-5:]) or _OTHER_AFTER.match(after):
        return None  # another currency: not our amount
    if not pre and yuan is None and num.isascii() and re.fullmatch(r"\d", num) is None and \
            re.search(r"(?:[A-Za-z0-9_/.@]|[A-Za-z][\-_])$", s[max(0, m.start() - 2): m.start()]):
        return None  # a code or version (V2.5, HC-INV-50K, A/300)
    if mag == "m" and not re.match(r"[\s,.;，。!?)）]|/\s*(?:yr|year|年|month|mo|月)\b|$", after):  # 1.2M/yr is money
        return None  # 3m长: metres
    if yuan == "块" and re.match(r"[\u3400-\u9fff]", after[:1]) and not re.match(r"[钱左上多的一每吧啊呢了人]", after[:1]):
        return None  # 八十块智慧黑板: 块 counts boards here, not yuan
    has_big = bool(re.search(r"[万亿]", num))
    if not (yuan or pre or mag) and _COUNT_AFTER.match(after):
        return None  # 两千万人 / 315万字 / 12月: counted things
    rng = None if (yuan or pre or mag or re.search(r"[万亿]", num)) else _RANGE_NEXT.match(after)
    if rng and not (rng.group("mag") or re.search(r"[万亿]", rng.group("num"))):
        rng = None
    if not (yuan or pre or mag or rng or re.search(r"[万亿]", num)) and re.match(r"\s?[:：.点号日月年/\-]\d?", after):
        return None  # a time or a date
    clean = re.sub(rf"(?:{_APPROX})(?=\s?[万亿])|\s", "", num)
    value = parse_numeral(_RANGE_RE.sub(_range_low, clean))  # 十五六万: an amount's range reads as its lower figure
    if value is None:
        return None
    value *= W.AMOUNT_MAGNITUDES.get(mag, 1)
    labelled = bool(AMOUNT_LABEL.search(before[-14:]))
    if not (yuan or pre or mag or has_big):
        if rng:
            # 150-200万 / 两到三万: the first figure shares the unit stated after the second
            unit = rng.group("mag") or ""
            tail = re.search(r"[万亿]+$", rng.group("num"))
            mult = W.AMOUNT_MAGNITUDES.get(unit.lower(), 1) * (
                1 if not tail else 10_000 ** tail.group(0).count("万") * 100_000_000 ** tail.group(0).count("亿"))
            return Found(m.start(), m.end(), int(round(value * mult)))
        if not labelled:
            return None
        if re.fullmatch(r"[\d,.]+", num) and value >= 10_000:
            return Found(m.start(), m.end(), int(round(value)))  # 预算 350000: plain yuan
        if re.search(r"[千百十]", num) is None and not num.isascii():
            return None  # 预算三: not an amount
        return Found(m.start(), m.end(), int(round(value)), "amount_unit")  # 预算200 / 预算一百五: 元 or 万?
    start = m.start() if not pre else m.start("num") if pre.strip() in ("人民币",) else m.start()
    return Found(start, m.end(), int(round(value)))


_PER_AFTER = re.compile(
    r"(?:(?<=[万亿千百十])|(?<=[万亿千][一二两三四五六七八九]))一(?:个)?(?:年|月|季度|季|天|周|星期|礼拜|台|套)(?![前后底初中])")


def find_amounts(s: str) -> list[Found]:
    """CNY amounts in the normalised text. Bare numbers count only after an amount word (and are then
    marked ambiguous when the unit is unclear)."""
    out: list[Found] = []
    # 三万五一个月 / 一百五十来万一年 / 五万一台: the period or unit a sum is per is no digit of it
    s = _PER_AFTER.sub(lambda pm: "\x00" * len(pm.group(0)), s)
    pos = 0
    while pos < len(s):
        m = _AMOUNT.search(s, pos)
        if not m:
            break
        if m.end() == m.start():
            pos = m.end() + 1
            continue
        # a number glued to letters or digits before it is part of a code (A300, x4), not an amount
        if m.start() > 0 and re.match(r"[A-Za-z_]", s[m.start() - 1]) and not m.group("pre"):
            pos = m.end()
            continue
        f = _amount_at(s, m)
        if f:
            out.append(f)
        pos = m.end()
    # widen over approximation words so they leave the text with the number
    for f in out:
        tail = _APPROX_TAIL.match(s, f.end)
        if tail:
            f.end = tail.end()
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


def __getattr__(name: str):
    """Phones moved to bot.intents.phones; still importable from here for callers that do."""
    if name in ("PHONE_DIGITS", "PHONE_LABEL", "find_phones"):
        from bot.intents import phones

        return getattr(phones, name)
    raise AttributeError(name)

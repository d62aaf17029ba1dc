"""Phone numbers in messages: digits or spoken (一三八… / 幺八五洞…), as digit strings.

How a number is read (shared/datasets/README.md):
1. Candidates are runs of digits joined by spaces, hyphens, dots or brackets, with an optional
   country code (+86 / 0086 / 86, +852, +853, +886). Spoken digit runs are read digit by digit.
2. The country code is dropped; a mainland landline written after +86 gets its trunk 0 back
   (+86 10 5908 1185 → 01059081185), a Taiwan number too (+886 912… → 0912…).
3. The digits are cut into valid numbers at the group boundaries: a list (13604779660 13604770960)
   gives each number, an extension (…-8001) is dropped.
4. Never a phone: an identity-card number (15 or 18 digits, the last may be X), digits after an ID /
   postcode / order-number label, digits glued to letters, decimals, codes.
"""

from __future__ import annotations

import re

from bot.intents import numwords as W
from bot.intents.numerals import Found

# Spoken digits in a phone number (幺 is "one" on the phone, 洞 "zero", 拐 "seven"; 两 sometimes "two").
PHONE_DIGITS = {k: str(v) for k, v in W.DIGITS.items() if k not in "俩仨"}
for _d in "0123456789":
    PHONE_DIGITS[_d] = _d

_CN_DIGIT_RUN = re.compile("[" + "".join(k for k in PHONE_DIGITS if not k.isascii()) + "0-9]{7,}")

PHONE_LABEL = re.compile(
    r"(?:" + "|".join(map(re.escape, sorted(W.PHONE_LABELS, key=len, reverse=True))) + r")(?:号码|号)?(?:是|为)?[\s:：]*$",
    re.IGNORECASE,
)
_NOT_PHONE_LABEL = re.compile(
    r"(?:" + "|".join(map(re.escape, sorted(W.NOT_PHONE_LABELS, key=len, reverse=True))) + r")(?:码|号|号码)?(?:是|为)?[\s:：]*$"
)

# A candidate: digit groups joined by single separators, brackets allowed around a group, a + before.
_CAND = re.compile(
    r"(?<![A-Za-z0-9_.@¥$/\\])(?<!\d\.)"
    r"(?:\+\s?|\(\s?\+?)?\d+\s?\)?"
    r"(?:(?:\s?[-–.]\s?|\s|\s?\)\s?|\s?\(\s?)?\d+\)?)*"
    r"(?![A-Za-z0-9%@]|\.\d|\s?[*=+]\s?\d|/\d|[:：]\d)"
)
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0[1-9]\d{8,10}")  # area code with its 0, then the local number (10–12 digits)


_EN_DIGITS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
              "seven": "7", "eight": "8", "nine": "9"}
_EN_DIGIT_RUN = re.compile(
    r"(?<![A-Za-z])(?:(?:(?:double|triple)\s+)?(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)(?:[\s,-]+|$)){7,}", re.IGNORECASE
)


def _id_number(digits: str) -> bool:
    """A mainland identity-card number: 18 digits (the last may be X) with a birth date, or 15 digits."""
    return bool(re.fullmatch(r"\d{17}[\dXx]|\d{15}", digits))


def _valid(d: str, cc: str) -> str | None:
    """The number as we store it, or None if these digits are not one phone number."""
    if cc in ("852", "853"):
        return d if re.fullmatch(r"\d{8}", d) else None
    if cc == "886":
        d = d if d.startswith("0") else "0" + d
        return d if re.fullmatch(r"0\d{8,9}", d) else None
    if _MOBILE.fullmatch(d):
        return d
    if _LANDLINE.fullmatch(d):
        return d
    if cc == "86" and re.fullmatch(r"[2-9]\d{8,10}|10\d{8}", d):
        return "0" + d  # +86 10 5908 1185: the trunk 0 comes back
    return None


def _split_cc(groups: list[str], plus: bool) -> tuple[str, list[str]]:
    first = groups[0]
    for cc in ("86", "852", "853", "886"):
        if plus or len(groups) > 1:
            if first in (cc, "00" + cc):
                return cc, groups[1:]
        if (plus and first.startswith(cc) and len(first) > len(cc) + 6) or (first.startswith("00" + cc) and len(first) > len(cc) + 8):
            return cc, [first[len(cc) + (0 if plus else 2):], *groups[1:]]
    return "", groups


def _read(groups: list[str], cc: str, labelled: bool, spaced: bool, spoken: bool = False) -> list[str]:
    """Cut the groups into phone numbers at group boundaries, longest valid prefix first."""
    out = []
    k = 0
    while k < len(groups):
        best = None
        acc = ""
        for j in range(k, len(groups)):
            acc += groups[j]
            if len(acc) > 13:
                break
            v = _valid(acc, cc)
            if v:
                best = (j, v)
        if best is None:
            break
        out.append(best[1])
        k = best[0] + 1
        if k < len(groups) and len(groups[k]) <= 5 and len("".join(groups[k:])) <= 5:
            break  # …-8001: an extension
    if out:
        return out
    d = "".join(groups)
    if spoken:
        return []  # a spoken number of the wrong length: the bot asks again
    if cc == "" and len(d) == 9 and len(groups) == 2 and re.fullmatch(r"0\d{1,2}", groups[0]):
        return [d]  # a Taiwan landline with a one-digit area code (03-5781234)
    if cc == "" and len(d) == 8 and (labelled or spaced):
        return [d]  # a Hong Kong / Macau or local number written 9123 4567, or after a label
    if cc == "" and labelled and 7 <= len(d) <= 12:
        return [d]
    return []


def find_phones(s: str) -> list[Found]:
    """Phone numbers in the normalised text, as digit strings, in order."""
    out: list[Found] = []
    # spoken digit runs (一三八…), read digit by digit into a same-length copy
    chars = list(s)
    spoken: list[tuple[int, int]] = []
    for m in _CN_DIGIT_RUN.finditer(s):
        if m.group(0).isascii():
            continue
        for i in range(m.start(), m.end()):
            chars[i] = PHONE_DIGITS[s[i]]
        spoken.append((m.start(), m.end()))
    t = "".join(chars)
    for m in _CAND.finditer(t):
        text = m.group(0)
        groups = re.findall(r"\d+", text)
        if not groups:
            continue
        before = s[: m.start()]
        if _NOT_PHONE_LABEL.search(before[-10:]):
            continue
        if any(_id_number(g) for g in groups) or re.match(r"[Xx]", t[m.end():m.end() + 1]) and len("".join(groups)) == 17:
            continue  # an identity-card number is never a phone
        labelled = bool(PHONE_LABEL.search(before[-14:]))
        cc, rest = _split_cc(groups, text.lstrip("(（ ").startswith("+"))
        if not rest:
            continue
        spaced = bool(re.fullmatch(r"\(?\d{4}\)?[\s-]\d{4}", text.strip()))
        is_spoken = any(a <= m.start() < b for a, b in spoken)
        nums = _read(rest, cc, labelled, spaced, is_spoken)
        if not nums:
            d = "".join(rest)
            if is_spoken and (labelled or len(d) >= 10):
                out.append(Found(m.start(), m.end(), d, ambiguous="phone_length"))
            continue
        for v in nums:
            out.append(Found(m.start(), m.end(), v))
    # spoken in English (phone one three nine one seven …, voice input): seven or more digit words in a row
    for m in _EN_DIGIT_RUN.finditer(s):
        words = re.findall(r"[a-z]+", m.group(0).lower())
        d, k = "", 0
        while k < len(words):
            if words[k] in ("double", "triple") and k + 1 < len(words) and words[k + 1] in _EN_DIGITS:
                d += _EN_DIGITS[words[k + 1]] * (2 if words[k] == "double" else 3)
                k += 2
                continue
            d += _EN_DIGITS.get(words[k], "")
            k += 1
        v = _valid(d, "")
        labelled = bool(PHONE_LABEL.search(s[: m.start()][-14:]))
        if v:
            out.append(Found(m.start(), m.end(), v))
        elif labelled and len(d) >= 10:
            out.append(Found(m.start(), m.end(), d, ambiguous="phone_length"))
    out.sort(key=lambda f: f.start)
    return out

"""Phone numbers in messages (digits or spoken 一三八…)."""

from __future__ import annotations

import re

from bot.intents.numerals import Found

# Spoken digits in a phone number (幺 is "one" on the phone; 两 sometimes too).
PHONE_DIGITS = {
    "零": "0", "〇": "0", "洞": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
    "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
}
for _d in "0123456789":
    PHONE_DIGITS[_d] = _d

_CN_DIGIT_RUN = re.compile(r"[零〇一二两三四五六七八九幺0-9]{7,}")

# A run of ASCII digits written as a phone: optional country code, groups split by spaces or hyphens.
_ASCII_PHONE = re.compile(
    r"(?<![A-Za-z0-9_.@¥$￥])(?<!\d,)(\+?\(?(?:86|852|853|886)\)?[\s-]?)?(\d{2,4}(?:[\s-]?\d{2,4}){1,4})(?![A-Za-z0-9_%@]|[.,]\d)"
)

PHONE_LABEL = re.compile(
    r"(?:电话号码|联系电话|电话|手机号码|手机号|手机|座机|微信同号|微信号|微信|同微信|tel|phone|mobile|cell|whatsapp|电话是|手机是)(?:号码|号)?(?:是|为)?[\s:：]*$",
    re.IGNORECASE,
)


def find_phones(s: str) -> list[Found]:
    """Phone numbers in the normalised text, as digit strings."""
    out: list[Found] = []
    for m in _ASCII_PHONE.finditer(s):
        cc = (m.group(1) or "").strip()
        digits = re.sub(r"\D", "", m.group(2))
        before = s[: m.start()]
        labelled = bool(PHONE_LABEL.search(before[-12:]))
        ok = False
        if re.fullmatch(r"1[3-9]\d{9}", digits):
            ok = True
        elif re.fullmatch(r"0\d{9,11}", digits):  # landline with area code, or Taiwan 09xx mobile
            ok = True
        elif re.fullmatch(r"0\d{1,2}[\s-]\d{6,8}", m.group(2)) and len(digits) == 9:
            ok = True  # Taiwan landline with a one-digit area code (03-5781234)
        elif len(digits) == 8 and (labelled or "852" in cc or "853" in cc or " " in m.group(2)):
            ok = True  # Hong Kong / Macau local numbers
        elif len(digits) in (9, 10) and "886" in cc:
            digits = digits if digits.startswith("0") else "0" + digits
            ok = True
        elif labelled and 7 <= len(digits) <= 12:
            ok = True
        if ok:
            out.append(Found(m.start(), m.end(), digits))
    taken = [(f.start, f.end) for f in out]
    for m in _CN_DIGIT_RUN.finditer(s):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        run = m.group(0)
        if run.isascii():
            continue
        digits = "".join(PHONE_DIGITS[c] for c in run)
        labelled = bool(PHONE_LABEL.search(s[: m.start()][-12:]))
        if re.fullmatch(r"1[3-9]\d{9}", digits) or re.fullmatch(r"0\d{9,11}", digits):
            out.append(Found(m.start(), m.end(), digits))
        elif labelled or len(digits) >= 10:
            out.append(Found(m.start(), m.end(), digits, ambiguous="phone_length"))
    out.sort(key=lambda f: f.start)
    return out



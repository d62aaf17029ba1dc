"""Relative dates and times (明天下午3点, 下周二上午, 后天 10:30, tomorrow at 4pm, next Tuesday).

Rules (shared/datasets/README.md): 明天 +1 day, 后天 +2, 大后天 +3; 周X / 这周X = that day of the
current Monday–Sunday week; 下周X = that day of the following week; a day without a time → 09:00;
bare 上午 → 09:00, bare 下午 → 14:00; 下午3点 → 15:00. English follows the same rules.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.intents.numerals import cn_small_int

_WD_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
          "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_WD_EN = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_N = r"\d{1,2}|[零一二两三四五六七八九十]{1,3}"

_ZH = re.compile(
    r"(?P<day>大后天|后天|明天|明日|明儿|今天|今日|今儿|"
    r"(?P<wk>下下个?|下个?|这个?|本)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])|"
    rf"(?P<month>{_N})月(?P<dom>{_N})(?:日|号)?|"
    rf"(?P<dom2>{_N})(?:日|号)(?!码)|"
    r"(?P<nd>\d+|[一二两三四五六七八九十]+)(?P<ndu>天|个?星期|个?礼拜|周)(?:之后|以后|后)|"
    r"(?P<nw>下周|下个?星期|下个?礼拜)(?![一二三四五六日天1-7])|"
    r"(?P<mz>明早|明晚|今早|今晚))?"
    r"\s*(?P<period>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|午后|早|晚)?"
    rf"\s*(?:(?P<h>{_N})\s*(?:点|时)(?:钟)?\s*(?:(?P<half>半)|(?P<q>一刻|三刻)|(?P<mi>{_N})(?:分)?)?"
    r"|(?P<hh>\d{1,2})\s*[:：]\s*(?P<mm>\d{2}))?"
)

_EN_DAY = re.compile(
    r"\b(?:(?P<td>today|tonight)|(?P<dat>(?:the\s+)?day\s+after\s+tomorrow)|(?P<tm>tomorrow|tmrw|tmr)|"
    r"(?P<wk>next|this|on|coming)?\s*(?P<wd>mon|tues?|wed|thu|thurs|fri|sat|sun)(?:day|nesday|rsday|urday|s)?\b|"
    r"(?P<nw>next\s+week)|in\s+(?P<nd>\d+|a|an|one|two|three|four|five|six|seven)\s+(?P<ndu>days?|weeks?))\b",
    re.IGNORECASE,
)
_EN_TIME = re.compile(
    r"(?:\bat\s+|@\s*)?\b(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z])"
    r"|\bat\s+(?P<h2>\d{1,2})(?::(?P<mi2>\d{2}))?\b"
    r"|\b(?P<noon>noon|midday)\b"
    r"|\b(?:in\s+the\s+|this\s+)?(?P<per>morning|afternoon|evening)\b",
    re.IGNORECASE,
)
_EN_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


@dataclass
class Due:
    when: dt.datetime
    spans: list[tuple[int, int]] = field(default_factory=list)
    has_day: bool = False  # an explicit day was named (明天, 周五, tomorrow)
    future_day: bool = False  # the named day is after today
    has_time: bool = False  # a clock time was named (3点, 10:30, 4pm)

    def iso(self) -> str:
        return self.when.isoformat(timespec="seconds")


@lru_cache(maxsize=32)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _hour(h: int, period: str | None) -> int:
    if period in ("下午", "傍晚", "晚上", "午后", "晚", "pm", "afternoon", "evening") and h < 12:
        return h + 12
    if period in ("中午", "noon") and h < 6:
        return h + 12
    if period is None and 1 <= h <= 6:
        return h + 12  # "3点给他打电话" in business hours means 15:00
    return h


_PERIOD_DEFAULT = {
    "凌晨": 6, "早上": 9, "早晨": 9, "上午": 9, "早": 9, "中午": 12, "下午": 14, "午后": 14, "傍晚": 18,
    "晚上": 19, "晚": 19, "morning": 9, "noon": 12, "afternoon": 14, "evening": 19,
}


def _week_day(today: dt.date, weekday: int, weeks_ahead: int) -> dt.date:
    monday = today - dt.timedelta(days=today.weekday())
    return monday + dt.timedelta(days=7 * weeks_ahead + weekday)


def find_due(s: str, now: dt.datetime, tz: str = "Asia/Shanghai") -> Due | None:
    """The first date/time the normalised text names, resolved against ``now`` in ``tz``."""
    zone = _zone(tz)
    local = now.astimezone(zone) if now.tzinfo else now.replace(tzinfo=zone)
    return _find_zh(s, local) or _find_en(s, local)


def _find_zh(s: str, local: dt.datetime) -> Due | None:
    today = local.date()
    for m in _ZH.finditer(s):
        if m.end() == m.start():
            continue
        g = m.groupdict()
        has_time = bool(g["h"] or g["hh"])
        if not (g["day"] or g["mz"] or has_time or g["period"]):
            continue
        if g["period"] and not (g["day"] or g["mz"] or has_time):
            # a bare 上午 / 下午 counts only as a whole word next to an action, not inside one (早, 晚)
            if len(g["period"]) < 2:
                continue
        if g["h"] and not g["hh"]:
            # 一点二亿 is a number, not one o'clock
            if re.match(r"\s*(?:万|亿|个|元|块|%|倍)", s[m.end():]) or (g["mi"] and re.match(r"\s*(?:万|亿)", s[m.end():])):
                continue
            if not g["h"].isdigit() and not (g["day"] or g["period"] or g["mz"]):
                continue
        day = today
        has_day = False
        if g["day"]:
            has_day = True
            d = g["day"]
            if d in ("明天", "明日", "明儿"):
                day = today + dt.timedelta(days=1)
            elif d == "后天":
                day = today + dt.timedelta(days=2)
            elif d == "大后天":
                day = today + dt.timedelta(days=3)
            elif d in ("今天", "今日", "今儿"):
                day = today
            elif g["wd"]:
                wk = g["wk"] or ""
                ahead = 2 if wk.startswith("下下") else 1 if wk.startswith("下") else 0
                day = _week_day(today, _WD_ZH[g["wd"]], ahead)
            elif g["month"]:
                mo, dd = cn_small_int(g["month"]), cn_small_int(g["dom"])
                if not mo or not dd or not (1 <= mo <= 12 and 1 <= dd <= 31):
                    continue
                try:
                    day = dt.date(today.year, mo, dd)
                except ValueError:
                    continue
                if day < today - dt.timedelta(days=31):
                    day = day.replace(year=today.year + 1)
            elif g["dom2"]:
                dd = cn_small_int(g["dom2"])
                if not dd or not 1 <= dd <= 31:
                    continue
                try:
                    day = today.replace(day=dd)
                except ValueError:
                    continue
                if day < today:
                    nm = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
                    try:
                        day = nm.replace(day=dd)
                    except ValueError:
                        continue
            elif g["nd"]:
                n = cn_small_int(g["nd"])
                if n is None:
                    continue
                day = today + dt.timedelta(days=n * (1 if g["ndu"] == "天" else 7))
            elif g["nw"]:
                day = _week_day(today, 0, 1)
        period = g["period"]
        if g["mz"]:
            has_day = True
            day = today + dt.timedelta(days=1) if g["mz"].startswith("明") else today
            period = period or ("早上" if g["mz"].endswith("早") else "晚上")
        if has_time:
            if g["hh"]:
                h, mi = int(g["hh"]), int(g["mm"])
            else:
                h = cn_small_int(g["h"])
                if h is None:
                    continue
                mi = 30 if g["half"] else 15 if g["q"] == "一刻" else 45 if g["q"] == "三刻" else 0
                if g["mi"]:
                    mi = cn_small_int(g["mi"]) or 0
            h = _hour(h, period) if g["h"] or period else h
            if not (0 <= h <= 23 and 0 <= mi <= 59):
                continue
        elif period:
            h, mi = _PERIOD_DEFAULT[period], 0
        else:
            h, mi = 9, 0
        when = dt.datetime(day.year, day.month, day.day, h, mi, tzinfo=local.tzinfo)
        if not has_day and when < local:
            when += dt.timedelta(days=1)
        return Due(when, [(m.start(), m.end())], has_day, day > today, has_time)
    return None


def _find_en(s: str, local: dt.datetime) -> Due | None:
    today = local.date()
    dm = _EN_DAY.search(s)
    tm = _EN_TIME.search(s)
    if not dm and not tm:
        return None
    day = today
    has_day = False
    spans = []
    if dm:
        has_day = True
        spans.append((dm.start(), dm.end()))
        g = dm.groupdict()
        if g["tm"]:
            day = today + dt.timedelta(days=1)
        elif g["dat"]:
            day = today + dt.timedelta(days=2)
        elif g["wd"]:
            wk = (g["wk"] or "").lower()
            day = _week_day(today, _WD_EN[g["wd"][:3].lower()], 1 if wk == "next" else 0)
        elif g["nw"]:
            day = _week_day(today, 0, 1)
        elif g["nd"]:
            n = int(g["nd"]) if g["nd"].isdigit() else _EN_NUM[g["nd"].lower()]
            day = today + dt.timedelta(days=n * (7 if g["ndu"].lower().startswith("week") else 1))
        elif g["td"] and g["td"].lower() == "tonight":
            tm = tm or None
            if not tm:
                when = dt.datetime(day.year, day.month, day.day, 19, 0, tzinfo=local.tzinfo)
                return Due(when, spans, True, False)
    h, mi = 9, 0
    if tm:
        spans.append((tm.start(), tm.end()))
        g = tm.groupdict()
        if g["h"]:
            h, mi = int(g["h"]), int(g["mi"] or 0)
            ap = g["ap"].lower().replace(".", "")
            if ap == "pm" and h < 12:
                h += 12
            elif ap == "am" and h == 12:
                h = 0
        elif g["h2"]:
            h, mi = _hour(int(g["h2"]), None), int(g["mi2"] or 0)
        elif g["noon"]:
            h = 12
        elif g["per"]:
            h = _PERIOD_DEFAULT[g["per"].lower()]
        if not (0 <= h <= 23 and 0 <= mi <= 59):
            return None
    when = dt.datetime(day.year, day.month, day.day, h, mi, tzinfo=local.tzinfo)
    if not has_day and when < local:
        when += dt.timedelta(days=1)
    return Due(when, sorted(spans), has_day, day > today, bool(tm and (tm.group("h") or tm.group("h2"))))

"""Dates and times in messages (明天下午3点, 下周二上午, 下个月25号, 后天 10:30, tomorrow at 4pm).

A date phrase is composed of three optional parts, in this order: a day, a part of the day, a
clock time. Each part has its own small patterns (data in ``numwords``); ``find_when`` lists every
phrase with the instant it names, ``find_due`` returns the first one still ahead of ``now``.

Conventions (shared/datasets/README.md, incl. the 2026-11-30 clarifications):
- 明天 +1 day, 后天 +2, 大后天 +3; 这周X = that day of the current Monday–Sunday week (even if past);
  下周X = that day of the following week; a bare 周X = the next such day on or after today (today
  only if the stated or default time is still ahead).
- 下个月N号 = day N of next month; N月M号 = that date this year, or next year if already past;
  a bare N号 = day N of this month, or of next month if already past.
- a day without a time → 09:00; bare 上午 → 09:00, 下午 → 14:00, 中午 → 12:00, 晚上 → 19:00;
  下午3点 → 15:00, 晚上X点 → X+12, X点半 → X:30; a bare clock hour 1–6 is afternoon (三点 = 15:00),
  7–11 morning; a time without a day is today if still ahead, else tomorrow. "2:30pm" = 14:30.
- A past reference (昨天, 上周二, 两天前, 2019年6月28日) is what was done, never a due:
  ``find_due`` skips it (``find_when`` reports it with ``past=True``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.intents import numwords as W
from bot.intents.numerals import cn_small_int, parse_numeral
from bot.intents.prefilter import first_chars


@dataclass
class Due:
    when: dt.datetime
    spans: list[tuple[int, int]] = field(default_factory=list)
    has_day: bool = False  # an explicit day was named (明天, 周五, tomorrow)
    future_day: bool = False  # the named day is after today
    has_time: bool = False  # a clock time was named (3点, 10:30, 4pm)
    past: bool = False  # the phrase names a moment before now (昨天拜访了)

    def iso(self) -> str:
        return self.when.isoformat(timespec="seconds")


@lru_cache(maxsize=32)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


# ---------------------------------------------------------------- patterns

_N = r"(?:\d{1,2}|[零〇一二两三四五六七八九十廿卅]{1,3})"
_Y = r"(?:\d{4}|\d{2}|[零〇一二三四五六七八九]{2,4}|[一两二]千(?:零[一二三四五六七八九]|[一二三四五六七八九]?十[一二三四五六七八九]?|零?[一二三四五六七八九]?))"
_WK = r"(?:周|星期|礼拜)"
_REL_DAYS = "|".join(sorted(W.RELATIVE_DAYS, key=len, reverse=True))
_FUSED = "|".join(sorted(W.FUSED_DAY_PART, key=len, reverse=True))
_PARTS = "|".join(sorted((p for p in W.PART_DEFAULT_HOUR if not p.isascii()), key=len, reverse=True))

_DAY = (
    # numeric: 2021-09-09, 2019/04/19, 2019.9.6 (a clock may follow at once: 2021-09-0910:09)
    rf"(?<![\d.\-/])(?P<ny>\d{{4}})(?P<nsep>[-/.])(?P<nm>\d{{1,2}})(?P=nsep)(?P<nd>\d{{1,2}})(?:(?!\d)|(?=\d{{1,2}}:\d))(?:日|号)?"
    # 09-01, 2/15, 11/3号
    rf"|(?<![\d.\-/:])(?P<mm2>\d{{1,2}})[-/](?P<dd2>\d{{1,2}})(?![\d.\-/%])(?:日|号)?"
    # 9.4号, 12.5下午 (a dot date needs 号 / 日 or a part of the day after it: 12.5万 is a number)
    rf"|(?<![\d.\-/:])(?P<mm3>\d{{1,2}})\.(?P<dd3>\d{{1,2}})(?:(?:号|日)|(?=\s?(?:[(（]周|{_PARTS})))"
    # 2015年3月3号, 三月一号, 1月3, 明年3月8号
    rf"|(?:(?:(?P<yr>{_Y})年|(?P<ry>今年|明年|去年|前年|后年))\s?)?(?P<mo>{_N})月(?:份)?(?P<md>{_N})(?:日|号)?"
    # 下个月25号, 本月9日, 上月30号
    rf"|(?P<rm>上上个?|上个?|这个?|本|下下个?|下个?|同|当)月(?:的)?(?P<rmd>{_N})(?:日|号)"
    # 这周末 / 下周末 / 周末: the weekend's Saturday (a bare 周末 is the next one); 月底 / 下个月初 / 月中: the
    # month's last, first or fifteenth day (a bare 月初 / 月中 already past is next month's)
    rf"|(?P<wkend>(?P<we>上上个?|上个?|这个?|本|下下个?|下个?)?{_WK}末)(?!了)"
    rf"|(?:(?P<mp>上上个?|上个?|这个?|本|下下个?|下个?)|(?P<mon>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})(?=月))?月(?P<mpos>底|末|初|中)(?![旬])"
    # 下周周六, 上个礼拜天, 这周三, 周五
    rf"|(?P<wk>上上个?|上个?|这个?|本|下下个?|下个?)?{_WK}{_WK}?(?P<wd>[一二三四五六日天1-7])"
    # 20天后, 三个礼拜后, 两天前, 两个半月前
    rf"|(?P<nn>\d+|[一二两三四五六七八九十几半]+)(?P<nhalf>个半|个)?(?P<nu>天|日|星期|礼拜|周|月|年)(?P<ndir>之后|以后|后|之前|以前|前)"
    # 前两天, 上两天, 前两年
    rf"|(?P<pp>前|上|过去)(?P<pn>[两二三四五六七八九几]|\d+)个?(?P<pu>天|日|周|星期|礼拜|月|年)"
    rf"|(?P<fused>{_FUSED})"
    rf"|(?P<rel>{_REL_DAYS})"
    # 30日, 8号 (not 3号楼 / 1号线)
    rf"|(?<![\d月小大加])(?P<dom>{_N})(?:日|号)(?![楼线院门机位库厂馆店仓码子台梯扶电泵罐炉柜井窗床房厅车道站口闸栋座])"
)
_CLOCK = (
    rf"(?P<h>{_N})\s?(?:点|时)(?:钟)?\s?(?:(?P<half>半)|(?P<q>[一二两三123])刻|(?P<mi>{_N})\s?(?:分钟|分)?)?(?P<tail>钟|整|许|多钟|多)?"
    # 10:30 / 10:30am / 下周一 10am: digits with a colon or an English am / pm
    r"|(?P<hh>\d{1,2})(?=\s?(?::\s?\d{2}|[ap]\.?m\.?(?![a-z])))(?:\s?:\s?(?P<mm>\d{2})(?::\d{2})?)?(?:\s?(?P<ap>[ap]\.?m\.?)(?![a-z]))?"
)
_ZH = re.compile(
    rf"(?:(?P<day>{_DAY})(?:\s?的)?)?"
    rf"[\s\-]?(?P<part>{_PARTS})?"
    rf"\s?(?:(?P<clock>{_CLOCK}))?",
    re.IGNORECASE,
)
_ZH_FIRST = first_chars(_ZH)  # where a date phrase can start (bot.intents.prefilter)


def _zh_matches(s: str):  # type: ignore[no-untyped-def]
    """``_ZH.finditer(s)`` without its empty matches, and faster: ``_ZH`` is all optional, so
    finditer tries its long alternation at every character and finds nothing at most of them. Where a
    character cannot start a match (``_ZH_FIRST``) the match there is empty; the others are matched
    at, and the scan goes on from each match's end, as finditer does."""
    if _ZH_FIRST is None:
        yield from (m for m in _ZH.finditer(s) if m.end() > m.start())
        return
    pos, n = 0, len(s)
    while pos <= n:
        c = _ZH_FIRST.search(s, pos)
        if c is None:
            return
        m = _ZH.match(s, c.start())
        if m.end() == m.start():
            pos = c.start() + 1
            continue
        yield m
        pos = m.end()


# 两点要求 / 提了三点建议: "points", not o'clock
_NOT_CLOCK_AFTER = re.compile(r"(?:要求|建议|意见|问题|内容|原因|想法|看法|需求|疑问|理由|好处|优势|区别|不同|共识|事项|注意|不足|顾虑|担心|改进)")
_NOT_AMOUNT_AFTER = re.compile(r"\s?(?:万|亿|个|元|块|%|倍|千|百)")

# TMR in capitals is an acronym (a TMR wagon), not "tomorrow"; tmr / Tmr / tmrw are.
_EN_DAY = re.compile(
    r"\b(?:(?P<past>yesterday|last\s+(?:week|night|mon|tue|wed|thu|fri|sat|sun)[a-z]*)|(?P<td>today|tonight)|"
    r"(?P<dat>(?:the\s+)?day\s+after\s+tomorrow)|(?P<tm>tomorrow|(?-i:[Tt]mrw?)|TMRW)|"
    r"(?P<wk>next|this|on|coming)?\s*(?P<wd>mon|tues?|wed|thu|thurs|fri|sat|sun)(?:day|nesday|rsday|urday|s)?\b|"
    r"(?P<nw>next\s+week)|in\s+(?P<nd>\d+|a|an|one|two|three|four|five|six|seven)\s+(?P<ndu>days?|weeks?)|"
    # Dec 3 / December 3rd / 3 Dec / the 3rd of December: a date, this year or next if past
    r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?P<md>\d{1,2})(?:st|nd|rd|th)?|"
    r"(?:the\s+)?(?P<md2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*|"
    # end of (the) month / this weekend: as 月底 and 周末
    r"(?P<eom>end\s+of\s+(?:the\s+|this\s+)?month|month[\s-]end)|(?P<wkend>(?:this\s+|next\s+)?weekend))\b",
    re.IGNORECASE,
)
_EN_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}
_EN_TIME = re.compile(
    r"(?:\bat\s+|@\s*)?\b(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z])"
    r"|\bat\s+(?P<h2>\d{1,2})(?::(?P<mi2>\d{2}))?\b"
    r"|\b(?P<noon>noon|midday)\b"
    r"|\b(?:in\s+the\s+|this\s+)?(?P<per>morning|afternoon|evening)\b",
    re.IGNORECASE,
)
_EN_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


# ---------------------------------------------------------------- resolution helpers


def _week_day(today: dt.date, weekday: int, weeks_ahead: int) -> dt.date:
    monday = today - dt.timedelta(days=today.weekday())
    return monday + dt.timedelta(days=7 * weeks_ahead + weekday)


def _offset(prefix: str | None) -> int:
    p = prefix or ""
    if p.startswith("上上"):
        return -2
    if p.startswith("上"):
        return -1
    if p.startswith("下下"):
        return 2
    if p.startswith("下"):
        return 1
    return 0


def _add_months(d: dt.date, n: int) -> tuple[int, int]:
    m = d.month - 1 + n
    return d.year + m // 12, m % 12 + 1


def _date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _year(text: str, today: dt.date) -> int | None:
    if text.isdigit():
        y = int(text)
    elif "千" in text:
        v = parse_numeral(text)  # 两千零四年
        return int(v) if v else None
    else:
        digits = "".join(str(W.DIGITS[c]) for c in text if c in W.DIGITS)
        if len(digits) != len(text):
            return None
        y = int(digits)
    if len(text) == 2:  # 15年 → 2015, 98年 → 1998
        y += 2000 if y <= today.year % 100 + 10 else 1900
    return y


def _hour(h: int, part: str | None) -> tuple[int, int]:
    """(hour, extra days) for clock hour h said with part of day ``part``."""
    if part in W.MIDNIGHT_PARTS and h == 12:
        return 0, 1  # 夜里12点 = midnight at the end of that day
    if part in W.PM_PARTS and h < 12:
        return h + 12, 0
    if part in W.NOON_PARTS and 1 <= h <= 3:
        return h + 12, 0
    if part is None and 1 <= h <= 6:
        return h + 12, 0  # "3点给他打电话" in business hours means 15:00
    return h, 0


@dataclass
class _Day:
    date: dt.date | None = None
    weekday: int | None = None  # a bare 周X: resolved with the time
    past: bool = False  # named as past (昨天, 上周二, 两天前)
    default_part: str | None = None


def _resolve_day(g: dict, today: dt.date) -> _Day | None:
    if g["ny"]:
        d = _date(int(g["ny"]), int(g["nm"]), int(g["nd"]))
        return _Day(d) if d else None
    if g["mm2"] or g["mm3"]:
        mo, dd = (int(g["mm2"]), int(g["dd2"])) if g["mm2"] else (int(g["mm3"]), int(g["dd3"]))
        d = _date(today.year, mo, dd)
        if d is None:
            return None
        return _Day(d if d >= today else _date(today.year + 1, mo, dd))
    if g["mo"]:
        mo, dd = cn_small_int(g["mo"]), cn_small_int(g["md"])
        if not mo or not dd or not 1 <= mo <= 12:
            return None
        if g["yr"]:
            y = _year(g["yr"], today)
            d = _date(y, mo, dd) if y else None
            return _Day(d) if d else None
        if g["ry"]:
            y = today.year + {"今年": 0, "明年": 1, "后年": 2, "去年": -1, "前年": -2}[g["ry"]]
            d = _date(y, mo, dd)
            return _Day(d) if d else None
        d = _date(today.year, mo, dd)
        if d is None:
            return None
        return _Day(d if d >= today else _date(today.year + 1, mo, dd))
    if g["rm"]:
        dd = cn_small_int(g["rmd"])
        if not dd:
            return None
        y, m = _add_months(today, _offset(g["rm"]))
        d = _date(y, m, dd)
        return _Day(d) if d else None
    if g.get("mpos"):
        off = _offset(g["mp"])
        y, m = _add_months(today, off)
        if g["mon"]:  # 12月底: that month, this year or next
            m = cn_small_int(g["mon"]) if not g["mon"].isdigit() else int(g["mon"])
            if not m or not 1 <= m <= 12:
                return None
            y = today.year if m >= today.month else today.year + 1
        if g["mpos"] in ("底", "末"):
            ny, nm = _add_months(dt.date(y, m, 1), 1)
            d = dt.date(ny, nm, 1) - dt.timedelta(days=1)
        else:
            d = dt.date(y, m, 1 if g["mpos"] == "初" else 15)
            if g["mp"] is None and not g["mon"] and d < today:
                y, m = _add_months(today, 1)
                d = dt.date(y, m, d.day)
        return _Day(d, past=off < 0)
    if g.get("wkend"):
        if g["we"] is None:
            return _Day(weekday=5)
        return _Day(_week_day(today, 5, _offset(g["we"])), past=_offset(g["we"]) < 0)
    if g["wd"]:
        wd = W.WEEKDAYS[g["wd"]]
        if g["wk"] is None:
            return _Day(weekday=wd)
        return _Day(_week_day(today, wd, _offset(g["wk"])))
    if g["nn"]:
        n = 0.5 if g["nn"] == "半" else parse_numeral(g["nn"].replace("几", "三"))
        if n is None:
            return None
        n += 0.5 if g["nhalf"] == "个半" else 0
        if g["ndir"].endswith("前"):
            return _Day(today - dt.timedelta(days=1), past=True)
        if g["nu"] in ("月", "年") or n != int(n):
            return None  # 三个月后: no day to name
        days = int(n) * (1 if g["nu"] in ("天", "日") else 7)
        return _Day(today + dt.timedelta(days=days))
    if g["pp"]:
        return _Day(today - dt.timedelta(days=1), past=True)
    if g["fused"]:
        off, part = W.FUSED_DAY_PART[g["fused"]]
        return _Day(today + dt.timedelta(days=off), past=off < 0, default_part=part)
    if g["rel"]:
        off = W.RELATIVE_DAYS[g["rel"]]
        return _Day(today + dt.timedelta(days=off), past=off < 0)
    if g["dom"]:
        dd = cn_small_int(g["dom"])
        if not dd or not 1 <= dd <= 31:
            return None
        d = _date(today.year, today.month, dd)
        if d is None or d < today:
            y, m = _add_months(today, 1)
            d = _date(y, m, dd)
        return _Day(d) if d else None
    return None


# ---------------------------------------------------------------- Chinese


def _zh_refs(s: str, local: dt.datetime) -> list[Due]:
    today = local.date()
    out: list[Due] = []
    prev: tuple[int, object, str | None] | None = None  # (end, day, part) of the last phrase read
    for m in _zh_matches(s):
        g = m.groupdict()
        day_txt, part, clock = g["day"], g["part"], g["clock"]
        if not (day_txt or part or clock):
            continue
        if part and not (day_txt or clock) and len(part) < 2:
            continue  # a bare 早 / 晚 is not a time
        if day_txt and g["mm2"] and not clock and not part and not re.search(r"[号日]$", day_txt):
            after = s[m.end():m.end() + 2]
            if re.match(r"\s?[\u3400-\u9fff]", after) and not re.match(r"\s?(?:前|后|之|去|来|见|拜|开|下|上|晚|早|中|周|星|礼|给|和|跟|提|再|要|回|把|送|交|出|签|到|截)", after):
                continue  # 3/5的客户, 1-2个: not a date
        if clock and g["h"] and not g["hh"]:
            rest = s[m.end():]
            if _NOT_AMOUNT_AFTER.match(rest) and not g["half"] and not g["q"]:
                if not (g["mi"] or g["tail"]):
                    continue  # 一点二亿 / 三点五万: a number
                if g["mi"] and re.match(r"\s?(?:个|多|来)?(?:万|亿)", rest):  # (一点二个亿)
                    continue
            if not g["h"].isdigit() and not (day_txt or part):
                if _NOT_CLOCK_AFTER.match(rest) or (g["h"] in ("一", "几") and not (g["mi"] or g["half"] or g["q"] or g["tail"])):
                    continue  # 提了两点建议 / 便宜一点
                if re.search(r"[第有差]$", s[max(0, m.start() - 1):m.start()]):
                    continue  # 第三点 / 有点 / 差一点
        day = None
        if day_txt:
            day = _resolve_day(g, today)
            if day is None:
                continue
        elif prev and clock and (gap := re.fullmatch(rf"\s?(?P<h0>{_N})?\s?(?:~|-|到|至|—)\s?", s[prev[0]:m.start()])):
            day, part = prev[1], part or prev[2]  # 大前天晚上9~11点: the end of a range keeps its day
            h0 = cn_small_int(gap.group("h0")) if gap.group("h0") else None
            if h0 is not None and out and not out[-1].has_time and 0 <= h0 <= 23:
                # …and its start is the hour before the ~ (明天下午3~5点 starts at 15:00)
                first = out[-1]
                hh, ex = _hour(h0, prev[2])
                first.when = first.when.replace(hour=hh, minute=0) + dt.timedelta(days=ex)
                first.has_time = True
                first.past = first.past or first.when <= local
                first.spans = [(first.spans[0][0], prev[0] + gap.end())]
        part = part or (day.default_part if day else None)
        prev = (m.end(), day, part)
        extra = 0
        has_time = bool(clock)
        if clock:
            if g["hh"]:
                h, mi = int(g["hh"]), int(g["mm"] or 0)
                ap = (g["ap"] or "").lower().replace(".", "")
                if ap == "pm" and h < 12:
                    h += 12
                elif ap == "am" and h == 12:
                    h = 0
                elif not ap:
                    h, extra = _hour(h, part)
            else:
                h = cn_small_int(g["h"])
                if h is None:
                    continue
                mi = 30 if g["half"] else 0
                if g["q"]:
                    mi = 15 * int(cn_small_int(g["q"]) or 0)
                if g["mi"]:
                    mi = cn_small_int(g["mi"]) or 0
                h, extra = _hour(h, part)
            if not (0 <= h <= 23 and 0 <= mi <= 59):
                continue
        elif part:
            h, mi = W.PART_DEFAULT_HOUR[part], 0
        else:
            h, mi = 9, 0
        tz = local.tzinfo
        if day is None:
            when = dt.datetime(today.year, today.month, today.day, h, mi, tzinfo=tz) + dt.timedelta(days=extra)
            if when <= local and clock:
                when += dt.timedelta(days=1)  # a clock time without a day: today if still ahead, else tomorrow
            has_day = False  # (a bare 上午 is this morning: 上午跑了一趟… said at 10:00 is past)
        elif day.weekday is not None:
            d = _week_day(today, day.weekday, 0)
            when = dt.datetime(d.year, d.month, d.day, h, mi, tzinfo=tz) + dt.timedelta(days=extra)
            if when <= local:
                when += dt.timedelta(days=7)  # a bare 周X: the next such day on or after today
            has_day = True
        else:
            d = day.date
            when = dt.datetime(d.year, d.month, d.day, h, mi, tzinfo=tz) + dt.timedelta(days=extra)
            has_day = True
        past = bool(day and day.past) or when <= local
        out.append(Due(when, [(m.start(), m.end())], has_day, when.date() > today, has_time, past))
    return out


# ---------------------------------------------------------------- English


def _en_ref(s: str, local: dt.datetime) -> Due | None:
    today = local.date()
    dm = _EN_DAY.search(s)
    tm = _EN_TIME.search(s)
    if not dm and not tm:
        return None
    day = today
    has_day = False
    weekday = None
    spans = []
    if dm:
        has_day = True
        spans.append((dm.start(), dm.end()))
        g = dm.groupdict()
        if g["past"]:
            return Due(local - dt.timedelta(days=1), spans, True, False, False, past=True)
        if g["tm"]:
            day = today + dt.timedelta(days=1)
        elif g["dat"]:
            day = today + dt.timedelta(days=2)
        elif g["wd"]:
            wk = (g["wk"] or "").lower()
            wd = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}[g["wd"][:3].lower()]
            if wk == "next":
                day = _week_day(today, wd, 1)
            elif wk == "this":
                day = _week_day(today, wd, 0)
            else:
                weekday = wd
        elif g["mon"] or g["mon2"]:
            mo = _EN_MONTHS[(g["mon"] or g["mon2"])[:3].lower()]
            dd = int(g["md"] or g["md2"])
            d = _date(today.year, mo, dd)
            if d is None:
                return None
            if d < today and re.search(r"\b(?:visited|met|called|sent|emailed|had|demoed|went|was|were|did|delivered|shipped|signed|closed|lost|won)\b", s, re.IGNORECASE):
                when = dt.datetime(d.year, d.month, d.day, 9, 0, tzinfo=local.tzinfo)
                return Due(when, spans, True, False, False, past=True)  # visited X on Nov 20: a past date, not next year's
            day = d if d >= today else (_date(today.year + 1, mo, dd) or d)
        elif g["eom"]:
            ny, nm = _add_months(dt.date(today.year, today.month, 1), 1)
            day = dt.date(ny, nm, 1) - dt.timedelta(days=1)
        elif g["wkend"]:
            day = _week_day(today, 5, 1 if g["wkend"].lower().startswith("next") else 0)
            if day < today:
                day += dt.timedelta(days=7)
        elif g["nw"]:
            return None  # "next week" names a week, not a day (like a bare 下周): no due
        elif g["nd"]:
            n = int(g["nd"]) if g["nd"].isdigit() else _EN_NUM[g["nd"].lower()]
            day = today + dt.timedelta(days=n * (7 if g["ndu"].lower().startswith("week") else 1))
        elif g["td"] and g["td"].lower() == "tonight" and not tm:
            when = dt.datetime(day.year, day.month, day.day, 19, 0, tzinfo=local.tzinfo)
            return Due(when, spans, True, False, False, when <= local)
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
            h, mi = _hour(int(g["h2"]), None)[0], int(g["mi2"] or 0)
        elif g["noon"]:
            h = 12
        elif g["per"]:
            h = W.PART_DEFAULT_HOUR[g["per"].lower()]
        if not (0 <= h <= 23 and 0 <= mi <= 59):
            return None
    when = dt.datetime(day.year, day.month, day.day, h, mi, tzinfo=local.tzinfo)
    if weekday is not None:
        d = _week_day(today, weekday, 0)
        when = dt.datetime(d.year, d.month, d.day, h, mi, tzinfo=local.tzinfo)
        if when <= local:
            when += dt.timedelta(days=7)
    elif not has_day and when <= local and not (tm and (tm.group("per") or tm.group("noon"))):
        when += dt.timedelta(days=1)  # a clock time without a day rolls to tomorrow; "this morning" does not
    has_time = bool(tm and (tm.group("h") or tm.group("h2")))
    return Due(when, sorted(spans), has_day, when.date() > today, has_time, when <= local)


# ---------------------------------------------------------------- entry points


def _local(now: dt.datetime, tz: str) -> dt.datetime:
    zone = _zone(tz)
    return now.astimezone(zone) if now.tzinfo else now.replace(tzinfo=zone)


def find_when(s: str, now: dt.datetime, tz: str = "Asia/Shanghai") -> list[Due]:
    """Every date/time phrase of the normalised text, in order, resolved against ``now`` in ``tz``
    (``past`` marks the ones before now)."""
    local = _local(now, tz)
    refs = _zh_refs(s, local)
    en = _en_ref(s, local)
    if en and en.has_day and len(en.spans) == 1 and refs and not any(r.has_day for r in refs) \
            and not any(a < en.spans[0][1] and en.spans[0][0] < b for r in refs for a, b in r.spans):
        # Friday 下午3点 / tomorrow 下午两点: the English day, the Chinese part of the day and clock
        r = refs[0]
        when = en.when.replace(hour=r.when.hour, minute=r.when.minute)
        a, b = en.spans[0]
        if (when.date() - local.date()).days == 7 and not re.match(r"next", s[a:b].strip(), re.IGNORECASE) \
                and when - dt.timedelta(days=7) > local:
            when -= dt.timedelta(days=7)  # Monday 下午3点, said on a Monday morning: today, still ahead
        en = Due(when, sorted(en.spans + r.spans), True, when.date() > local.date(), r.has_time, when <= local)
        refs = [en] + refs[1:]
    elif en and not any(a < en.spans[-1][1] and en.spans[0][0] < b for r in refs for a, b in r.spans):
        refs.append(en)
    elif en and en.has_day and not any(r.has_day for r in refs):
        # tomorrow at 3:15pm: the English day carries the clock the Chinese pattern read alone
        refs = [r for r in refs if not any(a < en.spans[-1][1] and en.spans[0][0] < b for a, b in r.spans)] + [en]
    refs.sort(key=lambda r: r.spans[0][0])
    return refs


def find_due(s: str, now: dt.datetime, tz: str = "Asia/Shanghai") -> Due | None:
    """The first date/time the normalised text names that is still ahead of ``now``; a past
    reference (昨天, 上周二, 2019年) is never a due."""
    for r in find_when(s, now, tz):
        if not r.past:
            return r
    return None


def find_past(s: str, now: dt.datetime, tz: str = "Asia/Shanghai") -> Due | None:
    """The first phrase naming a moment before ``now`` (上周二拜访了 → last Tuesday 09:00), if any."""
    for r in find_when(s, now, tz):
        if r.past:
            return r
    return None




def find_followup_time(s: str, now: dt.datetime, tz: str = "Asia/Shanghai") -> Due | None:
    """What the parser reads as a follow-up time: the due (``find_due``), or else a clock time
    already gone today (今天上午8点回访…, said at 10:00), returned with ``past=True`` so the bot
    can say the time is past instead of writing anything. Past days (昨天, 上周二) are what was
    done and give nothing here."""
    refs = find_when(s, now, tz)  # read once: find_due's reading, then the same phrases again
    for r in refs:
        if not r.past:
            return r
    today = _local(now, tz).date()
    for r in refs:
        if r.past and r.has_time and r.when.date() == today:
            return r
    return None

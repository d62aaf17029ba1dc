"""Example corpora of the number, amount, date and phone extractors (Duckling-style: each example
with its expected value runs as a test). Conventions: shared/datasets/README.md, incl. the
2026-11-30 clarifications. A new form is one example here plus, where needed, a word in
bot/intents/numwords.py.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.intents.dates import find_due, find_past, find_when
from bot.intents.numerals import find_amounts, parse_numeral
from bot.intents.phones import find_phones
from bot.intents.text import normalise

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday


def _at(day: str, hm: str = "09:00") -> str:
    return f"2026-{day}T{hm}:00+08:00" if len(day) == 5 else f"{day}T{hm}:00+08:00"


# ---------------------------------------------------------------- numerals

NUMERALS = [
    ("一万零五十", 10050), ("三万五", 35000), ("十二万五", 125000), ("一千五", 1500), ("两百五", 250),
    ("二十五", 25), ("十五", 15), ("壹万贰仟", 12000), ("肆佰叁拾萬", 4300000), ("一点二", 1.2),
    ("一二三四", 1234), ("一个半亿", 150000000), ("25万6千", 256000), ("1亿2000万", 120000000),
    ("一千零一十万零一百", 10100100), ("九十万五千八百二十五", 905825), ("廿", 20), ("两千零四", 2004),
    ("两三万", None), ("十七八", None),
]


@pytest.mark.parametrize(("text", "value"), NUMERALS)
def test_numerals(text, value):
    assert parse_numeral(text) == value


# ---------------------------------------------------------------- amounts in a sentence

AMOUNTS = [
    # spoken compounds are one number
    ("客户预算三万五", [35000]), ("报价十二万五", [125000]), ("合同额25万6千", [256000]),
    ("项目总投资一亿两千万", [120000000]), ("大概一个半亿的盘子", [150000000]), ("尾款一万零五十块", [10050]),
    ("今天回款一千二百八十万", [12800000]), ("预算一点二亿", [120000000]), ("两个亿的项目", [200000000]),
    ("玉澄建设那单款到了 12万5", [125000]),
    # the stated round figure
    ("预算八十多万", [800000]), ("两百来万的单子", [2000000]), ("预算十五六万", [150000]), ("二三十万吧", [200000]), ("一两万", [10000]), ("价值2000余元", [2000]), ("30w上下", [300000]),
    ("15k左右", [15000]),
    # financial capitals
    ("合同金额壹万贰仟元整", [12000]), ("税额共计壹仟玖佰圆整", [1900]),
    # units and currency marks
    ("预算 45 万", [450000]), ("预算¥80万", [800000]), ("报价120,000元", [120000]), ("budget 1.2M", [1200000]),
    ("quoted 500k", [500000]), ("预算50万", [500000]), ("八千块钱", [8000]),
    # another currency is left out; counted things are not money
    ("预算5万美元", []), ("报价 $20,000", []), ("港币两千九百六十元", []), ("一千万英镑", []),
    ("覆盖两千万人", []), ("约315万字", []), ("要3台", []), ("12月31日缴清", []), ("下午3点", []),
    ("万科那个项目", []), ("千万别忘了", []), ("八十块智慧黑板", []),
    # a range: the first figure shares the unit stated after the second
    ("预算150-200万", [1500000, 2000000]), ("150到200万之间", [1500000, 2000000]), ("1万-5万元", [10000, 50000]),
    ("预算：¥1.5M", [1500000]), ("HC-INV-50K 两台", []), ("3-5天", []),
    # a corrected amount gives way to its correction
    ("预算八十万不对是九十万", [900000]), ("不是八十万是九十万", [900000]),
]


@pytest.mark.parametrize(("text", "values"), AMOUNTS)
def test_amounts_in_a_sentence(text, values):
    assert [f.value for f in find_amounts(normalise(text)) if not f.ambiguous] == values


def test_a_bare_number_after_an_amount_word_is_asked_about():
    found = find_amounts(normalise("预算200"))
    assert [(f.value, f.ambiguous) for f in found] == [(200, "amount_unit")]
    found = find_amounts(normalise("预算一百五"))
    assert [(f.value, f.ambiguous) for f in found] == [(150, "amount_unit")]


# ---------------------------------------------------------------- dates

DUES = [
    # relative days; a day without a time is 09:00
    ("明天", _at("11-24")), ("后天", _at("11-25")), ("大后天", _at("11-26")), ("後天下午三點", _at("11-25", "15:00")),
    ("明天下午3点", _at("11-24", "15:00")), ("明天下午三点半", _at("11-24", "15:30")), ("后天 10:30", _at("11-25", "10:30")),
    ("明早", _at("11-24")), ("今晚8点", _at("11-23", "20:00")),
    # weekdays: bare 周X is the next such day on or after today; 这周X this week; 下周X the following week
    ("周五", _at("11-27")), ("周一", _at("11-30")), ("周一下午", _at("11-23", "14:00")), ("星期天", _at("11-29")),
    ("这周五下午", _at("11-27", "14:00")), ("下周二上午", _at("12-01")), ("下周周五", _at("12-04")),
    ("下个星期三", _at("12-02")), ("下礼拜一下午两点半", _at("11-30", "14:30")), ("下下周一", _at("12-07")),
    # days of the month
    ("下个月25号", _at("12-25")), ("下个月五号", _at("12-05")), ("12月3号下午2点", _at("12-03", "14:00")),
    ("十二月十号上午", _at("12-10")), ("11月20号", _at("2027-11-20")), ("1月5号", _at("2027-01-05")),
    ("30号", _at("11-30")), ("5号", _at("12-05")), ("2026-12-01", _at("12-01")), ("12/15", _at("12-15")),
    ("2026年12月8日下午", _at("12-08", "14:00")), ("12.5号", _at("12-05")), ("12.15号上午", _at("12-15")),
    ("12.5下午去", _at("12-05", "14:00")),
    # clock times: bare 1–6 is afternoon, 7–11 morning; today if ahead, else tomorrow
    ("三点", _at("11-23", "15:00")), ("九点", _at("11-24", "09:00")), ("十一点", _at("11-23", "11:00")),
    ("晚上8点", _at("11-23", "20:00")), ("晚上十一点", _at("11-23", "23:00")), ("中午", _at("11-23", "12:00")),
    ("下午", _at("11-23", "14:00")), ("三点一刻", _at("11-23", "15:15")), ("三点三刻", _at("11-23", "15:45")),
    ("两点二十", _at("11-23", "14:20")), ("九点零五", _at("11-24", "09:05")), ("夜里12点", _at("11-24", "00:00")),
    ("下午5点多钟", _at("11-23", "17:00")),
    # in N days
    ("三天后", _at("11-26")), ("两周后", _at("12-07")), ("三个礼拜后", _at("12-14")),
    # English
    ("2:30pm call with Brnova", _at("11-23", "14:30")), ("tomorrow at 4pm", _at("11-24", "16:00")),
    ("Thursday 3pm", _at("11-26", "15:00")), ("next Tuesday", _at("12-01")), ("tomorrow at 2:30pm", _at("11-24", "14:30")),
    # a Chinese day with an English clock (mixed typing)
    ("下周三 4pm 约了视频会", _at("12-02", "16:00")), ("后天9am", _at("11-25", "09:00")), ("周五 10 am 去现场", _at("11-27", "10:00")),
    ("买了10台设备", None), ("第2期", None),
    # ranges start at their first hour
    ("明天下午3~5点开会", _at("11-24", "15:00")),
    # past references are never a due
    ("昨天拜访了刘总", None), ("上周二打过电话", None), ("前天下午去了工地", None), ("两天前", None),
    ("2025年3月1日", None), ("这周一", None), ("今天上午9点", None), ("上午跑了一趟华星光电", None),
    ("上个月15号", None), ("大前天晚上9~11点", None), ("called them yesterday", None),
    # not dates at all
    ("提了两点建议", None), ("便宜一点", None), ("预算一点二亿", None), ("3号楼", None), ("1-2个人", None),
    ("3/5的客户", None), ("预算12.5万", None), ("版本2.5", None),
    # weekends and parts of a month: 周末 = its Saturday, 月底 = the last day, 月初 = the 1st, 月中 = the 15th
    ("周末去现场", _at("11-28")), ("这周末", _at("11-28")), ("下周末", _at("12-05")), ("上周末去过", None),
    ("月底前", _at("11-30")), ("下个月初", _at("12-01")), ("月中", _at("12-15")), ("12月底", _at("12-31")),
    ("三月初", _at("2027-03-01")),
    # an English day with a Chinese part of the day and clock
    ("Friday 下午3点 follow up", _at("11-27", "15:00")), ("tomorrow 下午两点", _at("11-24", "14:00")),
    ("Monday 下午3点", _at("11-23", "15:00")), ("next Monday 下午3点", _at("11-30", "15:00")),
    # English month names, end of month, weekends
    ("demo on Dec 3 at 2pm", _at("12-03", "14:00")), ("call them on the 5th of January", _at("2027-01-05")),
    ("by end of month", _at("11-30")), ("this weekend", _at("11-28")), ("visited them on Nov 20", None),
    # a week or a month as a whole names no day
    ("招标文件下周出", None), ("下个月再说", None), ("they said PO will come next week", None),
]


@pytest.mark.parametrize(("text", "due"), DUES)
def test_due(text, due):
    d = find_due(normalise(text), NOW)
    assert (d.iso() if d else None) == due


def test_a_past_reference_is_reported_by_find_past():
    d = find_past(normalise("上周二拜访了汀兰医院"), NOW)
    assert d is not None and d.iso() == _at("11-17") and d.past


def test_the_first_future_phrase_is_the_due():
    s = normalise("昨天拜访了，客户说下周三再约")
    assert [r.past for r in find_when(s, NOW)] == [True, False]
    assert find_due(s, NOW).iso() == _at("12-02")


def test_due_spans_cover_the_whole_phrase():
    s = normalise("提醒我下周一上午十点半给陶工打电话")
    d = find_due(s, NOW)
    assert d.iso() == _at("11-30", "10:30")
    a, b = d.spans[0]
    assert s[a:b] == "下周一上午十点半"


def test_due_in_another_timezone():
    d = find_due("明天上午十点", NOW, tz="Europe/Berlin")
    assert d.iso() == "2026-11-24T10:00:00+01:00"


# ---------------------------------------------------------------- phones

PHONES = [
    ("手机138-6152-7409", ["13861527409"]), ("手机 +86 186 0283 5197", ["18602835197"]),
    ("0086-13912345678", ["13912345678"]), ("86 13912345678", ["13912345678"]), ("+8613912345678", ["13912345678"]),
    ("(010)6785-3329", ["01067853329"]), ("（0571）8888 6666", ["057188886666"]), ("电话：(0755) 2963 8815", ["075529638815"]),
    ("+86 10 5908 1185", ["01059081185"]), ("+86 21 6880 4868", ["02168804868"]), ("座机 021-5888 1234", ["02158881234"]),
    ("0912386475", ["0912386475"]), ("+886 912 386 475", ["0912386475"]), ("聯絡人 張志豪 03-5781234", ["035781234"]),
    ("+852 9123 4567", ["91234567"]),
    ("13604779660 13604770960", ["13604779660", "13604770960"]),
    ("联系电话021-68812753,021-68808888", ["02168812753", "02168808888"]),
    ("电话幺三九零五幺七二八六四", ["13905172864"]), ("幺八五洞幺拐两零柒幺玖", ["18501720719"]),
    ("010-65980408-8001", ["01065980408"]), ("138 1234 5678 / 021-5888 1234", ["13812345678", "02158881234"]),
    ("电话 0755-8888 6666 转 802", ["075588886666"]), ("tel +86-21-6880-4868", ["02168804868"]),
    # spoken in English by voice input
    ("phone one three nine one seven six two eight zero four five", ["13917628045"]),
    ("mobile one five eight double two three four five six seven eight", ["15822345678"]),
    # never a phone
    ("身份证 340203193701010517", []), ("110101199003074578", []), ("11010119900307457X", []),
    ("我的身份证号是三四零二零三一九三七零幺零幺零五幺七", []), ("订单号 20261123001", []), ("2026-11-23", []),
    ("1,234,567", []), ("one two three four five six seven", []), ("V2.13812345678", []), ("-77.034040723966", []), ("3333*2=6666", []),
]


@pytest.mark.parametrize(("text", "phones"), PHONES)
def test_phones(text, phones):
    assert [f.value for f in find_phones(normalise(text)) if not f.ambiguous] == phones


def test_a_spoken_number_of_the_wrong_length_is_asked_about():
    found = find_phones(normalise("电话 一三八一二三四五六七"))
    assert [(f.value, f.ambiguous) for f in found] == [("1381234567", "phone_length")]


def test_a_clock_time_already_gone_today_is_kept_for_the_followup_check():
    from bot.intents.dates import find_followup_time

    d = find_followup_time(normalise("今天上午8点回访顺和陶瓷"), NOW)
    assert d is not None and d.past and d.iso() == _at("11-23", "08:00")
    assert find_followup_time(normalise("昨天下午3点拜访了顺和陶瓷"), NOW) is None
    assert find_followup_time(normalise("明天下午3点回访"), NOW).iso() == _at("11-24", "15:00")

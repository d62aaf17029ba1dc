"""Language data for numbers, amounts, dates and phones (simplified Chinese, lower-case English).

The extractors in ``numerals``, ``dates`` and ``phones`` read these tables; a new word is a line
here plus an example in tests/unit/test_extractors.py, not a new branch in code.
"""

from __future__ import annotations

# ---------------------------------------------------------------- Chinese numerals

# Digits, everyday and financial (大写) forms; 两 / 俩 are "two" before a unit, 幺 / 洞 / 拐 are
# "one" / "zero" / "seven" when digits are read out one by one (phone numbers).
DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "洞": 0,
    "一": 1, "壹": 1, "幺": 1, "二": 2, "贰": 2, "两": 2, "俩": 2, "三": 3, "叁": 3, "参": 3, "仨": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "拐": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
# Tens written as one character (廿 = 20, 卅 = 30), as in dates (廿号).
TENS: dict[str, int] = {"廿": 20, "卅": 30}
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "陌": 100, "阡": 1000}
BIG_UNITS: dict[str, int] = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
ZERO_CHARS = "零〇○"
POINT_CHARS = "点"

# The characters a written-out Chinese number is made of (幺 / 洞 / 拐 only in digit strings).
NUMERAL_CHARS = "".join(k for k in DIGITS if k not in "幺洞拐") + "".join(TENS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)

# ---------------------------------------------------------------- amounts

# Magnitude words after a number (lower-case; 万 / w = 10^4, 亿 = 10^8, k = 10^3, M = 10^6).
AMOUNT_MAGNITUDES: dict[str, int] = {
    "万": 10_000, "w": 10_000, "亿": 100_000_000, "千": 1_000, "k": 1_000, "百万": 1_000_000, "千万": 10_000_000,
    "m": 1_000_000, "mn": 1_000_000, "million": 1_000_000, "thousand": 1_000, "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}
# Words that make a number yuan (CNY).
YUAN_WORDS = ("元人民币", "元整", "圆整", "块钱", "元", "圆", "块", "人民币", "rmb", "cny", "yuan")
YUAN_PREFIXES = ("人民币", "¥", "￥", "rmb", "cny")
# Another currency: the amount is left out (our amounts are CNY only).
OTHER_CURRENCY_AFTER = (
    "美元", "美金", "美圆", "欧元", "英镑", "日元", "日币", "韩元", "卢布", "印度卢布", "港元", "港币", "台币", "新台币",
    "泰铢", "澳元", "加元", "新加坡元", "瑞士法郎", "法郎", "马克", "里拉", "越南盾", "卢比", "比索", "林吉特",
    "usd", "eur", "gbp", "jpy", "hkd", "twd", "dollars", "dollar", "euros", "euro", "pounds",
)
OTHER_CURRENCY_BEFORE = ("港币", "美元", "美金", "欧元", "日元", "新台币", "台币", "us$", "hk$", "nt$", "$", "€", "£", "usd", "eur", "hkd",
                         "jpy", "gbp", "twd", "sgd", "aud", "cad", "chf", "krw", "日币", "韩元", "英镑", "澳元", "¥jp")
# Words between a number and its magnitude that keep the stated round figure: 八十多万, 两百来万, 2000余元.
APPROX_INFIX = ("多", "来", "余")
# Words after an amount that only say it is approximate; they leave the text with the number.
APPROX_SUFFIX = ("左右", "上下", "出头", "多", "以内", "以上", "以下", "的样子", "the most")
# Measure words: a number with 万 / 亿 before one of these counts things, not money (两千万人, 315万字).
COUNT_MEASURES = (
    "人", "字", "台", "套", "吨", "平", "米", "件", "只", "支", "个", "户", "家", "辆", "条", "张", "份", "篇", "次",
    "天", "日", "号", "月", "年", "岁", "小时", "分钟", "度", "瓦", "千瓦", "伏", "kw", "kwh", "mw", "mwh", "v",
    "%", "倍", "册", "本", "头", "座", "栋", "间", "床", "块地", "亩", "公里", "升", "克", "斤",
)

# ---------------------------------------------------------------- dates

WEEKDAYS: dict[str, int] = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
                            "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
WEEK_WORDS = ("星期", "礼拜", "周")
# 明天 +1 …; past days (昨天, 前天) are references to what was done, never a due.
RELATIVE_DAYS: dict[str, int] = {
    "今天": 0, "今日": 0, "今儿": 0, "今儿个": 0, "本日": 0, "当天": 0,
    "明天": 1, "明日": 1, "明儿": 1, "明儿个": 1, "次日": 1, "第二天": 1,
    "后天": 2, "後天": 2, "大后天": 3, "大後天": 3,
    "昨天": -1, "昨日": -1, "昨儿": -1, "前天": -2, "前日": -2, "大前天": -3,
}
# Day and part of day fused: 明早 = 明天早上.
FUSED_DAY_PART: dict[str, tuple[int, str]] = {
    "明早": (1, "早上"), "明晚": (1, "晚上"), "今早": (0, "早上"), "今晚": (0, "晚上"), "今夜": (0, "晚上"),
    "今晨": (0, "早上"), "昨晚": (-1, "晚上"), "昨夜": (-1, "晚上"), "昨早": (-1, "早上"), "当晚": (0, "晚上"),
}
# Parts of the day: the hour a bare part means, and how a clock hour inside it is read.
PART_DEFAULT_HOUR: dict[str, int] = {
    "凌晨": 6, "清晨": 8, "早上": 9, "早晨": 9, "一早": 9, "上午": 9, "早": 9, "中午": 12, "正午": 12, "午后": 14,
    "下午": 14, "傍晚": 18, "晚上": 19, "晚": 19, "夜里": 21, "夜间": 21, "半夜": 0, "深夜": 23,
    "morning": 9, "noon": 12, "afternoon": 14, "evening": 19, "tonight": 19,
}
PM_PARTS = ("下午", "午后", "傍晚", "晚上", "晚", "夜里", "夜间", "深夜", "afternoon", "evening", "tonight", "pm")
NOON_PARTS = ("中午", "正午", "noon")
# 夜里12点 / 半夜12点 = midnight at the end of that day.
MIDNIGHT_PARTS = ("夜里", "夜间", "半夜", "深夜", "晚上")
# Words that end a date phrase and only say "about" (8点许, 5点多钟, 11点整).
CLOCK_TAILS = ("钟", "整", "许", "左右", "多钟", "多")

# ---------------------------------------------------------------- phones

# Labels before a phone number.
PHONE_LABELS = (
    "电话号码", "联系电话", "联系方式", "电话", "手提电话", "手提", "流动电话", "行动电话", "手机号码", "手机号", "手机", "座机", "微信同号", "微信号", "微信", "同微信",
    "tel", "phone", "mobile", "cell", "whatsapp", "电话是", "手机是", "传真", "fax",
)
# Labels that say the digits that follow are not a phone (identity card, postcode, order numbers).
NOT_PHONE_LABELS = ("身份证", "身份证号", "证件号", "邮编", "邮政编码", "订单号", "单号", "工号", "账号", "卡号", "尾号", "发票号", "税号", "序列号")

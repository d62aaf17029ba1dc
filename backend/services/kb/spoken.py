"""Spoken questions made searchable: fillers and question words removed, colloquial measures mapped
to the words documents use.

A rep dictates "那个嗯满电能跑多远啊"; the passage says "续航里程 200 km". Two steps close the gap:

1. :func:`clean` drops fillers (嗯, 呃, 那个 at the start …), asking words (请问, 帮我查一下, 客户问)
   and trailing particles, so neither retriever spends weight on them.
2. :func:`expand` finds colloquial phrases of the question in a lexicon (phrase → document terms:
   能跑多远 → 续航, 多久充满 → 充电时间) and returns the terms. Search lets a chunk holding one
   earn the phrase's weight in the lexical ranking, and appends them to the text the models embed.

The lexicon is the built-in :data:`DEFAULT_LEXICON` (sales vocabulary that holds across products:
price, warranty, lifetime, delivery, temperature, discounts …) plus each tenant's own rows in
``kb_lexicon`` (admin API ``/admin/v1/tenants/{slug}/kb/lexicon``), which add to or override it.
A phrase matches anywhere in the normalised question; the longest phrases win where two overlap.
"""

from __future__ import annotations

import re
import time

import asyncpg

from backend.db.queries import queries
from backend.services.kb.lexical import normalise

# Fillers reps say into voice messages, removed wherever they stand.
_FILLERS_ANYWHERE = re.compile(r"[嗯呃唔哎诶欸额]+|那个那个|就是说")
# Openers that only ask: removed at the start (repeatedly).
_OPENERS = ("那个", "这个", "就是", "然后", "我想问一下", "我想问下", "想问一下", "想问下", "问一下", "问下", "请问",
            "帮我查一下", "帮我查下", "帮我查查", "帮我查", "查一下", "查下", "帮我看看", "帮我看下", "麻烦",
            "客户问", "客户想知道", "客户想问", "老板问", "我们的", "咱们的", "咱们", "我们", "对了", "哦", "啊", "好",
            "hey", "hi", "um", "uh", "so", "quick question")
_TRAILING = re.compile(r"[吗呢啊呀吧嘛啦哈哦么]+[?？!！。.]*$")

# Colloquial phrase → the terms documents use for it. Written for sales questions in general (not
# for one seller's documents); a tenant adds its own through the admin API.
DEFAULT_LEXICON: dict[str, list[str]] = {
    # range and charging
    "能跑多远": ["续航", "续航里程"], "跑多远": ["续航", "续航里程"], "能开多远": ["续航", "续航里程"],
    "跑多少公里": ["续航", "续航里程"], "充一次电": ["续航", "充电"],
    "多久充满": ["充电时间", "快充"], "充满要多久": ["充电时间", "快充"], "充电要多久": ["充电时间", "快充"],
    "充满电": ["充电时间", "续航"],
    # lifetime and warranty
    "能用多少年": ["寿命", "使用寿命", "循环寿命", "设计寿命"], "能用几年": ["寿命", "使用寿命", "循环寿命"],
    "用多久": ["寿命", "使用寿命"], "用多少年": ["寿命", "使用寿命", "循环寿命"], "能用多久": ["寿命", "使用寿命"],
    "保几年": ["质保", "保修"], "包几年": ["质保", "保修"], "保修多久": ["质保", "保修"], "保多久": ["质保", "保修"],
    "坏了": ["售后", "维修", "故障", "响应"], "来修": ["售后", "维修", "上门", "响应"], "修好": ["维修", "响应"],
    "出问题": ["故障", "售后", "稳定性"], "出故障": ["故障", "售后"],
    # words sellers use for the same thing (a document says one, the rep the other)
    "保修": ["质保"], "保修期": ["质保期", "质保"], "质保期": ["保修期", "保修"], "过保": ["质保期外", "维保"],
    "一年多少钱": ["年费", "每年"], "每年多少钱": ["年费", "每年"], "一年要交": ["年费", "每年"],
    "交货期": ["交期"], "货期": ["交期"], "到货时间": ["交期", "交货"],
    # price and payment
    "多少钱": ["价格", "报价", "售价"], "什么价": ["价格", "报价"], "贵不贵": ["价格", "报价"], "怎么收费": ["收费", "报价", "价格"],
    "怎么卖": ["报价", "价格"], "多少费用": ["费用", "报价"], "要交多少": ["费用", "年费", "服务费"],
    "回本": ["投资回收期", "回收期", "收益"], "本钱赚回来": ["投资回收期", "回收期", "收益"],
    "赚回来": ["投资回收期", "回收期"], "省多少钱": ["节省", "收益", "电费"],
    "分期": ["分期", "付款方式", "账期"], "资金紧张": ["付款方式", "分期", "融资租赁"], "先付多少": ["付款方式", "预付款"],
    "分几次": ["付款方式", "付款"], "怎么收款": ["付款方式", "付款"], "怎么付款": ["付款方式", "付款"],
    "付款条件": ["付款方式", "付款"],
    # prices per measure (documents write 元/㎡, 元/m³)
    "一平": ["m2", "平方米"], "每平": ["m2", "平方米"], "一平米": ["m2", "平方米"], "每平米": ["m2", "平方米"],
    "一平方": ["m2", "平方米"], "每平方": ["m2", "平方米"], "每方": ["m3", "立方米"],
    "打折": ["折扣", "审批"], "九折": ["折扣", "审批"], "八折": ["折扣", "审批"], "便宜点": ["折扣", "优惠"],
    "谁签字": ["审批", "权限"], "谁批": ["审批", "权限"], "要谁批": ["审批", "权限"], "谁审批": ["审批", "权限"],
    # delivery and implementation
    "多久到货": ["交期", "交货", "发货"], "多久能到": ["交期", "交货", "发货"], "多久发货": ["交期", "发货"],
    "多久交货": ["交期", "交货"], "多久能上线": ["实施周期", "上线"], "多久上线": ["实施周期", "上线"],
    "多久能用上": ["实施周期", "上线", "交付"], "拖很久": ["实施周期", "延期"],
    # environment
    "零下": ["低温", "工作温度", "温度范围"], "极寒": ["低温", "工作温度", "温度范围"], "冬天": ["低温", "温度"],
    "太冷": ["低温", "工作温度"], "高温": ["高温", "工作温度", "散热"], "太热": ["高温", "散热"], "夏天": ["高温", "散热"],
    "海拔": ["海拔", "高海拔"], "进水": ["防护等级", "防水"], "下雨": ["防护等级", "防水"],
    # safety
    "起火": ["消防", "灭火", "热失控"], "着火": ["消防", "灭火", "热失控"], "爆炸": ["热失控", "消防", "安全"],
    "安不安全": ["安全", "认证"],
    # software and integration
    "对接": ["集成", "接口", "api"], "打通": ["集成", "接口"], "能接": ["集成", "接口", "兼容"],
    "装在自己机房": ["私有化部署", "本地部署"], "自己机房": ["私有化部署", "本地部署"], "放在哪": ["数据存储", "部署"],
    "出境": ["数据出境", "数据安全", "境内"], "会不会丢": ["备份", "数据安全"], "宕机": ["可用性", "sla"],
    "试用": ["试用", "演示", "样机"], "先用用": ["试用", "演示"], "借给": ["样机", "借用", "试用"],
    # performance
    "抓多重": ["负载", "载荷"], "能拿多重": ["负载", "载荷"], "多重": ["负载", "重量"], "多准": ["精度", "重复定位精度"],
    "多快": ["速度", "节拍"], "用多少电": ["能耗", "功耗", "负荷"], "费电": ["能耗", "功耗"], "耗电": ["能耗", "功耗"],
    "多大规模": ["规模", "适用"],
    # competitors and cases
    "怎么打": ["应对", "话术"], "怎么应对": ["应对", "话术"], "怎么说": ["话术", "应对"], "怎么回": ["话术", "应对"],
    "差在哪": ["劣势", "短板"], "短板": ["劣势", "短板"], "弱点": ["劣势", "短板"], "不行": ["劣势", "短板"],
    "强在哪": ["优势"], "厉害": ["优势"], "有啥优势": ["优势"],
    "有没有案例": ["案例", "客户"], "谁在用": ["案例", "客户"], "用过的客户": ["案例", "客户"],
    # English
    "weakness": ["劣势"], "weaknesses": ["劣势"], "strengths": ["优势"], "uptime": ["sla", "可用性"],
    "how much": ["价格", "报价"], "lead time": ["交期"], "warranty": ["质保"], "case study": ["案例"],
}

CACHE_SECONDS = 30.0  # a tenant's lexicon is read at most this often per process (admin edits clear it)
_cache: dict[int, tuple[float, dict[str, list[str]]]] = {}


def clean(question: str) -> str:
    """The question without fillers, asking openers and trailing particles (never empty when the
    question had words: an all-filler question comes back as it was)."""
    text = normalise(question).strip()
    out = _FILLERS_ANYWHERE.sub("", text).strip(" ，,。.、")
    changed = True
    while changed:
        changed = False
        for opener in _OPENERS:
            if out.startswith(opener) and len(out) > len(opener) + 1:
                out = out[len(opener):].lstrip(" ，,。.、")
                changed = True
    out = _TRAILING.sub("", out).strip()
    return out or text


# Units as reps say them → the symbols documents write (75千瓦 → 75kW, 1.3兆帕 → 1.3MPa). Two characters or more
# only: a lone 米, 度 or 吨 is too often something else.
UNITS: dict[str, str] = {
    "赫兹": "hz", "千赫": "khz", "千瓦时": "kwh", "度电": "kwh", "千瓦": "kw", "兆瓦": "mw", "千伏安": "kva", "伏特": "v",
    "兆帕": "mpa", "千帕": "kpa", "毫米": "mm", "厘米": "cm", "微米": "um", "纳米": "nm", "公里": "km", "公斤": "kg",
    "千克": "kg", "分贝": "db", "毫升": "ml", "安培": "a", "平方米": "m2", "平米": "m2", "立方米": "m3", "立方": "m3",
}
_SPOKEN_UNIT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s?(" + "|".join(sorted(UNITS, key=len, reverse=True)) + ")")


def matches(question: str, lexicon: dict[str, list[str]]) -> dict[str, list[str]]:
    """The lexicon's phrases found in ``question`` (normalised), longest first, overlaps skipped."""
    text = normalise(question)
    taken: list[tuple[int, int]] = []
    out: dict[str, list[str]] = {}
    for m in _SPOKEN_UNIT.finditer(text):
        # a spoken unit after a number stands for the symbol documents write (60赫兹 → 60hz; 50/60 Hz → hz)
        symbol = UNITS[m.group(2)]
        taken.append(m.span())
        out[m.group(0)] = [m.group(1) + symbol, symbol]
    for phrase in sorted(lexicon, key=len, reverse=True):
        start = text.find(phrase)
        if start < 0:
            continue
        if phrase.isascii() and re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text) is None:
            continue
        end = start + len(phrase)
        if any(s < end and start < e for s, e in taken):
            continue
        taken.append((start, end))
        out[phrase] = list(dict.fromkeys(lexicon[phrase]))
    return out


async def tenant_lexicon(conn: asyncpg.Connection, tenant_id: int) -> dict[str, list[str]]:
    """The built-in lexicon with the tenant's own rows over it (cached per process briefly)."""
    now = time.monotonic()
    hit = _cache.get(tenant_id)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    merged = dict(DEFAULT_LEXICON)
    for row in await queries.kb_lexicon_list(conn, tenant_id=tenant_id):
        terms = [normalise(t).strip() for t in row["terms"] if t.strip()]
        if terms:
            merged[normalise(row["phrase"]).strip()] = terms
        else:
            merged.pop(normalise(row["phrase"]).strip(), None)  # an empty row switches a built-in phrase off
    _cache[tenant_id] = (now, merged)
    return merged


def forget(tenant_id: int) -> None:
    """Drop the cached lexicon of a tenant (after an admin edit)."""
    _cache.pop(tenant_id, None)

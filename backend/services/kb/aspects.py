"""Aspects: what a question asks about a product (its price, its running cost, its warranty …) and what a
passage is about, from a small built-in taxonomy of B2B selling aspects.

Neighbours about the same product share its name and most words; what tells the price note from the
running-cost note is the aspect. A rep asks "质谱买回去一年养着要花多少钱" (running cost, not the price),
"q96有没有械字号" (registration, not the price), "max pressure of the 8800 pump" (specs). The second
stage (:mod:`.rerank`) prefers, among its candidates, the passage whose aspect matches the question's,
weighted by how sure the detection is.

The vocabulary is general sales language in Chinese and English (titles such as "价格与付款方式",
"日常维护与运行成本", "Service and Warranty Weak Points", and the ways reps ask), never one seller's
phrases. Cues are matched longest first, left to right, without overlap, so a specific cue wins over the
generic one inside it: "一年养着要花多少钱" is a running cost (not "多少钱", a price), "服务费" a price
(not "服务"), "数据安全" data security (not "安全", safety). A cue written ``~cue`` is weak (half weight).
Costs one scan of the question and of the candidates' title, heading and passage, trying at each place
only the cues that start with its two characters, cached per text (~1 ms a question uncached; no model).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from typing import NamedTuple

from backend.services.kb.lexical import normalise

# Aspect → cues. Chinese cues are literal substrings; English cues are word prefixes (``pric`` matches price,
# prices, pricing), whole words when three letters or shorter or written with a trailing space (``ce``, ``pay ``);
# a cue starting with ``re:`` is a regular expression (at one place it comes before any literal).
TAXONOMY: dict[str, tuple[str, ...]] = {
    "price": (
        "价格", "价钱", "价位", "报价", "售价", "定价", "单价", "总价", "标价", "含税", "多少钱", "什么价", "啥价", "几多钱",
        "收费", "计费", "收多少", "怎么卖", "卖多少", "卖几", "re:贵(?!公司|司|方|单位|院|校)", "便宜", "折扣", "打折", "几折", "优惠", "让利", "降价",
        "低价", "高价", "砍价", "压价", "预算", "付款", "首付", "预付", "尾款", "账期", "质保金", "年费", "服务费", "授权费",
        "订阅费", "许可费", "软件费", "~标准配置", "~标配", "~配置清单", "按年收", "按用户", "按账号", "按点位", "按模块",
        "re:[一二三四五六七八九两\\d]折", "re:(一|每)(个)?(账号|用户|站点|模块|点位|台|套).{0,4}(多少|几)",
        "pric", "quot", "discount", "cheap", "expensive", "payment", "pay ", "budget", "fee", "fees", "how much",
        "list price", "~cost", "licen", "subscription", "per seat", "per user",
    ),
    "running_cost": (
        "运行成本", "使用成本", "运营成本", "运维成本", "维护成本", "保养", "日常维护", "维护", "耗材", "易损件", "消耗品",
        "电费", "水电", "开销", "养着", "养一台", "全生命周期成本", "总拥有成本", "tco",
        "re:(一年|每年|每个?月|一个月|年)[^，,。？?]{0,6}(花|开销|成本|电费|耗材)[^，,。？?]{0,4}",
        "running cost", "operating cost", "cost of ownership", "upkeep", "consumabl", "maintenance cost", "opex",
        "~maintenanc",
    ),
    "delivery": (
        "交期", "交货", "发货", "到货", "货期", "供货", "现货", "库存", "备货", "排产", "生产周期", "物流", "运输", "多久能到",
        "多久到", "什么时候到", "几天到", "lead time", "deliver", "ship", "in stock", "stock", "eta",
    ),
    "installation": (
        "安装", "调试", "施工", "场地", "安装条件", "实施", "上线", "用上", "用起来", "落地", "~部署", "交付", "吊装", "进场",
        "机房要求", "电源要求", "供电", "配电", "三相电", "用电要求", "re:拉.{0,4}电(?![池脑话视梯])", "占地", "开通", "多长时间能用", "签合同到", "签完合同",
        "install", "commission", "power supply", "electrical requirement", "implement", "go live", "go-live", "rollout", "roll out", "set up", "setup",
        "~site", "~deploy", "onboard",
    ),
    "warranty_service": (
        "质保", "保修", "保固", "包修", "保几年", "包几年", "售后", "维修", "维保", "检修", "巡检", "服务网点", "~服务", "响应",
        "上门", "到现场", "到场", "工程师", "备件", "配件", "校准", "坏了", "故障", "技术支持", "运维", "客服",
        "7x24", "过保", "re:多久(?:能)?(?:到现场|到场|上门|来修|修好)", "warrant", "guarantee", "after-sales", "after sales", "servic", "~support", "repair", "engineer",
        "technician", "response time", "spare part", "on-site", "onsite", "breakdown", "broke", "calibrat",
    ),
    "certification": (
        "认证", "证书", "注册证", "械字号", "注册", "资质", "合规", "国标", "国家标准", "行业标准", "安全标准", "~符合", "并网", "检测报告", "型式试验", "备案",
        "许可证", "批文", "准入", "ce", "ul", "iso", "gmp", "fda", "nmpa", "ccc", "3c", "iec", "21 cfr",
        "certif", "complian", "registr", "approv", "regulat", "accredit", "listed",
    ),
    "data_security": (
        "数据安全", "信息安全", "私有化", "私有部署", "本地部署", "部署方式", "云端", "公有云", "私有云", "机房", "内网", "外网",
        "服务器", "加密", "备份", "权限", "等保", "出境", "泄露", "泄漏", "云上", "上云", "黑客", "审计追踪", "数据完整性", "数据存", "存哪", "放在哪",
        "securi", "encrypt", "on-prem", "on prem", "private deploy", "hosting", "hosted", "cloud", "backup",
        "data residen", "gdpr", "audit trail", "data integrity", "leak", "breach", "hack",
    ),
    "integration": (
        "对接", "接口", "集成", "打通", "兼容", "协议", "联网", "接入", "导入", "导出", "数据迁移", "迁移", "老系统", "能接",
        "api", "sdk", "integrat", "interface", "compatib", "connect", "protocol", "plugin", "plug-in", "migrat",
        "import", "export", "modbus", "opc", "webhook",
    ),
    "performance": (
        "参数", "性能", "指标", "规格", "精度", "速度", "多快", "快多少", "效率", "能效", "负载", "载荷", "寿命", "容量",
        "功率", "续航", "灵敏度", "分辨率", "压力", "噪音", "重量", "尺寸", "最大", "最高", "最小", "最低", "量程", "产能",
        "节拍", "cop", "冷吨", "制冷量", "制热量", "扫描", "多重", "多准", "多远", "多大", "臂展", "通量", "检测限",
        "re:一拖多少", "re:(?:能|可以)?用(?:多少|几)年", "能用多久", "re:(能|可以)(跑|抓|拿|带|扛|承受|做到)", "spec", "performan", "datasheet", "accura", "precis",
        "speed", "fast", "efficien", "max", "capacit", "pressure", "sensitiv", "payload", "reach", "throughput",
        "resolution", "lifetime", "lifespan", "maxim", "~range", "~how long does it last",
    ),
    "reliability": (
        "稳定性", "可靠性", "可靠", "靠谱", "~质量", "故障率", "出问题", "出毛病", "连续跑", "连续运行", "死机", "宕机", "返修率", "耐用", "mtbf",
        "reliab", "uptime", "downtime", "failure rate", "durab",
    ),
    "environment": (
        "环境", "温度范围", "工作温度", "低温", "高温", "零下", "极寒", "冬天", "夏天", "海拔", "防护等级", "防水", "防尘",
        "散热", "湿度", "盐雾", "户外", "适应性", "environment", "temperatur", "cold", "altitude", "waterproof",
        "dust", "humid", "outdoor",
    ),
    "safety": (
        "安全", "消防", "灭火", "热失控", "起火", "着火", "爆炸", "防爆", "碰撞", "急停", "人机协作", "伤人", "safety", "safe ",
        "fire", "collision", "explos",
    ),
    "cases": (
        "案例", "标杆", "样板", "谁在用", "哪些客户", "哪家用", "谁用过", "用过", "成功案例", "参考客户", "典型客户", "业绩",
        "哪些单位", "哪些医院", "哪些学校", "哪些工厂", "case", "customer stor", "referenc", "who uses", "success stor",
    ),
    "strengths": (
        "优势", "强项", "长处", "优点", "好在哪", "亮点", "卖点", "核心竞争力", "凭什么", "为什么选", "客户基础", "强在哪",
        "strength", "advantag", "strong", "why choose", "why us",
    ),
    "weaknesses": (
        "劣势", "弱点", "短板", "缺点", "不足", "攻击点", "槽点", "差在哪", "哪里不行", "毛病", "weak", "drawback",
        "downside", "shortcoming", "problem",
    ),
    "talktrack": (
        "话术", "应对", "怎么打", "怎么说", "怎么接", "怎么回", "怎么办", "怎么讲", "怎么聊", "怎么赢", "怎么抢", "压我",
        "对战", "竞争应对", "talk track", "respond", "~handle", "counter", "objection", "beat", "win against",
        "pitch against",
    ),
    "overview": (
        "概况", "概览", "概述", "介绍", "简介", "背景", "规模", "成立", "总部", "营收", "~员工", "什么公司", "产品线",
        "~适合", "overview", "~about", "background", "profile", "who is", "founded", "headquarter", "revenue",
    ),
    "roi": (
        "投资回报", "回报", "回本", "回收期", "投资回收", "收益", "节省", "省多少", "省钱", "省电", "节能", "节约", "划算",
        "赚回来", "roi", "payback", "saving", "save", "return on investment",
    ),
    "financing": (
        "融资租赁", "租赁", "分期", "贷款", "融资", "还款", "慢慢还", "月供", "按揭", "钱不够", "资金紧张", "垫资", "先用后付",
        "lease", "leasing", "financ", "loan", "installment", "pay over time", "pay later",
    ),
    "training": (
        "培训", "教学", "上手", "好学", "难学", "会用", "编程", "示教", "课程", "学会", "操作难", "training", "train ",
        "learn", "course", "ease of use", "easy to use", "programming",
    ),
    "trial": (
        "试用", "样机", "演示", "借用", "借给", "试机", "测样", "送样", "~体验", "demo", "trial", "poc", "proof of concept",
        "loaner", "evaluation unit", "sample",
    ),
    "features": (
        "功能", "特点", "模块", "能做", "feature", "function", "capabilit", "module",
    ),
}

TITLE_WEIGHT = 1.0  # an aspect in the candidate's title
HEADING_WEIGHT = 0.8  # in its heading
TEXT_WEIGHT = 0.3  # in its passage (the words of a passage wander; its title says what it is for)
_TITLE_SEPARATOR = re.compile(r"[：:]\s*|\s[—–|]\s")
_ASCII_CUE = re.compile(r"^[a-z0-9 \-+.]+$")


class _Cue(NamedTuple):
    text: str
    aspect: str
    weight: float
    word: bool  # an English cue: not inside another word
    whole: bool  # the whole word (short cues such as "ce", "max"), else a prefix (pric → pricing)


@functools.lru_cache(maxsize=1)
def _cues() -> tuple[list[tuple[re.Pattern[str], str, float]], dict[str, list[_Cue]]]:
    """The regular-expression cues, and the literal cues by their first two characters (a one-character cue
    by its character), longest first: a scan tries only the few cues that start with the text at hand."""
    patterns: list[tuple[re.Pattern[str], str, float]] = []
    by_first: dict[str, list[_Cue]] = {}
    for aspect, cues in TAXONOMY.items():
        for cue in cues:
            weight = 0.5 if cue.startswith("~") else 1.0
            cue = cue.lstrip("~")
            if cue.startswith("re:"):
                patterns.append((re.compile(cue[3:]), aspect, weight))
                continue
            word = _ASCII_CUE.match(cue) is not None
            text = cue.strip() if word else cue
            by_first.setdefault(text[:2], []).append(
                _Cue(text, aspect, weight, word, word and (len(text) <= 3 or cue.endswith(" "))))
    for cues in by_first.values():
        cues.sort(key=lambda c: -len(c.text))
    return patterns, by_first


_NONE: list[_Cue] = []


@functools.lru_cache(maxsize=1)
def _starts() -> re.Pattern[str]:
    """Where a literal cue may start: an English word's first letter, or a character a Chinese cue starts with
    (a scan looks nowhere else)."""
    chinese = sorted({key[0] for key in _cues()[1]} - set("abcdefghijklmnopqrstuvwxyz0123456789"))
    return re.compile("(?<![a-z0-9])[a-z0-9]|[" + "".join(re.escape(c) for c in chinese) + "]")


def _word_char(text: str, i: int) -> bool:
    return 0 <= i < len(text) and (text[i].isascii() and text[i].isalnum())


@functools.lru_cache(maxsize=8192)
def detect(text: str, *, simplify: bool = True) -> dict[str, float]:
    """The aspects ``text`` names: each aspect's summed cue weight (capped at 1). Cues are taken left to
    right without overlap; at one place a regular-expression cue comes first, then the longest literal.
    ``simplify=False`` skips the traditional → simplified conversion (most of the cost on a long passage)."""
    if not text:
        return {}
    text = normalise(text) if simplify else unicodedata.normalize("NFKC", text).lower()
    patterns, by_first = _cues()
    at: dict[int, tuple[int, str, float]] = {}  # where a regular-expression cue starts: (its end, aspect, weight)
    for pattern, aspect, weight in patterns:
        for m in pattern.finditer(text):
            if m.end() > m.start() and m.end() > at.get(m.start(), (-1,))[0]:
                at[m.start()] = (m.end(), aspect, weight)
    out: dict[str, float] = {}
    n = len(text)
    places = sorted({m.start() for m in _starts().finditer(text)} | at.keys())  # where a cue may start
    end = 0
    for i in places:
        if i < end:  # inside the cue just taken
            continue
        hit = at.get(i)
        if hit is None:
            for cue in by_first.get(text[i:i + 2], _NONE) + by_first.get(text[i], _NONE):
                if not text.startswith(cue.text, i):
                    continue
                stop = i + len(cue.text)
                if cue.word:
                    if _word_char(text, i - 1) or (cue.whole and _word_char(text, stop)):
                        continue
                    while not cue.whole and stop < n and "a" <= text[stop] <= "z":
                        stop += 1
                hit = (stop, cue.aspect, cue.weight)
                break
        if hit is None:
            continue
        end, aspect, weight = hit
        out[aspect] = min(1.0, out.get(aspect, 0.0) + weight)
    return out


def question_aspects(question: str) -> dict[str, float]:
    """What the question asks about: a distribution over aspects whose total is how sure the detection is
    (1 once it holds a full cue; a weak cue alone gives 0.5; several aspects share it)."""
    found = detect(question)
    total = sum(found.values())
    if total <= 0:
        return {}
    sure = min(1.0, total)
    return {a: sure * s / total for a, s in found.items()}


def of_a_competitor(asked: Mapping[str, float]) -> dict[str, float]:
    """A question naming a competitor asks about its reliability (易成 稳定性, 明川 质量) to find where it falls
    short: the competitor's weak points answer it, as much as the reliability asked."""
    out = dict(asked)
    if "reliability" in out:
        out["weaknesses"] = out.get("weaknesses", 0.0) + out.pop("reliability")
    return out


def passage_aspects(title: str, heading: str | None, text: str) -> dict[str, float]:
    """What a passage is about: its title counts fully, its heading ``HEADING_WEIGHT``, its words
    ``TEXT_WEIGHT`` (each aspect its strongest place). A title "name：aspect" (or "name: aspect") names the
    product or competitor before the colon: that part counts as the passage's words (LabCloud, Hanwu Cloud
    Control are names, not the cloud)."""
    parts = _TITLE_SEPARATOR.split(title, maxsplit=1)
    name, topic = (parts[0], parts[1]) if len(parts) == 2 and parts[1].strip() else ("", title)
    out: dict[str, float] = {}
    for part, weight in ((topic, TITLE_WEIGHT), (heading or "", HEADING_WEIGHT), (f"{name} {text}", TEXT_WEIGHT)):
        # The passage as written (no traditional → simplified pass: its words count little, and the pass is
        # most of the cost on 300 characters).
        for aspect, s in detect(part, simplify=weight != TEXT_WEIGHT).items():
            out[aspect] = max(out.get(aspect, 0.0), weight * s)
    return out


def aspect_match(question: Mapping[str, float], passage: Mapping[str, float]) -> float:
    """How well a passage's aspects meet the question's (0 … 1)."""
    return sum(q * passage.get(a, 0.0) for a, q in question.items())

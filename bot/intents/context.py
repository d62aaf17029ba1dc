"""What every intent module reads: one message analysed once (stage words, win / loss words, due time),
and the helpers the field extractors share (deal hint, amount, kb kind)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from schemas.intents import ParsedMessage

from bot.intents import cues as C
from bot.intents import dates as _dates

# The one call for a message's due time. The dates module of this round adds find_followup_time
# (the due, or a clock time already gone today flagged past); use it when present.
find_due = getattr(_dates, "find_followup_time", _dates.find_due)
from bot.intents.deals import (
    _OPEN_TIME_RE,
    activity_hint,
    build_note,
    build_query,
    deal_word,
    hint_after,
    hint_before,
    reason_after,
    strip_lead,
)
from bot.intents.leads import lead_fields
from bot.intents.lexicon import (
    DOC_ACRONYMS,
    STANDARD_BODIES,
    CHATTER_PREFIXES,
    DEFAULT_STAGES,
    LEADING_FILLERS,
    LOST_KEY,
    WON_KEY,
    StageAlias,
    StageLexicon,
    stage_lexicon,
)
from bot.intents.numerals import cn_small_int, find_amounts
from bot.intents.text import CJK, Msg, has_cjk


class StageHit:
    __slots__ = ("start", "end", "key", "word", "cue", "negated", "embedded", "future", "verb")

    def __init__(self, start, end, key, word, cue, negated, embedded, future=False, verb=False):
        self.start, self.end, self.key, self.word = start, end, key, word
        self.cue, self.negated, self.embedded = cue, negated, embedded
        self.future = future
        self.verb = verb  # the hit is a whole stage sentence in itself (尾款到了)


# 尾款三百万到了 / 首付款已经到账 / 货款收到了: a payment arriving is the paid stage.
PAID_RE = re.compile(
    r"(?:回款|收款|尾款|首付款?|首款|预付款?|进度款|合同款|货款|余款|全款|定金|订金|款项|钱|款|(?<=[\u4e00-\u9fff])(?<![递运邮油电水话路餐旅车宿])费用?|租金)\s*"
    r"(?:(?:的)?(?:\d+(?:\.\d+)?\s?%|百分之[一二三四五六七八九十]+|[一二三四五六七八九]成))?\s*"  # 首付款30%到账 / 三成
    r"(?:(?<=费)(?:的)?(?:首期|首笔|尾期|第[一二三四五六七八九十\d]+(?:期|笔)))?\s*"  # 维保费首期到了: the instalment of a fee
    r"(?:[¥￥]?\s?[\d.,]+\s?(?:万|亿|w|k|元|块)?|[零一二两三四五六七八九十百千点]+(?:个)?(?:万|亿|元|块)?)?\s*"
    r"(?:呢|啊|呀)?(?:也|都|已经|已|终于|刚刚?|今天|昨天|前天|昨晚|今早|上午|下午)?(?:到了|到账了?|已到|收到了?|收了(?![吗没])|收齐了?|收完了|到齐了|付清了?|打过来了|打来了|付了|结清了?|回来了)(?!就|再|才|的话|吗|么|没有?\s*$)"
    # 汇了二期款过来 / 打了一笔尾款过来: a payment sent over
    r"|(?:打|汇|转|付)了(?:一笔)?(?:[一二三四五\d]期|第[一二三四五六七八九十\d]+笔|首付?|尾|预付|进度)?款(?:项)?过来"
    # 上周五已经付了首期款 / 打了尾款: the payment verb before a named instalment (not a bare 款)
    r"|(?<![要想会没未])(?<!我们)(?<!我司)(?<!咱们)(?:付|打|汇|转|结)了(?:一笔)?(?:[一二三四五\d]期|第[一二三四五六七八九十\d]+(?:笔|期)|首付|首期|尾|预付|进度|合同|货)款"
    r"(?![^，,。]{0,2}(?:的话|再|就|才|之?后|以后|给))"
    # 收到第一笔款 六十万 / 收到了尾款: the verb before the payment
    r"|收到(?:了)?(?:第[一二三四五六七八九十两\d]+(?:笔|期))?(?:的)?(?:回款|尾款|首付款?|首款|预付款?|进度款|合同款|货款|余款|全款|定金|订金|款项|款)(?!的话)"
    # 客户打款了 / 已经付款了 / 转账过来了: the customer paid
    r"|(?:已经|已|终于|刚刚?|今天)?(?:打款|付款|转账|汇款|结款|打钱)(?:过来)?了(?!就|再|才|的话)|已(?:打款|付款|转账|汇款)"
    # 那单到账十万 首款: 到账 before the sum
    r"|(?<=那单|那單|这单)(?:今天|已经|已)?(?:到账|回款|收款)(?=\s*[¥￥]?\s?[\d零一二两三四五六七八九十百千]+)",
    re.IGNORECASE,
)
# 下一步做方案 / 接下来准备投标: a stage planned after the current one.
FUTURE_BEFORE_RE = re.compile(
    r"(?:下一步|下一阶段|接下来|之后|然后|准备|打算|计划|下周|下个月|next)[^，,。;；]{0,4}$|(?<![我])等(?:着)?(?:他们|她们|客户|对方|甲方|业主)?(?:的)?(?:内部)?$|\b(?:will|going to|plan(?:s|ning)? to|intend to)\s+$",
    re.IGNORECASE,
)


# Product nouns: a name ending in one is a product, and a product after 的 makes the name its maker.
_PRODUCT_NOUNS = (
    r"传感器|探测器|控制器|变送器|仪表|仪器|仪|机器人|机床|机组|机|器|柜|箱|炉|灶|板|屏|系统|平台|软件|设备|产品|方案|网关|模块|"
    r"服务|电镜|色谱|泵|阀|膜|纸|材料|车|灯|表|计|头|线|管|芯片|电池|云|防火墙|终端|主机|服务器|盒子|镜头|相机|"
    # furniture and fit-out (升降桌 / 人体工学椅 / 屏风工位 / 电话亭 / 地毯)
    r"桌|椅|沙发|屏风|工位|隔断|电话亭|地毯|吊顶|"
    r"\b(?:[A-Z]{2,}[A-Za-z0-9-]*)"
)
_BRAND_POSS_RE = re.compile(
    rf"\s*(?P<x>[{CJK}]{{2,6}}|[A-Z][a-z][A-Za-z]+(?:\s[A-Z][a-z]+)?)\s*(?:家的|家|的|那款|这款|那个|的那款)\s*"
    rf"[{CJK}A-Za-z0-9\-]{{0,8}}?(?:{_PRODUCT_NOUNS})"
)
_GENERIC_OWNER_RE = re.compile(
    r"我|咱|自家|客户|公司|这个|那个|这款|那款|他们|对方|行业|国内|国外|进口|国产|市面|现在|目前|一般|普通|常规|最新|新款|老款|"
    r"同行|别人|项目|现场|工厂|车间|厂里|今年|去年|明年|之前|以前|标准|主流|高端|低端|便宜|这种|那种|哪种|哪家|哪个|什么|\d"
)
_PRODUCT_END_RE = re.compile(rf"(?:{_PRODUCT_NOUNS})$")


OWN_DEALS_RE = re.compile(
    r"(?:看下|看看|看一下|查看|查一下|查下|列出|列一下|列下|拉一下|拉下|显示|给我看看?|给我列一下)?\s*(?:把|将)?\s*我(?:手上|手里|现在|目前|名下|所有|全部|的所有){0,2}(?:的)?(?:在跟|在)?\s*"
    r"(?P<mid>[^，,。\s]{0,6}?)\s*(?:阶段|中|状态|环节)?的?\s*(?:(?:商机|单子|单|项目|客户|deals?|(?<=阶段的)(?=有|是|都))(?:有哪些|有哪几个|有几个|有多少|都有啥|都有哪些|是哪些|是哪几个|呢)?"
    # 我手上现在方案阶段的都有哪几个: the question stands for the noun
    r"|(?<=[的])(?:都)?有(?:哪些|哪几个|哪几家|几个|几家|多少|啥))"
    # 把我谈判中的单子拉出来看看: a 把-object and the verb that shows it
    # 把我方案阶段的商机列一下: the 把-object and a list verb with its 一下
    r"(?:(?:都)?(?:拉|列|调|找|翻|导)出来|(?:都)?(?:列|拉|调|翻)(?:一下|下|个单)|发我|给我)?\s*(?:看看|看一下|看下|瞧瞧)?\s*[?？]?\s*$",
    re.IGNORECASE,
)

# 谈判中的单 / 投标阶段的项目有哪些: a whole message naming a stage and deals, with no 我
STAGE_DEALS_RE = re.compile(
    # (方案阶段的单子我有几个: the rep as the owner of the count)
    r"(?P<mid>[^，,。\s]{1,6}?)\s*(?:阶段|中|状态)的?\s*(?:商机|单子|单|项目|客户|deals?|(?<=阶段的)(?=有|是|都))(?:(?:我|我手上|我手里|我这边|我现在|我目前)?(?:有哪些|有哪几个|有几个|有几单|有多少|都有啥|都有哪些|是哪些|是哪几个)|呢)?\s*[?？]?\s*$",
    re.IGNORECASE,
)


# 他们要先做三个月试用 / 准备下周演示: an activity word after a plan marker in its clause is still to come
_PLANNED_BEFORE_RE = re.compile(r"(?:要|准备|打算|计划|想|将|得)(?:先|再)?(?:做|搞|安排|来|去)?(?:个|一个|一次|三个月|一个月|几天)?[^，,。;；!！?？\s]{0,3}$")


def _done_activity(s: str):
    """The first activity word that is not announced as a plan (他们要先做三个月试用 is no activity done)."""
    for m in C.ACTIVITY_RE.finditer(s):
        if re.search(r"[了过完]", m.group(0)) or not _PLANNED_BEFORE_RE.search(s, max(0, m.start() - 10), m.start()):
            return m
    return None


def _in_company(s: str, start: int, end: int) -> bool:
    """A keyword glued to a company suffix after it (中投标准化研究院, 天成交通设计院, 中标电子科技)."""
    if s[end - 1:end] in ("了", "下", "掉"):  # 拿下黄河化工那单 / 签下 / 丢掉: a verb taking the name as its object
        return False
    if s[start:start + 1] in ("没", "未") or s[max(0, start - 1):start] in ("没", "未", "不"):
        return False  # 没中标力净机械中了: a negated keyword is a verb phrase; no company name opens with 没
    if _names_deal(s, start, end):
        return True
    tail = s[end:end + 8]
    m = re.match(rf"([{CJK}]{{0,6}}?)(?:{C.SUFFIX_ALT})", tail)
    if not m:
        return False
    if re.search(r"[的那了吧啦呀啊嘛呢]|阶段|进|到", m.group(1)):
        return False  # 退回线索吧农场明年…: a particle ends the clause, what follows is no name
    # 没谈成院长说… / 签了厂长… : a one-character ending that starts a person's title is no company
    if re.match(rf"(?:{C.HON_ALT})", tail[len(m.group(1)):]) and len(m.group(0)) - len(m.group(1)) == 1:
        return False
    # the stage word itself followed by 阶段 is never a company
    return True


# The rest of a message after a deal's name says what happened to it (a stage, a win, a loss, a snooze).
_EVENT_AFTER_RE = re.compile(
    "|".join(
        [C.WON_RE.pattern, C.LOST_RE.pattern, C.SNOOZE_RE.pattern, r"阶段|回款|款到|到账|提醒"]
        + [re.escape(w) for st in DEFAULT_STAGES for w in (st.name_zh, *st.aliases)]
    ),
    re.IGNORECASE,
)


_NAME_OPENER_RE = re.compile(
    r"(?:.*[\s,，:：。!！;；?？→>])?(?:" + "|".join(map(re.escape, (*LEADING_FILLERS, *CHATTER_PREFIXES, "把", "将"))) + r"|\s)*",
    re.IGNORECASE,
)


def _names_deal(s: str, start: int, end: int) -> bool:
    """中标通检测那单转入立项了: a keyword opening the name that a deal word (那单 / 的项目) closes.

    The keyword may also sit inside the name (宏成交通那单进立项了, 广联招标代理那单到谈判了): the
    characters glued before it are part of that name when they carry no verb, particle or deal word.
    """
    pre = re.search(rf"[{CJK}A-Za-z0-9]{{0,8}}$", s[:start]).group(0)
    if pre:
        # only the name's own characters: not 了 / 的 / 是 / 到 …, not a deal word, not a stage verb
        if re.search(r"[了的是在到进把将单單]|那个|这个", pre) or C.STAGE_VERB_BEFORE_RE.search(pre):
            return False
        k = start - len(pre)
        # leading fillers glued to the name (呃那个 / 嗯) are openers, not name characters
        om = re.match(rf"(?:{'|'.join(map(re.escape, LEADING_FILLERS))})+", s[k:start])
        if om:
            k += om.end()
        if k == start:
            pre = ""
        if not _NAME_OPENER_RE.fullmatch(s, 0, k):
            return False
    elif not _NAME_OPENER_RE.fullmatch(s, 0, start):
        return False
    m = re.match(rf"[{CJK}A-Za-z0-9]{{1,8}}?(?=那单|那單|的单子|的單子|的项目|那个项目|那个单子|那边)", s[end:end + 10])
    if not m or re.search(r"[了的]|阶段", m.group(0)):
        return False
    rest = s[end + m.end():]
    rest = re.sub(r"^(?:那单|那單|的单子|的單子|的项目|那个项目|那个单子|那边)", "", rest)
    return bool(_EVENT_AFTER_RE.search(rest))


_EN_TITLE_STAGE_WORDS = ("lead",)
_EN_TITLE_BEFORE = r"(?<![A-Za-z])(?!(?:To|Back|Stage|Status|Move|Moved|Set|As|New|Add|A|The)\b)[A-Z][A-Za-z&]+\s+$"


def _stage_hits(s: str, lex: StageLexicon, skip_before: int = 0) -> list[StageHit]:
    hits = []
    for sm in lex.pattern.finditer(s):
        if sm.start() < skip_before:
            continue
        key = lex.key_of(sm.group(0))
        if key is None:
            continue
        a, b = sm.span()
        before = s[max(0, a - 12):a]
        after = s[b:b + 4]
        embedded = _in_company(s, a, b)
        cue = bool(C.STAGE_VERB_BEFORE_RE.search(before) or C.STAGE_AFTER_RE.match(after))
        if not cue and (a == 0 or s[a - 1] in " :：,，→>") and (b == len(s) or s[b] in " ,，.。!！了" or re.match(r"中\s*(?:[,，.。!！]|$)", s[b:])):
            cue = True  # 梅山湾港务 → 投标 / 鹭岛游艇码头 回款 8万
        if not cue and _AFTER_DEAL_WORD_RE.search(s, max(0, a - 12), a):
            cue = True  # 德朗建築那單收款 / 鹭汀湾置业的单子今天回款: a stage word right after the deal's name
        if not cue and len(sm.group(0)) >= 3 and not embedded:
            cue = True  # 确认需求 / 标前引导 / 款到了 are verbs in themselves
        if not cue and not embedded and (b == len(s) or s[b] in " ,，.。!！了") and re.search(rf"(?:{C.SUFFIX_ALT})$", s[max(0, a - 8):a]) \
                and not re.search(r"[\s,，]", s[:a].strip()):
            cue = True  # 蓝岸物流回款 首期38.4万: a company's name, the stage word, then a separator
        approved = not embedded and (key == "initiated" and bool(
            re.match(r"\s*(?:已经?)?(?:通过|批了|批下来|获批|批准|批复)", s[b:b + 8])
            or re.search(r"(?:通过|批准|批复|同意)了?\s*$", s[max(0, a - 6):a]))  # 业主大会表决通过了立项
            # 招标公告出来了 / 招标已经启动了: the tender announced is the bidding stage's own event
            or key == "bidding" and sm.group(0) == "招标" and bool(
                re.match(r"(?:公告|信息)?\s*(?:已经?|正式)?(?:出来了|发布了|发出来了|挂出来了|挂网了|开始了|启动了)(?!吗|么|没)", s[b:b + 12])))
        if approved:
            cue = True  # 客户内部立项通过了 / 立项批下来了: the project approval is the stage's own event, a whole stage sentence
        if not embedded and sm.group(0).lower() in _EN_TITLE_STAGE_WORDS and re.search(_EN_TITLE_BEFORE, before):
            embedded = True  # Procurement Lead / Sales Lead: a job title in a card, not the stage
        if embedded:
            cue = False
        if not embedded and not cue and a > 0 and b < len(s) and re.match(f"[{CJK}]", s[a - 1]) and re.match(f"[{CJK}]", s[b]):
            embedded = None  # glued inside a word with no cue: may be part of a name
        negated = bool(re.search(r"(?:不是|不在|并非|而不是|not|isn't|不)\s*$", before, re.IGNORECASE))
        future = bool(FUTURE_BEFORE_RE.search(s, max(0, a - 10), a))
        hits.append(StageHit(a, b, key, sm.group(0), cue, negated, embedded, future, verb=approved))
    if "paid" in lex.order:
        for pm in PAID_RE.finditer(s):
            if pm.start() < skip_before or _in_company(s, pm.start(), pm.end()):
                continue
            # the payment sentence replaces a stage word inside it (回款三百万到了)
            hits = [h for h in hits if not (pm.start() <= h.start and h.end <= pm.end())]
            if any(h.start < pm.end() and pm.start() < h.end for h in hits):
                continue
            hits.append(StageHit(pm.start(), pm.end(), "paid", pm.group(0), True, False, False, verb=True))
        hits.sort(key=lambda h: h.start)
    return hits


_AFTER_DEAL_WORD_RE = re.compile(
    r"(?:那单|那單|的单子|的單子|的项目|那个项目|那个单子|这单)\s*(?:今天|昨天|刚刚?|已经|也|都|终于|这边|那边)*\s*$"
)


# A keyword asked about rather than reported (签约了吗 / 丢了没有 / won yet?)
_ASKED_AFTER_RE = re.compile(r"\s*(?:好|完|掉|下|成)?(?:了)?\s*(?:吗|么|嘛|没有|没|yet)\s*[?？]?\s*$", re.IGNORECASE)  # (合同签好了吗)


def _kw(rx: re.Pattern, s: str, start: int = 0):
    """The first keyword match that is not inside a company name or negated."""
    for km in rx.finditer(s, start):
        if _in_company(s, km.start(), km.end()):
            continue
        if rx is C.WON_RE and C.NEG_BEFORE_RE.search(s[max(0, km.start() - 4):km.start()]):
            continue
        if rx is C.WON_RE and km.group(0) == "中了" and not re.search(rf"(?:{C.SUFFIX_ALT}|那单|这单|单子|项目|标)$", s[:km.start()]):
            continue  # 海正药业中了！ is ours; 抽奖中了 names no customer
        if rx is C.WON_RE and km.group(0) in ("定下来了", "敲定了", "落地了") and not (
                re.search(r"(?:那单|这单|那單|单子|项目)\s*$", s[:km.start()]) or re.search(r"合同|合约|签约|签了|成交", s)):
            continue  # 时间定下来了 / 方案敲定了: settled, but no deal is won
        if rx is C.WON_RE and C.FUTURE_BEFORE_WIN_RE.search(s, max(0, km.start() - 10), km.start()):
            continue  # 客户说下周签合同 / 准备签约: a win still to come is no win
        if rx is C.WON_RE and C.REPORTED_FUTURE_WIN_RE.search(s, max(0, km.start() - 24), km.start()):
            continue
        if _ASKED_AFTER_RE.match(s, km.end()) or re.search(r"(?:是不是|有没有|是否)\s*$", s[:km.start()]):
            continue  # 华锐机电签约了吗: asked, not reported
        if rx is C.WON_RE and _reminded_before(s, km.start()):
            continue  # 下个月十号提醒我跟X签合同: a reminder to sign is no win
        return km
    return None


def _reminded_before(s: str, pos: int) -> bool:
    """A reminder word earlier in the same clause: what follows it is still to do."""
    k = max(s.rfind(c, 0, pos) for c in "，,。;；!！?？\n")
    return bool(C.REMIND_RE.search(s, k + 1, pos))


# A question about what a product does (能不能对接 / 能省多少水 / 适合哪些作物): a selling point of ours.
_OWN_CAPABILITY_RE = re.compile(
    r"(?:能|可以|可不可以|能不能|支不支持|是否)?(?:对接|接入|兼容|适合|适用|省多少|能省|节省多少|节约多少|覆盖多少|续航|精度|自动)"
    # 一期多少天，能不能上门交付: how our service is delivered
    r"|(?:能不能|能否|可不可以|可以|是否)(?:上门|定制|驻场|现场|远程|线上)|能(?:用|保存|存|保留|坚持|跑)[^，,。]{0,3}?多(?:久|长时间)|(?:一期|一次|一场|一门课|周期|工期)[^，,。]{0,4}?(?:多少|几)(?:天|周|个月|课时|小时)"
    # 搅拌车一次能拌多少方料 / 一小时能处理几吨: what one of our machines does in one go
    r"|(?:一次|每次|一小时|每小时|一天|每天|一台|每台)(?:最多)?能[\u4e00-\u9fff]{1,3}?(?:多少|几)"
)


def _lang(text: str) -> str:
    return "zh" if has_cjk(text) else "en"


class Context:
    def __init__(self, text: str, now: dt.datetime, tz: str, lex: StageLexicon):
        self.m = Msg(text)
        self.s = self.m.s
        self.now = now
        self.tz = tz
        self.lex = lex
        self.lang = _lang(text)
        self.core = strip_lead(self.s, 0, len(self.s))
        self.confidence = 0.9  # lowered by an extractor that is unsure of a value
        self.clarify: str | None = None
        self.body = self.s[self.core:].strip()
        self.ambiguous_hit: StageHit | None = None
        self.lost_object: tuple[int, int] | None = None  # 启衡软件中标了凌峰电机的项目 → 凌峰电机
        self._analyse()

    def _analyse(self) -> None:
        """What several intents read: win / loss words, stage words, the due time, past and future cues."""
        s = self.s
        self.lost_m = _kw(C.LOST_RE, s)
        self.won_m = _kw(C.WON_RE, s)
        # 搞定了湘味坊签下来了: an exclamation before the core; the keyword after it anchors the deal
        for name in ("won_m", "lost_m"):
            km = getattr(self, name)
            if km and km.start() < self.core:
                later = _kw(C.WON_RE if name == "won_m" else C.LOST_RE, s, self.core)
                if later:
                    setattr(self, name, later)
        if self.won_m and "中标" in self.won_m.group(0) and self._competitor_won(self.won_m):
            self.lost_m = self.lost_m or self.won_m
            self.won_m = None
        if self.lost_m and not self.won_m and not self.lost_object:
            # 速冷达中标百味园食品，我们输了: the loss word is elsewhere; the competitor's 中标 still names the deal
            for km in re.finditer("中标", s):
                if self._competitor_won(km):
                    break
        self.hits = _stage_hits(s, self.lex)
        self.due = find_due(s, self.now, self.tz)
        self.strong = [h for h in self.hits if h.cue and not h.embedded]
        self.verb_strong = [
            h for h in self.strong
            if h.verb or C.STAGE_VERB_BEFORE_RE.search(s[max(0, h.start - 12):h.start])
            or C.STAGE_AFTER_RE.match(s[h.end:h.end + 4]) and not re.match(r"了", s[h.end:h.end + 1])
        ]
        self.act = _done_activity(s)
        # 上周二拜访了 / 昨天去过: a time in the past; what it dates was done, it is no reminder
        self.past_time = C.PAST_TIME_RE.search(s)
        self.remind = C.REMIND_RE.search(s)
        # X下周二开标 提醒我周一准备标书: with several times ahead, the reminder's is the one beside 提醒我
        if self.remind and self.due and not self.remind.group(0).isascii():
            from bot.intents.dates import find_when

            ahead = [r for r in find_when(s, self.now, self.tz) if not r.past]
            if len(ahead) > 1:
                rs, re_ = self.remind.span()
                near = [r for r in ahead if 0 <= r.spans[0][0] - re_ <= 2 or 0 <= rs - r.spans[-1][1] <= 2]
                if near and near[0] is not ahead[0]:
                    self.due = near[0]
        # the due time, unless every time word it came from is a past reference (上周二 / 昨天)
        self.future_due = self.due
        if self.due and self.past_time:
            past = [m.span() for m in C.PAST_TIME_RE.finditer(s)]
            if all(any(a < pe and ps < b for ps, pe in past) for a, b in self.due.spans):
                self.future_due = None
        # 12月5日上午10点半去X签合同: a win word after a time still ahead, in the same clause, is a plan
        if self.won_m and self.future_due and not self.won_m.group(0).isascii() and "了" not in self.won_m.group(0) \
                and not re.match(r"\s*(?:了|完|好了|成功|下来)", s[self.won_m.end():]) and any(
                b <= self.won_m.start() and not re.search(r"[，,。;；!！?？\n]", s[b:self.won_m.start()])
                for a, b in self.future_due.spans):
            self.won_m = None

    def _chitchat(self, body: str) -> bool:
        """中午吃啥 / 今晚球赛谁赢了: an everyday topic with nothing about customers or products."""
        if len(body) > 20 or not C.CHITCHAT_TOPIC_RE.search(body):
            return False
        if C.BUSINESS_RE.search(body) or C.SUFFIX_RE.search(body) or C.SURNAME_HON_RE.search(body):
            return False
        if C.DEAL_WORD_RE.search(body) or re.search(r"[A-Z]{2,}|\d", self.m.orig):
            return False
        if any(h.cue and not h.embedded for h in self.hits):
            return False  # 蜀香园火锅把第一笔货款打过来了: a deal event, whatever topic word the customer's name holds
        return True

    def _own_deals_by_stage(self) -> bool:
        """看下我谈判中的单子 / 我在投标的项目有哪些: the rep's deals filtered by a stage."""
        m = OWN_DEALS_RE.match(self.s, self.core) or STAGE_DEALS_RE.match(self.s, self.core)
        if not m:
            return False
        mid = m.group("mid").strip()
        # 我跟进中的单子 / 我在谈的项目: "in progress" is the rep's open deals, no stage filter
        return not mid or self.lex.key_of(mid) is not None or bool(re.fullmatch(r"(?:这个月|这周|本周|本月|今天|明天|最近|现在)?(?:要|需要|该|得|正在|在)?(?:跟进|跟|进行|推进|谈|做|联系)", mid))

    def _competitor_won(self, km) -> bool:
        """中标 by someone else is our loss: 被宁能中标了 / 那单宁能中标了."""
        s = self.s
        # 他们今天正式发了中标通知书给我们: the notice of award sent to us is our win
        if re.match(r"(?:通知书?|通知单|结果)", s[km.end():]) and re.search(r"给我们|给我司|我们收到|我司收到|发我们|给咱们", s[km.end():km.end() + 14]):
            return False
        before = s[max(0, km.start() - 14):km.start()]
        if re.search(r"被|让|给", before) or re.search(r"竞品|对手|友商|别人|别家|人家", before):
            return True
        # 采购结果出来了是开立中标 / 最后是X中标: the result names who won, and it is not us
        rm = re.search(r"(?:结果|最后|最终|结局)[^，,。]{0,8}?是\s*([^，,。\s]{2,8})$", s[max(0, km.start() - 24):km.start()])
        if rm and not re.search(r"我们|我司|咱们|咱|我方|本公司", rm.group(1)):
            return True
        # 启衡软件中标了凌峰电机的项目: someone named before 中标 won a deal named after it
        om = re.match(r"(了?)([^，,。]{2,16}?)(?:的项目|那个项目|这个项目|那个单子|那单|那個單|的单子|的标|项目)", s[km.end():]) \
            or re.match(rf"(了?)([^，,。\s]{{2,16}}?(?:{C.SUFFIX_ALT}))(?=\s*(?:[，,。;；!！]|$))", s[km.end():])  # …中标百味园食品，我们输了
        if om and \
                re.search(r"[\u3400-\u9fffA-Za-z]{2,}\s*$", s[self.core:km.start()]) and \
                not re.search(r"我们|我司|咱们|咱|我方|本公司|\bwe\b", s[:km.start()], re.IGNORECASE):
            self.lost_object = (km.end() + om.start(2), km.end() + om.end(2))
            return True
        dm = deal_word(self.m, self.core)
        if dm and dm.end() < km.start():
            between = s[dm.end():km.start()]
            between = re.sub(r"最后|最终|结果|还是|是|了|\s|[,，]", "", between)
            if re.search(r"我们|我司|咱们", between):
                return False
            return len(between) >= 2
        return False

    # ------------------------------------------------------------ fields

    def _hint(self, anchor_start: int, anchor_end: int) -> str | None:
        """The deal named around an intent keyword spanning s[anchor_start:anchor_end]."""
        dm = deal_word(self.m, self.core)
        if dm and dm.start() <= anchor_start:
            h = hint_before(self.m, self.core, dm.start())
            # 骆经理那边贝乐儿童口腔签约了: a person before 那边 is who the rep deals with; the customer's name follows
            if h and dm.group(0) in ("那边", "这边") and C.SURNAME_HON_RE.fullmatch(self._norm_of(h)) and anchor_start - dm.end() >= 2:
                h2 = hint_before(self.m, dm.end(), anchor_start)
                if h2:
                    return h2
            # 刚才那个白云空港物业我点成了方案: a time word before 那个 names no deal; the name follows 那个
            if h and not _OPEN_TIME_RE.fullmatch(self._norm_of(h)):
                return h
            # 刚才那个银泰城的单子…: the name stands between 那个 and the next deal word
            dm2 = deal_word(self.m, dm.end())
            if h and dm2 and dm2.start() <= anchor_start:
                h2 = hint_before(self.m, dm.end(), dm2.start())
                if h2:
                    return h2
        h = hint_before(self.m, self.core, anchor_start)
        if h:
            return h
        h = hint_after(self.m, anchor_end)
        if h:
            return h
        if dm and dm.start() > anchor_start:
            # 拿下了拿下了柳溪检验所那单: the name sits between the last keyword and the deal word
            last = None
            for rx in (C.WON_RE, C.LOST_RE):
                for km in rx.finditer(self.s, anchor_start, dm.start()):
                    if last is None or km.end() > last:
                        last = km.end()
            if last is not None:
                while last < dm.start() and self.s[last] in "了啦!！,， ":
                    last += 1
                h = hint_before(self.m, last, dm.start())
                if h:
                    return h
        # 搞定了！海沧港航签约 — the first keyword was an exclamation; try the next one
        for rx in (C.WON_RE, C.LOST_RE):
            for km in rx.finditer(self.s, anchor_end):
                h = hint_before(self.m, anchor_end, km.start())
                if h:
                    return h
        return None

    def _amount(self, skip_to: int = 0) -> int | None:
        for f in find_amounts(self.s):
            if f.end <= skip_to:
                continue
            if f.ambiguous:
                self._amount_unclear(f)
                continue
            return f.value
        return None

    def _amount_unclear(self, f) -> None:
        raw = self.m.orig[f.start:f.end]
        self.confidence = min(self.confidence, 0.45)
        self.clarify = (
            f"金额「{raw}」是{f.value}元，还是{f.value}万？" if self.lang == "zh"
            else f"Is the amount \"{raw}\" {f.value} CNY or {f.value * 10000} CNY?"
        )

    def _norm_of(self, orig_value: str) -> str:
        from bot.intents.text import normalise

        return normalise(orig_value)

    def _snooze_days(self) -> int | None:
        s = self.s
        # 拖了两个月了，…下个月再提醒我: a duration already past (拖了 / 已经 … 了) is no snooze
        m = next((x for x in re.finditer(r"(\d+|[一二两三四五六七八九十半]+)\s*(天|日|周|个?星期|个?礼拜|个?月)", s)
                  if not (re.match(r"多?了", s[x.end():]) or re.search(r"(?:拖|等|跟|耽误|搁|放)了\s*$|已经\s*$", s[:x.start()]))), None)
        if m:
            n = 0.5 if m.group(1) == "半" else cn_small_int(m.group(1))
            if n:
                unit = m.group(2)
                mult = 1 if unit in ("天", "日") else 30 if unit.endswith("月") else 7
                return int(n * mult)
        m = re.search(r"\b(\d+|a|an|one|two|three|four|five|six|seven|ten)\s+(days?|weeks?|months?)\b", s, re.IGNORECASE)
        if m:
            words = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}
            n = int(m.group(1)) if m.group(1).isdigit() else words[m.group(1).lower()]
            u = m.group(2).lower()
            return n * (7 if u.startswith("week") else 30 if u.startswith("month") else 1)
        if re.search(r"下周|下个?星期|下个?礼拜|\bnext week\b", s, re.IGNORECASE):
            return 7
        if re.search(r"下个月|\bnext month\b", s, re.IGNORECASE):
            return 30
        if re.search(r"明天|\btomorrow\b", s, re.IGNORECASE):
            return 1
        if re.search(r"大后天", s):
            return 3
        if re.search(r"后天", s):
            return 2
        return None

    def _kb_kind(self) -> str | None:
        s = self.s
        cm = re.search(
            r"竞品|竞争对手|对手|友商|比我们|跟我们比|和我们比|与我们比|(?:和|跟|与|同)[^，,。]{1,12}?比|相比|对比|比较(?=$|[\s?？。,，!！]|一下|下|表|过|了|[吗呢])|区别|差异|差别|不同|强在|好在|更(?:高|低|好|便宜|贵|强|快|稳|长|短|大|小)|"
            r"弱点|缺点|劣势|短板|降价|低价|促销|打折|让利|价格战|涨价|抢|截胡|他们家|人家|怎么应对|如何应对|怎么回应|怎么反驳|\bcompare[sd]?\b|\bvs\.?\b|\bversus\b|\bcompetitor|\bcheaper\b|"
            r"\bbetter than\b|\bweakness|\bweak (?:spots?|points?)\b|\bdownsides?\b|"
            # 有啥软肋 / 死穴在哪: asking where a product is weak is asking about a rival
            r"软肋|死穴|命门|槽点|破绽|"
            # 沃野农装的收割机哪里不如我们 / 禾田重工搞零首付 我们怎么接招: a rival measured against us or answered
            r"不如我们|不如咱们|(?:怎么|如何)接招|接招|(?:怎么|如何)(?:打|破|对付|还击)"
            # 西门子和我们的变频器哪个更省电: another party set beside us
            r"|(?<![我们司咱])(?:和|跟|与|同)(?:我们|我司|咱们|咱家)(?!一起|合作)"
            # HR-CB90的辐射剂量比卓影低多少: our product measured against another named one (比X低 / 比X贵多少)
            r"|(?<![对相无好])比(?!较|例|如|方|赛|分|率|重|特|价|对)[^，,。?？\s]{2,10}?(?:低|高|好|差|便宜|贵|强|弱|快|慢|稳|省|轻|重|耐用|安全)(?:多少|多|一些|些|在哪|吗|呢|几)",
            s,
            re.IGNORECASE,
        )
        # 劳务派遣和外包的法律区别: a difference between two generic things names no rival (no us, no brand, no company)
        if cm and re.fullmatch(r"区别|差异|差别|不同", cm.group(0)) and not re.search(
                rf"我们|我司|咱们|咱家|\bour\b|\bwe\b|[A-Za-z]{{2,}}|(?:{C.SUFFIX_ALT})", s, re.IGNORECASE):
            cm = None
        if cm:
            return "competitor"
        if self._brand_possessor():
            return "competitor"
        # 有没有养老机构等级评定标准的文件 / 口腔门诊部设置基本标准: a regulation or standard asked for is neither ours nor a rival's
        if re.search(r"(?:标准|规范|办法|条例|规定|法规|细则|指南|通知)(?:的)?(?:文件|原文|全文|资料|文档)?\s*(?:吗|么|没有)?[?？]?$", s) \
                and not re.search(r"我们|我司|咱们|咱家|产品|型号|(?<![A-Za-z0-9])[A-Z]{1,3}\d", s):
            return None
        if re.search(
            r"我们|我司|咱们|咱家|自家|案例|卖点|优势|\bour\b|\bours\b|\bwe\b|\bcase stud|[A-Z]{2,}[A-Z0-9]*-[A-Z0-9-]+|"
            r"[A-Z]{2,}\s*[\u3400-\u9fff]*(?:平台|系统|软件|云)|产品|型号|参数|规格|质保|保修|认证|寿命|效率|支持|支援|集成|部署|等级|性能|指标|能做到|能达到|"
            # a product's measurable specification (温控精度 / 负载 / 续航 / 功耗 / 防护等级)
            # a model code (S8 / X3 / CB90) and what a price list of ours states (经销商底价 / 出厂价), a spec in English
            r"(?<![A-Za-z0-9])[A-Z]{1,3}\d{1,4}[A-Za-z]?(?![A-Za-z0-9])|底价|经销价|经销商价|代理价|出厂价|"
            r"\bwarrant(?:y|ies)\b|\bguarantee\b|\bspecs?\b|\bspecifications?\b|\bcertifi|\blifespan\b|\bcapacity\b|\bresolution\b|\bpower consumption\b|"
            r"[\u4e00-\u9fff]{1,2}率|(?:检测|测试|检验)项目|有几(?:个|种|项|款)|有多少(?:种|项|款)|精度|误差|量程|范围|负载|载荷|载重|承重|容量|功率|尺寸|重量|速度|节拍|续航|功耗|噪音|分辨率|响应时间|耐温|防护|兼容哪些|对接哪些",
            s,
        ):
            return "selling_point"
        # GB 30871 / NFPA 72 / ISO 45001: a standard's code names a regulation, not a product of ours
        if any(w not in DOC_ACRONYMS and w not in STANDARD_BODIES
               for w in re.findall(r"(?<![A-Za-z])[A-Z]{2,}(?![A-Za-z])", self.m.orig)):
            return "selling_point"  # a product code; a document type (MSA / SOW / NDA) is no product
        if _OWN_CAPABILITY_RE.search(s):
            return "selling_point"  # what a product can do (能不能对接 / 能省多少水 / 适合哪些): our own fact
        return None

    def _brand_possessor(self) -> bool:
        """霍尼韦尔的无线温振传感器 / Rational 的蒸烤箱: another maker's product, named without a comparison."""
        s = self.s
        if re.search(r"我们|我司|咱们|咱家|自家|本公司|\bour\b|\bours\b", s, re.IGNORECASE):
            return False
        # ABB的报价一般多少 / does Hikvision offer a 5 year warranty: a maker named in Latin letters (no model code),
        # asked about as the subject or the owner of a price
        if re.search(r"(?<![A-Za-z0-9-])[A-Z][A-Za-z&]{1,15}(?![A-Za-z0-9-])\s*的[^，,。]{0,8}?(?:报价|价格|价钱|售价|收费|定价)", self.m.orig) \
                or re.match(r"\s*(?i:does|do|did|can|will|is|are|how (?:does|do|is|are))\s+(?!We\b|It\b|This\b|That\b|They\b|The\b|I\b)[A-Z][A-Za-z]{2,}\b", self.m.orig):
            return True
        i = self.core
        qm = re.match(r"(?:帮我|麻烦)?(?:查一下|查下|查查|搜一下|搜下|找一下|找下|找找|问一下)?(?:客户|对方|他们)?(?:问|说|想知道)?(?:一下)?", s[i:])
        if qm:
            i += qm.end()
        # 华鑫包装的纸箱报价大概多少: a named company's price for its product is a competitor's
        om = re.match(rf"[{CJK}]{{2,8}}?(?:{C.SUFFIX_ALT})的[^，,。]{{0,8}}?(?:报价|价格|价钱|多少钱|售价|收费|定价|计费|费用)", s[i:])
        if om and not _GENERIC_OWNER_RE.search(om.group(0).split("的")[0]):
            return True
        pm = _BRAND_POSS_RE.match(s, i)
        if not pm:
            return False
        name = pm.group("x")
        if _GENERIC_OWNER_RE.search(name) or _PRODUCT_END_RE.search(name):
            return False
        return True


"""Fields of a new lead: company, contact name and title, phone, e-mail, product, budget."""

from __future__ import annotations

import re

from bot.intents.cues import (
    EN_SUFFIX_RE,
    FULL_DUP_HON_RE,
    HON_ALT,
    LEAD_CMD_NOUN_BEFORE_RE,
    LEAD_CMD_RE,
    LEAD_RECORD_RE,
    LEADING_RE,
    SUFFIX_ALT,
    SUFFIX_RE,
    SURNAME_ALT,
    SURNAME_HON_RE,
)
from bot.intents.lexicon import DEPARTMENT_WORDS, CARD_FIELD_LABELS, CARD_HEADERS, EN_COMPANY_SUFFIXES, EN_TITLE_WORDS, SELF_CORRECTIONS, TITLE_ENDINGS
from bot.intents.lexicon import ORG_HEAD_ENDINGS
from bot.intents.numerals import AMOUNT_LABEL, Found, find_amounts
from bot.intents.phones import PHONE_LABEL, find_phones
from bot.intents.deals import strip_lead
from bot.intents.text import CJK, Msg

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
EMAIL_LABEL_RE = re.compile(r"(?:邮箱|邮件|电邮|e-?mail|mail)(?:地址)?(?:是|为)?\s*[:：]?\s*$", re.IGNORECASE)
CONTACT_LABEL_RE = re.compile(
    r"(?:联系人|对接人|负责人|联络人|窗口|contact(?:\s+person)?|对接|联系)(?:的)?(?:是|叫做|叫|为|:|：|\s)*", re.IGNORECASE
)
INTEREST_RE = re.compile(
    # 要换空压机: 换 is the verb, unless it opens the product's own name (换热器 / 换向阀 / 换气扇 / 换流器)
    r"(?:(?:打算|计划|准备)(?:采购|购买|买|换|装(?!配)|搞|弄|上)|想了解一下|想了解|想弄个?|想搞个?|想整个?|想看一下|想看看|想看下|想看|想上|想装(?!配)|想做|想要|想买|想采购|想更换|想换(?!热|向|气|流)|想升级|想用|打算上|打算做|计划上|要更换|要换(?!热|向|气|流)|要升级|想订购|想订做|想订|要订购|要订做|要订|想定制|要定制|"
    r"要做|要上|要装(?!配)|要买|需要|需求\s*[:：]?|关注|感兴趣的是|意向\s*[:：]?|对.{1,12}?(?:很|挺|比较|非常|特别|蛮|有点)?(?:感兴趣|有兴趣|有意向|有需求)|要|"
    r"\binterested in\b|\bwants?\b|\blooking (?:for|at)\b|\bneeds?\b|\bfor\b(?=\s+[A-Za-z])|\bproduct\s*:)\s*(?:一下|下)?\s*",
    re.IGNORECASE,
)
# Measure words of goods counted by the piece, pair or container (三百顶安全帽 / 五十双手套 / 二十具灭火器).
_MEASURE_MORE = "顶|双|瓶|桶|箱|具|樘|根|支|袋|罐|枚|盏|扇|卷|捆|包|吨|平方米|平米|平方|㎡|立方米|立方|公斤|千克|米|升|部"  # (两部: machines, in Cantonese and Taiwan usage)
# A quantity standing between two products joined by a conjunction (空气呼吸器二十台跟防化服): dropped.
_QTY_MID_RE = re.compile(
    rf"(?:[0-9]+|[一二两三四五六七八九十几百千]+)\s*(?:台|套|个|件|组|批|辆|片|张|条|只|座|部|把|副|盒|吨|{_MEASURE_MORE})"
    r"(?=\s*(?:跟|和|及|以及|还有|加上|加|与|、|\+|&|and\b))"
)
# A light verb after the interest cue (要搞防坠落安全带 / 想弄一批安全帽 / 要采购): the product is its object.
_LIGHT_VERB_RE = re.compile(
    r"(?:采购|采买|购买|订购|了解|看看|看下|咨询|问问|搞|弄|买)(?:一下|一批|一套|一些|些|个|点)?"
    # 换 / 配 / 添 / 订 / 整 open product names too (换热器, 配电柜, 整流器): a verb only with its count after it
    # 要配牙椅 / 想换台CBCT: 配 / 换 glued to the product when they open no compound (配电柜 / 配件 / 换热器), or with a bare measure word
    r"|配(?!电|件|套|方|料|送|网|重|色|线|音|合|置|比|额|偶|饰|菜|药|眼镜|钥匙)(?=[\u4e00-\u9fffA-Za-z]{2})|换(?!热|向|气|流|能|档|挡|药)(?=[\u4e00-\u9fffA-Za-z]{2})"
    r"|(?:换|配|添|订|整|买|上|装|搞|弄)(?:台(?![式灯秤车钻面账扇阶])|套(?![管筒装餐])|部|辆)(?=[\u4e00-\u9fffA-Za-z]{2})"
    rf"|(?:换|配|添|订|整)(?:一批|一套|一些|些|个|点|(?=(?:[0-9]+|[一二两三四五六七八九十几百千]+)\s*(?:台|套|个|件|组|批|辆|片|张|条|只|把|部|{_MEASURE_MORE})))"
)
# A leftover that opens with an adverb or a negation is a remark (先占个坑 / 没说预算 / 也没定), never a product.
_REMARK_RE = re.compile(r"(?:先|再|也|就|都|还|没|未|暂|别|不)(?!锈|粘|燃|间断|干胶|锈钢)")
# A quantity before a product (两台码垛机器人, 3 sets of): not part of the product.
QTY_LEAD_RE = re.compile(
    rf"^\s*(?:(?:[0-9]+|[一二两三四五六七八九十几百千]+|几)\s*(?:台|套|个|件|组|批|辆|片|张|条|只|座|部|架|款|块|把|副|盒|卷|吨|{_MEASURE_MORE})(?:的)?|"
    r"(?:\d+|a few|several|two|three|four|five|six|ten)\s+(?:units?|sets?|pcs)\s+(?:of\s+)?|"
    # 2 welding robots / three AGVs / a couple of cobots: a count before an English plural
    r"(?:\d+|a couple of|a few|several|two|three|four|five|six|seven|eight|nine|ten|twenty)\s+(?![\w\-]+(?:\s+[\w\-]+){0,2}?\s+(?:seats|licen[cs]es|users|accounts)\b)(?=[A-Za-z][\w\-]*(?:\s+[\w\-]+){0,3}?s\b))\s*",
    re.IGNORECASE,
)
# A quantity after a product (两台, x4, 3套): not part of the product.
QTY_RE = re.compile(
    rf"\s*(?:(?:for\s+)?(?:[0-9]+|[一二两三四五六七八九十几百]+)\s*(?:台|套|个|件|组|批|辆|片|张|条|只|{_MEASURE_MORE}|units?|pcs|sets?|seats?|users?|licen[cs]es?|accounts?|个账号|账号|用户)(?:座席|坐席|座位|工位|人|人份|间|层)?|[x×*]\s*\d+)\s*$",
    re.IGNORECASE,
)
STOP_RE = re.compile(
    r"联系人|对接人|负责人|联络人|联系|电话(?!亭|舱|间|机|会议)|手机(?!柜|支架|舱)|邮箱|他们|她们|这边|就是|大概|大约|差不多|预计|想|要|需要|关注|需求|预算|意向|然后|先做|先搞|先试|先上|一共|总共|旗下有?|下面有|\bcontact\b|\bbudget\b|\bwants?\b|"
    r"\binterested\b|\bphone\b(?!\s+(?:booths?|pods?|rooms?|systems?|stands?))|\bemail\b|\btel\b|\bmobile\b|\bneeds?\b",
    re.IGNORECASE,
)
_DEPT = DEPARTMENT_WORDS
_ROLE = "|".join(sorted(set(TITLE_ENDINGS), key=len, reverse=True))
ZH_TITLE_RE = re.compile(
    rf"^(?:(?:{_DEPT}|[A-Z]{{2,4}})(?:部|科|处|室|中心|课|组)?|[{CJK}]{{1,4}}(?:部|科|处|室|中心|课|组|厂|车间))?(?:副|总|首席|常务|执行)?(?:{_ROLE})$"
    # two areas before the rank (IT运维主管 / 安全生产科长)
    rf"|^(?:{_DEPT}|[A-Z]{{2,4}})(?:{_DEPT})(?:部|科|处|室|中心|课|组)?(?:副|总|首席|常务|执行)?(?:{_ROLE})$"
    # a department's staff grade: 安全员 / 消防专员 / 物资科干事 (area + rank, not a list of jobs)
    rf"|^(?:{_DEPT})(?:部|科|处|室|中心|课|组)?(?:员|专员|干事)$"
)
# 安全处 副处长 / HSE 总监: a department or an acronym, a space, then the rank
_SPACED_TITLE_RE = re.compile(rf"^((?:{_DEPT}|[A-Z]{{2,5}})(?:部|科|处|室|中心|课|组|办)?|[{CJK}]{{1,6}}(?:部|科|处|室|中心|课|组|办|局|所|站|队))\s+([{CJK}]{{2,8}})$")  # (招商局 局长)
_ROLE2 = "|".join(sorted({r for r in TITLE_ENDINGS if len(r) >= 2}, key=len, reverse=True))
ZH_TITLE_LOOSE_RE = re.compile(rf"^[{CJK}]{{1,4}}(?:副|总|首席|常务|执行)?(?:{_ROLE2})$")
EN_TITLE_RE = re.compile(
    rf"^(?:(?:senior|sr\.?|junior|deputy|assistant|associate|general|chief|head|vice)\s+)*"
    rf"(?:[A-Za-z&]+\s+){{0,3}}?(?:{'|'.join(EN_TITLE_WORDS)})(?:\s+(?:of\s+)?(?!(?:is|was|are|named|called|the|an?)\b)[A-Za-z&]+){{0,3}}$",
    re.IGNORECASE,
)
SEP = ",;，；。!！、()（）[]【】\n\t:：|"
DEPT_AFTER_RE = re.compile(rf"(?:{_DEPT}|[A-Z]{{2,4}})(?:部|科|处|室|中心|课|组|车间)(?:的)?")
PAREN_PLACE_RE = re.compile(rf"[(（][{CJK}]{{2,6}}[)）](?=(?:{SUFFIX_ALT}))")
# A department right before a person (生产部李厂长 / 设备科的王工): the person is still named.
DEPT_BEFORE_RE = re.compile(rf"(?:{_DEPT}|[A-Z]{{2,4}})(?:部|科|处|室|中心|课|组|车间)(?:的)?$")


def is_title(t: str) -> bool:
    t = t.strip()
    if not t or len(t) > (40 if t.isascii() else 24):  # Head of Quality Assurance
        return False
    sm = _SPACED_TITLE_RE.match(t)
    if sm:
        if is_title(sm.group(2)) and re.search(r"[部科处室中心课组办]$|^[A-Z]", sm.group(1)):
            return True  # 工程部 自动化主管: a department, then a title of its own
        t = sm.group(1) + sm.group(2)
    if re.fullmatch(rf"[A-Z]{{0,4}}[{CJK}]+", t):  # 生产总监 / IT经理 / HR总监
        if SURNAME_HON_RE.fullmatch(t):
            return False
        return bool(ZH_TITLE_RE.match(t) or ZH_TITLE_LOOSE_RE.match(t) and not re.search(r"[的了是叫他她们我想要需买做]", t))
    if re.fullmatch(r"[A-Za-z&.\s-]+", t):
        return bool(EN_TITLE_RE.match(t))
    # 采购VP / 市场部 Director: a Chinese department, then a rank in Latin letters
    dm = re.fullmatch(rf"(?:{_DEPT})(?:部|科|处|室|中心|课|组)?\s?([A-Za-z][A-Za-z&.\s-]*)", t)
    if dm and EN_TITLE_RE.match(dm.group(1)):
        return True
    return False


SPELLED_RE = re.compile(rf"(?P<s>{SURNAME_ALT})(?:{HON_ALT})(?P<sp>[{CJK}]{{1,2}}(?P=s)(?:的(?P=s))?)(?!{HON_ALT})")
CARD_HEADER_RE = re.compile(
    "(?:" + "|".join(re.escape(w) for w in sorted(CARD_HEADERS, key=len, reverse=True)) + r")\s*(?:[↓⬇⤵▼👇]+\s*)?(?=[:：\n,，】\]]|$|(?<=[\u3400-\u9fff])\s|(?<=[↓⬇⤵▼👇]))", re.IGNORECASE
)
CARD_LINE_RE = re.compile(
    r"(?:^|(?<=[\n|,，;；/／]))\s*(?P<label>"
    + "|".join(re.escape(w) for w in sorted({w for ws in CARD_FIELD_LABELS.values() for w in ws}, key=len, reverse=True))
    + r")\s*[:：]\s*(?P<value>[^\n|,，;；]+?)\s*(?=$|[\n|,，;；]|\s[/／]\s)",  # (客户：X / 联系人：Y: a spaced slash separates fields)
    re.IGNORECASE,
)
_LABEL_FIELD = {w.lower(): f for f, ws in CARD_FIELD_LABELS.items() for w in ws}
CORRECTION_RE = re.compile("|".join(SELF_CORRECTIONS), re.IGNORECASE)
# 设备科科长叫蒋文博 / 采购经理叫卞思远: a title, then 叫 / 名叫, then the name
EN_SUFFIX_ALT = "|".join(sorted((re.escape(w) for w in EN_COMPANY_SUFFIXES), key=len, reverse=True))
ORG_END_RE = re.compile(rf"(?:{SUFFIX_ALT})$")
CALLED_RE = re.compile(r"(?:叫做|名叫|叫)")
# 科长姓牛牛建军: 姓 + a surname, then the full name opening with that surname
_SURNAME_THEN_NAME_RE = re.compile(rf"姓(?P<s>{SURNAME_ALT})\s*(?=(?P=s)[{CJK}])(?!\s*(?P=s)(?:{HON_ALT}))")
# 后勤科科长姓贾贾科长: 姓 + a surname, then that surname with its form of address
_SURNAME_THEN_HON_RE = re.compile(rf"姓(?P<s>{SURNAME_ALT})\s*(?=(?P=s)(?:{HON_ALT}))")
# where the title before 叫 may start: after a pronoun, 的, a filler, a label or a separator
TITLE_START_RE = re.compile(rf"(?:他们|她们|的|那个|这个|是|啊|[\x00,，;；:：\n|])")
EN_RUN_RE = re.compile(r"(?<![A-Za-z])[A-Za-z&][A-Za-z&.\-]*(?: [A-Za-z&][A-Za-z&.\-]*)+(?![A-Za-z@.])")
EN_TITLE_NAME_RE = re.compile(r"(?:^|(?<=[\x00,，;；:：\n|]))\s*(?P<t>[A-Za-z&][A-Za-z&.\- ]*?)\s+(?P<n>[A-Z][a-z]+(?:[ \-][A-Z][a-z]+){1,2})\s*(?=[\x00,，;；\n|]|$)")


# Words that end an organisation's English name besides legal suffixes (a card line ending so is the company)
_EN_ORG_WORDS = (r"\b(?:center|centre|services|service|park|pharma|pharmaceuticals|mining|hospital|school|university|college|"
                 r"institute|clinic|studio|bank|hotel|mall|port|academy|lab|laboratory|factory|plant|works|trading|"
                 r"international|logistics|foods|textiles|motors|electric|electronics|chemicals|materials|steel|airlines)")
# One word of an English personal name: Karen, O'Neill, McAllister
_EN_NAME = r"[A-Z][a-z]*'?[A-Z]?[a-z]+"
# A Chinese name followed by what ends it inside a run (电话 / 手机 / 说 / 想 / 要 / 预算 / a digit / a separator)
_FUSED_NAME_RE = re.compile(
    rf"(?:[小老](?:{SURNAME_ALT})|(?:{SURNAME_ALT})[{CJK}]{{1,2}}?|(?<![A-Za-z])[A-Z][a-z]{{1,10}} ?(?:{SURNAME_ALT}))(?=电话|手机|邮箱|微信|说|想|要|预算|需要|关注|联系|[他她](?!们)|[\x00 ,，;；。(（\n|\d]|$)"
)
_LABEL_WORDS = ("负责人", "联系人", "对接人", "联络人")
_SPELLED_CORRECTION_RE = re.compile(
    rf"(?P<n1>(?:{SURNAME_ALT})[{CJK}]{{1,2}}?)[,，\s]*不是[,，\s]*(?P<n2>(?:{SURNAME_ALT})[{CJK}]{{1,2}}?)"
    rf"(?P<sp>[,，\s]*[{CJK}]{{1,2}}的(?P<ch>[{CJK}]))"
)


_EN_DEPT = (
    "operations|procurement|purchasing|production|plant|factory|engineering|sales|marketing|it|technical|technology|"
    "quality|supply chain|logistics|warehouse|maintenance|facilities|finance|hr|r&d|manufacturing|general|senior|deputy|"
    "assistant|vice|chief|managing|executive|project|product|automation|design|commercial|regional|site|"
    "hse|ehs|safety|security|environmental|compliance|admin|it|data"
)
_EN_LOWER_TITLE_NAME_RE = re.compile(
    rf"(?:^|(?<=[\x00,;]))\s*(?P<c>[a-z][a-z0-9&.\-]*(?: [a-z][a-z0-9&.\-]*){{0,4}}?)(?:\s*,\s*|\s+)"
    rf"(?P<t>(?:(?:{_EN_DEPT})\s+){{0,2}}(?:{'|'.join(EN_TITLE_WORDS)})(?:\s+of\s+(?:{_EN_DEPT}))?)\s+"
    rf"(?P<n>[a-z]+ [a-z]+)(?=\s*(?:\x00|,|;|$|\s(?:wants?|needs?|interested|budget|phone|tel|mobile|email|is|looking|from)\b))"
)


# Words before a lead command that are part of the request (来个新线索 / 帮我再加一个客户 / 嗯那个新增)
LEAD_PREFIX_RE = re.compile(
    r"(?:[\s,，.。!！]|嗯|呃|啊|那个|就是|好的|ok|来|个|一个|帮我|给我|麻烦|请|你|再|先|新|please|pls|plz|can you|could you|hi|hey|hello|你好|您好|在吗)*",
    re.IGNORECASE,
)


_EMOJI_RE = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]")
# 瑞宠动物医院啊院长姓郑… / …医院院长叫…: a particle, or a role that is then named, ends the company
_PARTICLE_ROLE_AFTER_RE = re.compile(rf"[啊呀吧嘛]|(?:副|总|常务|执行)?(?:{_ROLE})(?=姓|叫|是)")
_AFTER_NAME_RE = re.compile(rf"[啊呀吧嘛呢]|(?:副|总|常务|执行)?(?:{_ROLE})")


_CARD_OTHER_LINE_RE = re.compile(
    r"(?:^|(?<=\n)|(?<=[|｜]))\s*(?:地址|公司地址|办公地址|address|addr|网址|官网|web(?:site)?|传真|fax|微信|wechat|qq)\s*[:：][^\n|｜]*",
    re.IGNORECASE,
)


_TITLE_LABEL_NAME_RE = re.compile(
    rf"(?:^|(?<=[\n|/,，;；]))\s*(?P<t>[A-Za-z][A-Za-z &]{{2,30}}?|[{CJK}]{{2,8}})\s*[:：]\s*"
    rf"(?P<n>[A-Z][a-z]+(?: [A-Z][a-z]+){{1,2}}|(?:{SURNAME_ALT})[{CJK}]{{1,2}})\s*(?=$|[\n|/,，;；])"
)


# A model code (JX-R20 / S60 / T300-Pro): letters, then a digit somewhere, closed by a separator or a count
_MODEL_AFTER_RE = re.compile(r" (?=[A-Za-z]{1,6}[\-]?[A-Za-z0-9\-]*\d)[A-Za-z][A-Za-z0-9\-]{1,14}(?=\s*(?:[,，;；/|\n]|[x×*]\s*\d|$|\s))")


class LeadFields:
    def __init__(self, m: Msg):
        self.m = m
        self.s = m.s
        self.out: dict = {}
        self.ambiguous: list[str] = []
        self.cancelled: set[int] = set()  # what a self-correction replaced (王总哦不对是): no field, but no boundary either

    # -- helpers
    def free(self, i: int) -> bool:
        return 0 <= i < len(self.s) and not self.m.used[i]

    def take(self, i: int, j: int) -> None:
        self.m.use(i, j)

    def val(self, i: int, j: int) -> str:
        return "".join(c for k, c in enumerate(self.m.orig[i:j]) if self.s[i + k] not in "嗯呃").strip()

    def segment_end(self, i: int, stops: bool = True) -> int:
        """Where the field starting at i ends: a separator, a used character or a label."""
        s = self.s
        j = i
        while j < len(s) and self.free(j):
            ch = s[j]
            if ch in SEP:
                break
            if ch == " ":
                # 胶带 and 缠绕膜: an English joiner between two words keeps them one phrase
                jm = re.match(r" (?:and|&|\+) (?=[\u3400-\u9fffA-Za-z0-9])", s[j:]) if j > i else None
                if jm and all(self.free(k) for k in range(j, j + jm.end())):
                    j += jm.end()
                    continue
                # spaces split Chinese words, not English phrases
                a, b = s[j - 1] if j else "", s[j + 1] if j + 1 < len(s) else ""
                # WAF + bot management / R&D: a joiner between English words keeps the phrase
                if a in "+&" and b.strip():
                    pass  # ZA-W3 + 幕墙: a joiner keeps the phrase
                elif re.match(rf"[{CJK}]", a) and i > 0 and s[i - 1].isascii() and re.match(r" [a-z]{3,}\b(?! *[:：])", s[j:]) \
                        and not STOP_RE.match(s, j + 1):
                    pass  # wants 七氟丙烷 gas suppression: in English, a Chinese word opens the English phrase
                elif not (a.isascii() and (a.isalnum() or a in "+&") and b.isascii() and (b.isalnum() or b in "+&")):
                    break
            if stops and j > i:
                sm = STOP_RE.match(s, j)
                if sm and not (s[j - 1].isascii() and s[j - 1].isalpha() and sm.group(0)[0].isalpha() and sm.group(0)[0].islower()):
                    if not (sm.group(0).isascii() and s[j - 1].isalnum() and s[j - 1].isascii() and s[j - 1] != " "):
                        break
            j += 1
        return j

    # -- steps
    def command(self) -> None:
        """The request words, wherever they stand (新线索： / …帮我建个线索 / 录一下 / 加到系统里)."""
        s = self.s
        cm = find_lead_request(s, strip_lead(s, 0, len(s)))
        if cm and (strip_lead(s, 0, cm.start()) >= cm.start() or cm.start() <= 3 or LEAD_PREFIX_RE.fullmatch(s, 0, cm.start())):
            self.take(0, cm.end())
        elif cm:
            a = cm.start()
            hm = re.search(r"(?:你|请|麻烦)?(?:帮我|给我|帮忙)?(?:先|再)?$", s[:a])
            self.take(hm.start() if hm else a, cm.end())
        if cm:
            # 加客户加客户X / 新线索新线索：X: a voice stutter repeats the request
            e = cm.end()
            rm = LEAD_CMD_RE.match(s, e)
            while rm and rm.end() > e and all(self.free(k) for k in range(e, rm.end())):
                self.take(e, rm.end())
                e = rm.end()
                rm = LEAD_CMD_RE.match(s, e)
        if cm and cm.start() > 3 and not SUFFIX_RE.search(s, 0, cm.start()):
            # 刚碰到一个新客户就是温州瓯澜建工: chatter before the command, the company right after it
            am = re.match(rf"\s*(?:啊|呀)?\s*(?:就是|是|叫|名叫)?\s*(?=[{CJK}]{{2,16}}?(?:{SUFFIX_ALT}))", s[cm.end():])
            if am:
                self.take(0, cm.end() + am.end())
        if cm:
            # New lead from the expo: … / new lead pls: … — a short preamble up to the colon
            pm = re.match(r"[ \t]*([A-Za-z ]{1,24}|[\u3400-\u9fff]{1,6})[ \t]*[:：\-–][ \t]", s[cm.end():])
            if pm and not SUFFIX_RE.search(pm.group(1)) and not EN_SUFFIX_RE.search(pm.group(1)) \
                    and not re.search(r"[A-Z][a-z]+ [A-Z]", pm.group(1)):
                self.take(cm.end(), cm.end() + pm.end())
        for rm in LEAD_RECORD_RE.finditer(s):
            a = rm.start()
            hm = re.search(r"(?:你|请|麻烦)?(?:帮我|给我|帮忙)?$", s[:a])
            # 帮我录一下这个客户：X…: the object pointed at before the colon is the request's, not a name
            om = re.match(r"\s*(?:这个|这家|这位|下面这个|以下)(?:新)?(?:客户|公司|单位|联系人|人)?\s*[:：]", s[rm.end():])
            self.take(hm.start() if hm else a, rm.end() + (om.end() if om else 0))
        self.skip_fillers()

    def skip_fillers(self) -> None:
        s = self.s
        for k, ch in enumerate(s):
            if ch in "嗯呃":
                self.take(k, k + 1)
        # fillers right after the command or a used span: 啊 / 就是 / 那个
        k = 0
        while k < len(s):
            if self.free(k) and (k == 0 or not self.free(k - 1)):
                lm = LEADING_RE.match(s[k:])
                while lm and lm.end() > 0 and not lm.group(0).startswith(("把", "帮我", "给我", "请")):
                    self.take(k, k + lm.end())
                    k += lm.end()
                    lm = LEADING_RE.match(s[k:])
            k += 1

    def email(self) -> None:
        em = EMAIL_RE.search(self.s)
        if em:
            self.out["email"] = self.m.orig[em.start():em.end()]
            st = em.start()
            lm = EMAIL_LABEL_RE.search(self.s[:st])
            self.take(lm.start() if lm else st, em.end())

    def phone(self) -> None:
        for f in find_phones(self.m.masked()):
            if "phone" in self.out:
                break
            if f.ambiguous:
                self.ambiguous.append(f.ambiguous)  # the bot asks; nothing half-heard is written
            else:
                self.out["phone"] = f.value
            lm = PHONE_LABEL.search(self.s[: f.start])
            self.take(lm.start() if lm else f.start, f.end)

    def amount(self) -> None:
        for f in find_amounts(self.m.masked()):
            if not all(self.free(k) for k in range(f.start, f.end)):
                continue
            if f.ambiguous:
                self.ambiguous.append(f.ambiguous)
            else:
                self.out.setdefault("amount", f.value)
            lm = AMOUNT_LABEL.search(self.s[: f.start])
            self.take(lm.start() if lm else f.start, f.end)

    def _name_at(self, i: int) -> tuple[int, int, int] | None:
        """A person's name starting at i: (start, end of name, end of consumed text)."""
        s = self.s
        # Dr. Lisa Ng / Mr. Chan Tai Man: a form of address before an English name is no part of it
        pm = re.match(r"(?:Dr|Mr|Mrs|Ms|Miss|Prof|Mdm)\.?\s+(?=[A-Z])", s[i:])
        if pm and self.free(i):
            self.take(i, i + pm.end())
            i += pm.end()
        # English: Emily Watson / Kevin 吴
        em = re.match(r"[A-Z][a-z]+(?:[ \-][A-Z][a-z]+){0,2}", s[i:])
        if em and self.free(i):
            j = i + em.end()
            sm = re.match(rf" ?(?:{SURNAME_ALT})(?=[^{CJK}]|电话|手机|邮箱|微信|$)", s[j:])  # Kevin 吴 / Jason黄
            if sm:
                j += sm.end()
            if not is_title(s[i:j]):
                return i, j, j
        # 何sir / 陈Madam: a surname and a form of address in Latin letters
        lm = SURNAME_HON_RE.match(s, i)
        if lm and lm.group(0)[-1].isascii() and self.free(i):
            return i, lm.end(), lm.end()
        run = re.match(rf"[{CJK}]+", s[i:])
        if not run:
            return None
        j = i + run.end()
        k = i
        while k < j and self.free(k):
            k += 1
        j = k
        if j - i < 2:
            return None
        sub = s[i:j]
        dm = FULL_DUP_HON_RE.match(sub)
        if dm:
            return i, i + dm.start(0) + 1 + len(dm.group("g")), i + dm.end()
        hm = SURNAME_HON_RE.match(sub)
        if hm and (hm.end() == len(sub) or not re.match(rf"[{CJK}]", sub[hm.end():hm.end() + 1]) or STOP_RE.match(sub, hm.end())
                   or re.match("是|的|想|要|电话|手机", sub[hm.end():])):
            return i, i + hm.end(), i + hm.end()
        # (冯思远然后手机号…: a voice filler after the name ends it too)
        stop = re.search(r"是|电话|手机|邮箱|他们|她们|想|要|预算|的|关注|需要|需求|联系|然后|就是|那个|这个|[嗯呃啊呢吧哈]", sub[2:])
        if stop:
            cut = 2 + stop.start()
            cut = min(cut, 3) if cut > 3 else cut
            if cut > 3:
                cut = 3
            return i, i + cut, i + cut
        if len(sub) <= 3:
            return i, j, j
        # 林海峰副总 → name + title
        for n in (3, 2):
            if is_title(sub[n:]):
                return i, i + n, i + n
        for n in (3, 2):
            if SURNAME_HON_RE.match(sub[n:]) or re.match(rf"(?:{HON_ALT})", sub[n:]):
                return i, i + n, i + n
        # 联系人次仁多吉， / 联系人阿布都热合曼 电话…: a longer name (Tibetan, Uyghur, Mongolian …) closed by a boundary
        if len(sub) <= 6 and (j >= len(s) or s[j] in SEP + " " or re.match(r"电话|手机|邮箱|微信|\d", s[j:j + 2])) \
                and not SUFFIX_RE.search(sub) and not re.search(r"[的了是叫他她们我想要需买做和跟与在说]", sub):
            return i, j, j
        return i, i + 3, i + 3

    def _title_after(self, j: int) -> None:
        s = self.s
        k = j
        while k < len(s) and s[k] in " ,，|\n" and self.free(k):
            k += 1
        pm = re.match(r"[(（]([^)）]{1,24})[)）]", s[k:])
        if pm and is_title(pm.group(1)):
            self.out["contact_title"] = self.val(k + 1, k + 1 + len(pm.group(1)))
            self.take(j, k + pm.end())
            return
        bm = re.match(r"(?:他|她)?(?:是|为)(?:他们|她们|公司|他们公司|她们公司|那边|厂里)?(?:的)?", s[k:])
        base = k + (bm.end() if bm else 0)
        e = self.segment_end(base, stops=False)
        # the longest title prefix of the segment
        for end in range(e, base, -1):
            if is_title(s[base:end]):
                self.out["contact_title"] = self.val(base, end)
                self.take(j, end)
                return

    def _title_before(self, a: int) -> None:
        """采购部主管 曾丽华: a title segment right before the name."""
        if "contact_title" in self.out:
            return
        s = self.s
        k = a
        # (X / 采购总监 / 孙飘扬: a card's slash between the title and the name is stepped over too)
        while k > 0 and (s[k - 1] in " ,，|\n" and self.free(k - 1) or s[k - 1] in "/／" or k - 1 in self.cancelled):
            k -= 1  # (部长 詹文斌 哦不对是詹文彬: the cancelled name is stepped over to the title)
        e = k
        while k > 0 and self.free(k - 1) and s[k - 1] not in SEP + " ":
            k -= 1
        # 工程管理部 副部长 / HSE 总监 / 运输车队 队长: a department, crew or an acronym before the title, a space apart
        dm = re.search(rf"(?:[{CJK}]{{1,6}}(?:部|科|处|室|中心|办|课|股|组|队|车间|站|局|所)|(?<![A-Za-z])[A-Z]{{2,5}}) $", s[:k])
        if dm and all(self.free(x) for x in range(dm.start(), k)) and is_title(s[k:e]):
            self.out["contact_title"] = self.val(dm.start(), e)
            self.take(dm.start(), e)
            return
        # Office Manager 何詠欣 / Head of Workplace 周一鸣: an English title of several words before the name
        if e > k and s[k:e].isascii():
            for wm in re.finditer(r"(?:[A-Za-z&]+ ){1,4}$", s[:k]):
                for x in range(wm.start(), k):
                    if (x == 0 or s[x - 1] in SEP + " ") and s[x] != " " and all(self.free(y) for y in range(x, k)) \
                            and is_title(s[x:e]):
                        k = x
                        break
        if e > k and is_title(s[k:e]):
            self.out["contact_title"] = self.val(k, e)
            self.take(k, e)

    def contact_labelled(self) -> None:
        s = self.s
        for lm in CONTACT_LABEL_RE.finditer(s):
            if not all(self.free(k) for k in range(lm.start(), lm.end())):
                continue
            if "contact_name" in self.out and self.out["contact_name"] and not self.free(min(len(s) - 1, lm.end())):
                self.take(lm.start(), lm.end())  # 对接人是运营副总李建国: the person was read already; the label goes
                return
            i = lm.end()
            # 联系人呃叫做金立峰: fillers already taken, then 是 / 叫做 again
            while i < len(s) and (s[i] in " :：" or not self.free(i)):
                i += 1
            rm = re.match(r"(?:是|叫做|叫|名叫)+", s[i:])
            if rm:
                i += rm.end()
            # 联系人姓孙孙主任 / 姓孙 孙建国: the surname said first, then the name that repeats it
            sm = re.match(rf"姓(?P<s>{SURNAME_ALT})[\s,，]*(?=(?P=s))", s[i:])
            if sm and all(self.free(k) for k in range(i, i + sm.end())):
                self.take(i, i + sm.end())
                i += sm.end()
            # 是他们的信息部经理谢文涛: a title before the name
            # 是他们园区的安全员小麦: a place of theirs + 的 before the title
            pm = re.match(rf"(?:他们|她们|公司|那边|厂里)的?(?:[{CJK}]{{1,4}}?的(?=[{CJK}]{{1,6}}?(?:{_ROLE}|员)))?|(?:{_DEPT}|[{CJK}]{{1,4}}?)(?:部|科|处|室|中心|课|组)的", s[i:])
            if pm:
                i += pm.end()
            # 总务处邓老师: a department glued to a surname and a form of address goes with the person
            dm = re.match(rf"(?:{_DEPT}|[{CJK}]{{1,4}}?)(?:部|科|处|室|中心|课|组)\s*(?=(?:{SURNAME_HON_RE.pattern}))", s[i:])
            if dm and all(self.free(k) for k in range(i, i + dm.end())):
                self.take(i, i + dm.end())
                i += dm.end()
            run = re.match(rf"[{CJK}]+", s[i:])
            # 主持建筑师 陆文轩: a whole title, a space, then the name
            if run and is_title(run.group(0)) and re.match(rf"\s+(?:{SURNAME_ALT})[{CJK}]", s[i + run.end():]):
                self.out["contact_title"] = self.val(i, i + run.end())
                self.take(i, i + run.end())
                i += run.end()
                while i < len(s) and s[i] == " ":
                    i += 1
                run = None
            if run:
                r = run.group(0)
                for k in range(len(r) - 2, 1, -1):
                    if is_title(r[:k]) and re.match(rf"(?:小|老|阿)?(?:{SURNAME_ALT})", r[k:]):  # 安全员小麦 / 队长老冉
                        self.out["contact_title"] = self.val(i, i + k)
                        self.take(i, i + k)
                        i += k
                        break
            got = self._name_at(i)
            if not got:
                continue
            a, b, c = got
            self.out["contact_name"] = self.val(a, b)
            self.take(lm.start(), c)
            self._title_after(c)
            return

    def company(self) -> None:
        if "company" in self.out:
            return
        s = self.s
        i = 0
        # 新客户🎉 厦门海沧冷链物流: an emoji after the request is no part of the name
        while i < len(s) and (not self.free(i) or s[i] in " ,，:：-\n|" or _EMOJI_RE.match(s[i])):
            i += 1
        # 新客户哈就是昆明…: a particle and a filler left between the request and the name are no part of it
        fm = re.match(r"[哈啊呀嘛吧]*(?:就是说|就是|然后)", s[i:])
        if fm and all(self.free(k) for k in range(i, i + fm.end())):
            self.take(i, i + fm.end())
            i += fm.end()
        # Lead from 大众点评 inquiry: X / 来自官网的咨询：X: where the lead came from, closed by a colon, is no part of the name
        om = re.match(r"(?:from|via|through|source\s*[:：]?)\s+[^:：,，;；\n]{1,30}?[:：]\s*|(?:来自|来源|从)[^:：,，;；\n]{1,14}?[:：]\s*", s[i:], re.IGNORECASE)
        if om and i + om.end() < len(s) and all(self.free(k) for k in range(i, i + om.end())):
            self.take(i, i + om.end())
            i += om.end()
        # Client Harbour Logistics (HK) Ltd: a label word before an English company name
        lm = re.match(r"(?:client|customer|company|account)\s*[:：]?\s+(?=[A-Z])", s[i:], re.IGNORECASE)
        if lm and all(self.free(k) for k in range(i, i + lm.end())):
            self.take(i, i + lm.end())
            i += lm.end()
        # 新客户那个叫呃金穗米业的王总: a filler and 叫 before the name
        cm = re.match(r"(?:那个|这个|就是)?(?:叫做|名叫|叫)", s[i:])
        if cm and all(self.free(k) for k in range(i, i + cm.end())):
            self.take(i, i + cm.end())
            i += cm.end()
            while i < len(s) and (not self.free(i) or s[i] in " ,，:：-\n|"):
                i += 1
        if i >= len(s):
            return
        # 那边有个叫邕城微笑口腔的连锁他们…: a name introduced by 有个叫 and followed by 的 + what kind of place it is
        # (连锁 / 诊所 / 公司) is the name; the kind describes it
        km = _CALLED_KIND_RE.match(s, i)
        if km and all(self.free(k) for k in range(i, km.end())):
            self.out["company"] = self.val(km.start("n"), km.end("n"))
            self.take(i, km.end())
            return
        # 周明远 采购总监 杭州临平远达纺织 …: a person or a title first, the organisation later
        k = i
        while k < len(s):
            e = self.segment_end(k)
            seg = s[k:e]
            if not (re.fullmatch(rf"(?:{SURNAME_ALT})[{CJK}]{{1,2}}", seg) or is_title(seg)) or SUFFIX_RE.search(seg):
                break
            k = e
            while k < len(s) and (not self.free(k) or s[k] in " ,，:：-\n|"):
                k += 1
        if k < len(s) and k != i and SUFFIX_RE.search(s[k:self.segment_end(k)]):
            i = k
        # 把佛山南海华瑞铝材加到系统里: the 把 / 将 of the request is no part of the name
        bm = re.match(r"(?:把|将)(?=[\u3400-\u9fffA-Za-z]{2})", s[i:])
        if bm and self.free(i):
            self.take(i, i + bm.end())
            i += bm.end()
        # 苏州工业园区的那个凯拓电子材料 → 凯拓电子材料
        dm = re.match(rf"[{CJK}A-Za-z]{{1,14}}?(?:的)?(?:那个|这个|那家|这家|那间|这间|那所|这所)", s[i:])
        # …恒力机械那个联系人是…: 那个 before a label or a field word is a filler after the name, not a descriptor's end
        if dm and (STOP_RE.match(s, i + dm.end()) or CONTACT_LABEL_RE.match(s, i + dm.end())) and dm.group(0)[-3:-2] != "的":
            dm = None
        if dm and all(self.free(k) for k in range(i, i + dm.end())):
            self.take(i, i + dm.end())
            i += dm.end()
        j = self.segment_end(i)
        # Greenfield医疗科技(苏州)有限公司 / 星河（深圳）科技: a bracketed place before a suffix
        while True:
            pm = PAREN_PLACE_RE.match(s, j)
            if not pm or not all(self.free(k) for k in range(j, pm.end())):
                break
            j = self.segment_end(pm.end()) if pm.end() < len(s) and self.free(pm.end()) else pm.end()
        # Skyline Fintech (深圳) Ltd: a bracketed place before an English company suffix
        pm = re.match(rf"\s*[(（][{CJK}A-Za-z ]{{2,12}}[)）]\s*", s[j:])
        if pm and re.search(r"[A-Za-z]$", s[i:j]):
            sm = EN_SUFFIX_RE.match(s, j + pm.end())
            if sm and all(self.free(k) for k in range(j, sm.end())):
                j = sm.end()
            elif all(self.free(k) for k in range(j, j + pm.end())) and re.match(r"\s*(?:[,，;；\n]|$)", s[j + pm.end():]):
                j = j + len(pm.group(0).rstrip())  # Harwick Home Retail (Shanghai): the place stays with the name
            elif all(self.free(k) for k in range(j, j + pm.end())) and re.match(r"Co\.?,?\s*(?:Ltd|Limited)\.?", s[j + pm.end():]):
                cm2 = re.match(r"Co\.?,?\s*(?:Ltd|Limited)\.?", s[j + pm.end():])
                j = j + pm.end() + cm2.end()
        em = re.match(r",\s*(?:Ltd|Limited|Inc|LLC|Corp)\b\.?", s[j:], re.IGNORECASE)
        if em and re.search(r"\b(?:Co|Company|Pte)\.?$", s[i:j], re.IGNORECASE):
            j += em.end()
        # NovaMed 诺迈医疗 / NexaCloud 云枢科技: a Latin brand, a space, and the Chinese company name
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9&.\-]*(?: [A-Za-z][A-Za-z0-9&.\-]*)*", s[i:j]):
            cm = re.match(rf" ([{CJK}]{{1,12}}?(?:{SUFFIX_ALT}))(?=[\s,，;；:：(（]|$)", s[j:])
            if cm and all(self.free(k) for k in range(j, j + cm.end())) and not STOP_RE.search(cm.group(1)):
                j += cm.end()
        # stop before 的 + person, and before a person glued after a company suffix (…科技王总)
        sub = s[i:j]
        dk = sub.find("的")
        if dk >= 1:
            after = sub[dk + 1:]
            am = re.match(rf"[A-Za-z][A-Za-z0-9&.\- ]*?\b(?:{EN_SUFFIX_ALT})\b\.?|[{CJK}A-Za-z]{{2,20}}?(?:{SUFFIX_ALT})", after, re.IGNORECASE)
            # 深圳福田的瑞宠动物医院啊院长姓郑…: the name after 的 may be followed by a particle or a role
            tail_ok = am and (am.end() >= len(after.rstrip()) - 1 or _AFTER_NAME_RE.match(after, am.end()))
            if am and not tail_ok:
                # 湖北监利的长江大垸农业合作社 / 上海张江的和润生物制药他们的HRD: any ending of the run may close the name
                run = re.match(rf"[{CJK}A-Za-z]{{2,20}}", after)
                for em in SUFFIX_RE.finditer(after, 0, run.end() if run else 0):
                    e = em.end()
                    if e >= 2 and (e >= len(after.rstrip()) - 1 or _AFTER_NAME_RE.match(after, e)
                                   or re.match(r"他们|她们|的", after[e:]) or _title_then_name(after[e:])):
                        tail_ok = True
                        break
            # 上海徐汇的Lumen Design Studio: a place before 的, then an English organisation's name (three words or an
            # organisation word; two capitalised words may be a person)
            en = after.strip()
            if not tail_ok and re.fullmatch(rf"[{CJK}]{{2,8}}", sub[:dk]) and not SUFFIX_RE.search(sub[:dk]) \
                    and re.fullmatch(r"[A-Z][A-Za-z0-9&.\-]*(?: [A-Z&][A-Za-z0-9&.\-]*){1,4}", en) \
                    and (len(en.split()) >= 3 or EN_SUFFIX_RE.search(en) or re.search(_EN_ORG_WORDS, en, re.IGNORECASE)):
                tail_ok = True
            if not tail_ok and re.fullmatch(rf"[{CJK}]{{2,10}}", after) and (
                    re.match(r"他们|她们", s[j:]) or _PLACE_END_RE.search(sub, 0, dk)):
                # 漳州古雷港区的腾龙芳烃他们…: a place before 的, or a name their people follow, is a descriptor + the name
                tail_ok = not is_title(after) and not _title_then_name(after)
            # 合肥的江淮冷运(他们…): a place before 的 (no company ending) and a bare name after it that closes the
            # segment: the descriptor goes, the name stays
            if not tail_ok and not am and 2 <= len(after.strip()) <= 12 and re.fullmatch(rf"[{CJK}A-Za-z]+", after.strip()) \
                    and not SUFFIX_RE.search(sub[:dk]) and not is_title(after.strip()) and not _title_then_name(after) \
                    and not re.match(rf"(?:{SURNAME_ALT})[{CJK}]{{1,2}}$", after.strip()) and not SURNAME_HON_RE.match(after) \
                    and not SUFFIX_RE.fullmatch(after.strip()) and not re.search(r"我|你|朋友|老乡|同学|亲戚", sub[:dk]) \
                    and (j >= len(s) or s[j] in " ,，;；\n" or not self.free(j) or re.match(r"\s*(?:他们|她们)", s[j:]) or CONTACT_LABEL_RE.match(s, j + len(re.match(r"\s*", s[j:]).group(0)))
                         and re.match(r"联系|对接|负责|联络|contact", s[j:].strip(), re.IGNORECASE)):
                tail_ok = True
            if tail_ok and not SURNAME_HON_RE.match(after):
                # 新加坡的Lionmere Builders Pte Ltd: a descriptor joined by 的 before the company
                self.take(i, i + dk + 1)
                i = i + dk + 1
            elif dk >= 2:
                j = i + dk
            sub = s[i:j]
        # 唐山冀东矿业运输公司矿卡轮胎一年消耗三百来条: what follows an organisation's own ending (公司 / 集团), unless
        # it ends as a company again (…公司第一分公司), describes the customer and is no part of the name
        heads = [hm.end() for hm in _ORG_HEAD_RE.finditer(sub) if hm.end() >= 4 and re.search("公司|集团", hm.group(0))]
        if heads and heads[-1] < len(sub) and not re.search(rf"(?:{SUFFIX_ALT})$", sub) \
                and re.match(rf"[{CJK}]", sub[heads[-1]:]) and len(sub) - heads[-1] >= 4:
            j = i + heads[-1]
            sub = s[i:j]
        for sm in SUFFIX_RE.finditer(sub):
            rest = sub[sm.end():]
            dm = DEPT_AFTER_RE.match(rest) or (_SUBUNIT_RE.match(rest) if _ORG_HEAD_END_RE.search(sm.group(0)) else None)
            if dm:  # 华星光电财务处李处长: a department and a person glued after the name
                rest = rest[dm.end():]
            # 橘洲齿科医院医务部主任 曹立群: a department and its rank closing the segment are the person's title
            if dm and rest and is_title(sub[sm.end():]) and (j >= len(s) or s[j] in " ,，;；\n"):
                j = i + sm.end()
                break
            if rest and (SURNAME_HON_RE.match(rest) or FULL_DUP_HON_RE.match(rest) or _name_then_title(rest) or _title_then_name(rest)
                         or _PARTICLE_ROLE_AFTER_RE.match(rest)):
                j = i + sm.end()
                break
        else:
            # 济南历下泉城汇广场工程部杜经理: a name with no ending of its own, then a department and a person glued
            # after it; the department and the person are not the customer's name
            for dm in re.finditer(rf"(?:{_DEPT})(?:部|科|处|室|课|组|办)(?:的)?", sub):
                rest = sub[dm.end():]
                if dm.start() >= 3 and rest and (SURNAME_HON_RE.match(rest) or FULL_DUP_HON_RE.match(rest) or _name_then_title(rest)
                                                 or _title_then_name(rest)):
                    j = i + dm.start()
                    break
        # 人民医院行政楼 / 实验小学教学楼: a building of the organisation is where the goods go, not the customer
        bm = re.search(rf"(?:{_ORG_HEAD_RE.pattern})(?=[{CJK}]{{1,3}}楼$)", s[i:j])
        if bm and bm.end() >= 4:
            j = i + bm.end()
        # 深圳宝安 鑫达电子厂 / 长春朝阳区 吉大口腔诊所: a place typed a space before the organisation's name is written
        # with it (as a place glued to the name is); the name is the segment that ends as an organisation does
        if re.fullmatch(rf"[{CJK}]{{2,6}}", s[i:j]) and not SUFFIX_RE.search(s, i, j) and s[j:j + 1] == " ":
            # (佛山南海 大沥镇 鸿福铝材厂: a second place word may stand between)
            nm = re.match(rf"(?:[{CJK}]{{2,6}}(?:镇|乡|街道|区|县|村|开发区|园区) )?[{CJK}A-Za-z0-9]{{2,16}}?(?:{SUFFIX_ALT})(?:[(（][^()（）\s]{{1,10}}[)）])?(?=[\s,，;；]|$)", s[j + 1:]) \
                or re.match(rf"[{CJK}A-Za-z0-9]{{2,12}}[(（][^()（）\s]{{1,10}}(?:店|分店|门店|校区|院区|分院)[)）]", s[j + 1:])  # 鸿运火锅（观音桥店）
            if nm and all(self.free(k) for k in range(j, j + 1 + nm.end())):
                j = j + 1 + nm.end()
        # trailing 的 / 他们 / fillers
        while j > i and (s[j - 1] in " 的啊嘛呢" or s[j - 2:j] in ("他们", "她们", "那个", "这个")):
            j -= 2 if s[j - 2:j] in ("他们", "她们", "那个", "这个") else 1
        # 恒顺饮料有限公司吧: a particle after a company ending (not 网吧, which is the ending)
        if j - i > 3 and s[j - 1] in "吧呀哈" and re.search(f"(?:{SUFFIX_ALT})$", s[i:j - 1]):
            j -= 1
        if j - i >= 2:
            self.out["company"] = self.val(i, j)
            self.take(i, j)
            # a trailing 的 after the company goes with it
            if j < len(s) and s[j] == "的":
                self.take(j, j + 1)

    def contact_unlabelled(self) -> None:
        if "contact_name" in self.out:
            return
        s = self.s
        masked = self.m.masked()
        # 王海涛王总 / 刘总 (after 的 / 他们 / a separator / start)
        for rx in (FULL_DUP_HON_RE, SURNAME_HON_RE):
            for hm in rx.finditer(masked):
                a = hm.start()
                prev = masked[a - 1] if a else "\x00"
                dept = DEPT_BEFORE_RE.search(masked, 0, a) or _SUBUNIT_BEFORE_RE.search(masked, max(0, a - 4), a)
                # 老板陈总 / 厂长李总: a role word right before the person, itself after a boundary
                # (采购 谭小姐: the role may stand a space apart)
                ra = a - 1 if a > 0 and s[a - 1] == " " and self.free(a - 1) else a
                role = next((k for k in range(max(0, ra - 6), ra - 1)
                             if (k == 0 or masked[k - 1] in "\x00 ,，;；:：\n|" or masked[max(0, k - 2):k] in ("他们", "她们"))
                             and is_title(s[k:ra])
                             and all(self.free(x) for x in range(k, ra))), None)
                # 他们采购周经理: a bare department word after 他们 / a boundary
                # (办公室 刘主任: the department may stand a space apart; positions are the message's, not the slice's)
                lo = max(0, a - 10)  # (后勤服务中心 包主任: a department's service unit, a space apart)
                bare = re.search(rf"(?:^|[\x00 ,，]|他们|她们)((?:{DEPARTMENT_WORDS})(?:部|科|处|室|课|组|服务中心|中心|办)?|(?<=[\x00 ,，])[{CJK}]{{1,4}}(?:部|科|处|室|办)(?= )) ?$", masked[lo:a])
                if bare and bare.group(0).endswith(" ") and is_title(bare.group(1)):
                    bare = None  # 采购 邝小姐: a role a space apart is the title (contact_unlabelled's role above)
                if bare:
                    dept = dept or re.compile(".*", re.S).match(masked, lo + bare.start(1), a)
                if not (prev in "\x00 ,，的是叫" or masked[max(0, a - 2):a] in ("他们", "她们", "有个", "一个", "一位", "有位") or dept or role is not None):
                    continue
                if role is not None and not dept and (prev not in "\x00 ,，的是叫" or ra < a):
                    self.out["contact_title"] = self.val(role, ra)
                    self.take(role, a)
                if dept and all(self.free(k) for k in range(dept.start(), a)):
                    self.take(dept.start(), a)  # 生产部李厂长: the department goes with the person
                if rx is FULL_DUP_HON_RE:
                    self.out["contact_name"] = self.val(a, a + 1 + len(hm.group("g")))
                else:
                    self.out["contact_name"] = self.val(a, hm.end())
                self.take(a if prev not in "他们的" else a, hm.end())
                self._title_after(hm.end())
                return
        # a title glued before the name in one segment: 设备处处长张卫东 / 行政总厨Jacky Zhou
        for sm in re.finditer(rf"(?:(?<=[\x00 ,，;；:：\n|])|^)([{CJK}]{{3,14}})(?=[\x00 ,，;；(（\n|]|$)", masked):
            seg_a, seg = sm.start(1), sm.group(1)
            for k in range(len(seg) - 2, 1, -1):
                name = seg[k:]
                if len(name) <= 3 and re.fullmatch(rf"[老小](?:{SURNAME_ALT})|(?:{SURNAME_ALT})[{CJK}]{{1,2}}", name) and is_title(seg[:k]) \
                        and not SURNAME_HON_RE.fullmatch(name) and not is_title(name):
                    self.out["contact_title"] = self.val(seg_a, seg_a + k)
                    self.out["contact_name"] = self.val(seg_a + k, seg_a + len(seg))
                    self.take(seg_a, seg_a + len(seg))
                    return
        em = re.search(rf"(?:(?<=[\x00 ,，;；:：\n|])|^)([{CJK}]{{2,10}})([A-Z][a-z]+(?: [A-Z][a-z]+){{0,2}})(?=[\x00,，;；(（]|$| [^A-Z])", masked)
        if em and is_title(em.group(1)):
            self.out["contact_title"] = self.val(*em.span(1))
            self.out["contact_name"] = self.val(*em.span(2))
            self.take(em.start(1), em.end(2))
            return
        # a separate segment: English "John Smith" or Chinese "王磊"
        for sm in re.finditer(rf"(?:(?<=[\x00 ,，;；:：\n|])|^)({_EN_NAME}(?: {_EN_NAME}){{1,2}}|(?:{SURNAME_ALT})[{CJK}]{{1,2}}|[小老](?:{SURNAME_ALT}))(?=[\x00 ,，;；(（\n|]|$)", masked):
            a, b = sm.span(1)
            # (王云飞 / 李文华: a one-character company ending inside a three-character name is the name's)
            if is_title(s[a:b]) or EN_SUFFIX_RE.search(s[a:b]) or any(
                    len(x.group(0)) >= 2 or b - a > 3 for x in SUFFIX_RE.finditer(s, a, b)):
                continue
            if re.fullmatch(rf"[{CJK}]+", s[a:b]) and re.search(r"想|要|预算|储能|需|做", s[a:b]):
                continue
            if re.fullmatch(rf"(?:{DEPARTMENT_WORDS})(?:部|科|处|室|课|组)", s[a:b]) or s[b - 1] == "部":
                continue  # 安环部 部长 詹文彬: a department (安 is a surname too) is no name
            self.out["contact_name"] = self.val(a, b)
            self.take(a, b)
            self._title_before(a)
            self._title_after(b)
            return
        # 运营经理 阿布都热合曼 13999112345: a title segment, then a longer name standing alone (no common surname needed)
        lm = re.search(rf"(?:(?<=[\x00 ,，;；:：\n|])|^)([{CJK}]{{2,10}}) ([{CJK}]{{4,6}})(?=[\x00 ,，;；(（\n|]|$)", masked)
        if lm and is_title(lm.group(1)) and not is_title(lm.group(2)) and not SUFFIX_RE.search(lm.group(2)) \
                and not re.search(r"[的了是叫他她们我想要需买做和跟与在说]", lm.group(2)) and not SURNAME_HON_RE.search(lm.group(2)):
            self.out["contact_title"] = self.val(*lm.span(1))
            self.out["contact_name"] = self.val(*lm.span(2))
            self.take(lm.start(1), lm.end(2))
            return
        # Kevin 吴
        km = re.search(rf"(?:(?<=[\x00 ,，])|^)([A-Z][a-z]+ ?(?:{SURNAME_ALT}))(?=[\x00 ,，]|$)", masked)  # (Linda王 glued)
        if km:
            self.out["contact_name"] = self.val(*km.span(1))
            self.take(*km.span(1))
            self._title_before(km.start(1))
            self._title_after(km.end(1))

    def product(self) -> None:
        if "product" in self.out:
            return
        s = self.s
        masked = self.m.masked()
        # 想把空压站改一下 / 要把老旧照明全换掉: the object of 把 after an interest word is what they want
        bm = re.search(r"(?:想|要|打算|准备|计划)把([^，,。\s]{2,12}?)(?:全部|都|全|统一)?(?:改造|改|换掉|换|升级|更换|做|上)", masked)
        if bm and all(self.free(k) for k in range(bm.start(), bm.end())):
            self._set_product(bm.start(), bm.start(1), bm.end(1))
            self.take(bm.start(), bm.end())
            return
        # 那个烘干机想年底前换掉 / 老旧空压机打算明年淘汰: the thing named as the topic, then the plan to replace it
        tm = re.search(r"(?:那个|这个|那批|这批|那台|这台)([\u4e00-\u9fffA-Za-z0-9]{2,8}?)(?:想|要|打算|准备|计划)[^，,。]{0,6}?(?:换掉|更换|换新|淘汰|升级|改造)", masked)
        if tm and all(self.free(k) for k in range(tm.start(), tm.end())) and not re.search(r"[他她我你]|们|客户|老板|领导", tm.group(1)) \
                and not SURNAME_HON_RE.search(tm.group(1)):
            self._set_product(tm.start(), tm.start(1), tm.end(1))
            self.take(tm.start(), tm.end())
            return
        # 想给学生宿舍上直饮水设备 / 打算为三个分厂配一批空压机: the beneficiary after 给 / 为, then the verb and the product
        gm = re.search(r"(?:想|要|打算|准备|计划)(?:给|为|帮)([^，,。\s]{2,10}?)(?:上|装|配|换|买|采购|做|搞|添置|添)(?:一批|一套|一些|几台|个)?", masked)
        if gm and all(self.free(k) for k in range(gm.start(), gm.end())) and gm.end() < len(s) and self.free(gm.end()):
            j = self.segment_end(gm.end())
            if j - gm.end() >= 2:
                self._set_product(gm.start(), gm.end(), j)
                return
        for im in INTEREST_RE.finditer(masked):
            if im.end() == im.start() or not all(self.free(k) for k in range(im.start(), im.end())):
                continue
            om = re.match(r"对(.{1,12}?)(?:很|挺|比较|非常|特别|蛮|有点)?(?:感兴趣|有兴趣|有意向|有需求)", im.group(0))
            if om:  # 他们对LIS感兴趣: the object sits inside the cue
                a = im.start() + om.start(1)
                self._set_product(im.start(), a, a + len(om.group(1)))
                self.take(im.start(), im.end())
                return
            i = im.end()
            j = self.segment_end(i)
            if j - i < 1:
                continue
            if _REPORTED_PLAN_RE.search(masked, max(0, im.start() - 8), im.start()) and any(
                    all(self.free(k) for k in range(m2.start(), m2.end())) for m2 in INTEREST_RE.finditer(masked, j)):
                continue  # 说明年要做X想了解Y: the customer's plan is reported; the interest is Y
            # 轮胎想统一换 / 想尽快换: an adverb and a verb after 想 name no object (the object stood before it)
            # 要统一换牙椅和CBCT: the adverb and the verb, then their object, which is the product
            om = re.match(r"(?:统一|全部|全都|都|一起|尽快|赶紧|马上|早点)(?:更换|采购|升级|换成|换|买|上|装|做|弄|搞|用|整)(?:掉|一下|下|一批|一套)?", s[i:j])
            if om and j - (i + om.end()) >= 2 and re.match(rf"[{CJK}A-Za-z0-9]", s[i + om.end()]):
                self._set_product(im.start(), i + om.end(), j)
                return
            if re.fullmatch(r"(?:统一|全部|全都|都|一起|尽快|赶紧|马上|先|再|也|还|早点)?(?:换|买|上|装|做|改|弄|搞|用|整)(?:掉|了|一下|下)?",
                            s[i:j].strip()) or re.match(r"(?:统一|全部|全都|尽快|赶紧|马上)", s[i:j]):
                self.take(im.start(), j)
                return
            self._set_product(im.start(), i, j)
            return
        # a card's address / fax / website / WeChat lines are no product
        for am in _CARD_OTHER_LINE_RE.finditer(s):
            self.take(am.start(), am.end())
        # a leftover segment (冷库储能 / storage cabinets x4 / EMS)
        k = 0
        while k < len(s):
            if self.free(k) and s[k] not in SEP + " ":
                j = self.segment_end(k)
                seg = s[k:j].strip()
                # 殷建国 殷总: a surname + honorific standing alone repeats the contact, it is no product
                # a leftover is a product only when it is a noun phrase (not 刚加的微信 / 他们新院区)
                if len(seg) >= 2 and not re.fullmatch(r"(?:他们|她们|啊|吧|呢|的|了|那个|就是|这边)+", seg) \
                        and not re.search(r"他们|她们|我|你|刚|了|的|过", seg) \
                        and not _REMARK_RE.match(seg) \
                        and not re.fullmatch(r"[\d\s()（）+\-]+", seg) \
                        and not re.match(r"预算|报价|金额|budget|想|打算|准备|计划", seg, re.IGNORECASE) \
                        and not re.fullmatch(rf"(?:{DEPARTMENT_WORDS})(?:部|科|处|室|中心|组|课)", seg) \
                        and not re.search(r"(?:一年|每年|每月|一个月|年均|月均)|消耗|用量|[一二两三四五六七八九十百千几\d]+(?:来|多|余)?(?:条|台|辆|家|吨)", seg) \
                        and not re.fullmatch(r"(?:电话|手机|座机|邮箱|地址|微信|tel|phone|mobile|mob|cell|fax|email|e-mail|[mte])\s*[:：]?", seg, re.IGNORECASE) \
                        and not PHONE_LABEL.match(seg) \
                        and not ("contact_name" in self.out and SURNAME_HON_RE.fullmatch(seg)):
                    self._set_product(k, k, j)
                    return
                k = max(j, k + 1)
            else:
                k += 1

    def _set_product(self, label_start: int, i: int, j: int) -> None:
        s = self.s
        # 驾驶式扫地机 JX-R20 ×2: a model code a space after the Chinese product name is part of it
        mm = _MODEL_AFTER_RE.match(s, j)
        if mm and re.search(rf"[{CJK}]$", s[i:j]) and all(self.free(k) for k in range(j, mm.end())):
            j = mm.end()
        # 数字化种植全套（口扫+种植导板）: the parts of a package listed in brackets right after it are part of the product
        pm = re.match(r"\s?[(（]([^()（），,。;；]{3,24})[)）]", s[j:])
        if pm and re.search(r"[+＋、/&]|和|及|与", pm.group(1)) and all(self.free(k) for k in range(j, j + pm.end())):
            j += pm.end()
        vm = _LIGHT_VERB_RE.match(s, i, j) if label_start < i else None
        if vm and j - vm.end() >= 2 and re.match(rf"[{CJK}A-Za-z0-9]", s[vm.end()]):
            i = vm.end()
        # 想换台CBCT / 要买套软件: a bare measure word right after the verb counts one, it is no part of the product
        bm = re.match(r"(?:台(?![式灯秤车钻面账扇阶])|套(?![管筒装餐])|部|辆)(?=[\u4e00-\u9fffA-Za-z]{2})", s[i:j])
        if bm and label_start < i and s[i - 1] in "换配买上装搞弄添订整要做采购":
            i += bm.end()
        # they want an intraoral scanner: the article is no part of the product
        am = re.match(r"(?:an?|the|some)\s+(?=[A-Za-z])", s[i:j], re.IGNORECASE)
        if am and j - (i + am.end()) >= 3:
            i += am.end()
        lq = QTY_LEAD_RE.match(s[i:j])
        if lq and j - (i + lq.end()) >= 1:
            i += lq.end()
        sub = s[i:j]
        j0 = j
        qm = QTY_RE.search(sub)
        if qm and qm.start() > 0:
            j = i + qm.start()
            self.take(j, j0)
        qm = _PRODUCT_TAIL_RE.search(s, i, j)
        if qm and qm.start() > i:  # 校园监控大概 / interactive panels for 40 classrooms
            j = qm.start()
            self.take(j, j0)
        while j > i and s[j - 1] in " 的啊呢吧了" or j > i + 1 and s[j - 1] == "." and s[j - 2].isalpha() and not re.search(r"\b(?:etc|Co|Inc|Ltd|No)$", s[i:j - 1]):
            j -= 1  # (needs X-ray units. add as a lead: the full stop ends the sentence, not the product)
        if re.fullmatch(r"这个|那个|这|那|它|这些|那些|他们|她们|什么|啥|哪些|哪种|多少|this|that|it|what", s[i:j], re.IGNORECASE):
            return  # a pronoun left over (这个帮我录成新线索) names no product
        if re.fullmatch(rf"(?:[0-9]+|[一二两三四五六七八九十几百千]+)\s*(?:台|套|个|件|组|批|辆|张|条|只|部|{_MEASURE_MORE})(?:左右|的样子)?", s[i:j].strip()):
            return  # 烘干机想换掉 大概要两台: a count alone names no product (the thing was named before the verb)
        if re.fullmatch(rf"[{CJK}]{{1,4}}(?:部|科|处|室|办|办公室)", s[i:j]) and label_start == i:
            return  # 管理办 巴特尔主任: a department left over before the person names no product
        if re.fullmatch(r"[A-Za-z][A-Za-z\- ]*?\s+to\s+(?:be\s+)?[a-z]+(?:ed)?(?:\s+(?:out|up|over))?", s[i:j]):
            return  # 2 floors to furnish / offices to fit out: the job's scope, no product named
        if j - i >= 1:
            mid = _QTY_MID_RE.search(s, i, j)
            if mid and mid.start() > i:  # 空气呼吸器二十台跟防化服 → 空气呼吸器跟防化服
                self.out["product"] = (self.val(i, mid.start()) + self.val(mid.end(), j)).strip()
            else:
                self.out["product"] = self.val(i, j)
            self.take(label_start, j)

    def correction(self) -> None:
        """王总哦不对是汪总: the words a self-correction replaces are cancelled (as long as its replacement)."""
        s = self.s
        for cm in CORRECTION_RE.finditer(s):
            a, b = cm.span()
            if a == 0 or b >= len(s):
                continue
            rep = FULL_DUP_HON_RE.match(s, b) or SURNAME_HON_RE.match(s, b) or re.compile(rf"[{CJK}A-Za-z]{{2,3}}").match(s, b)
            n = len(rep.group(0)) if rep else 2
            a0 = a
            while a0 > 0 and s[a0 - 1] == " ":  # 詹文斌 哦不对是詹文彬: the space before the filler is not the name's
                a0 -= 1
            while n > 2 and a0 - n >= 0 and s[a0 - n] in "叫是":  # 叫吴敏哦不对叫吴民: the 叫 before stays
                n -= 1
            self.take(max(0, a0 - n), b)
            self.cancelled.update(range(max(0, a0 - n), b))

    def spelled_correction(self) -> None:
        """覃海波不是覃海涛波涛的涛: a name, 不是, the name meant and the spelling of the character that differs —
        the spelled name is the one meant (as a self-correction; voice input misheard the first)."""
        s = self.s
        for cm in _SPELLED_CORRECTION_RE.finditer(s):
            n1, n2, ch = cm.group("n1"), cm.group("n2"), cm.group("ch")
            if len(n1) != len(n2) or n1 == n2 or n2[-1] != ch or not all(self.free(k) for k in range(*cm.span())):
                continue
            self.take(cm.start("n1"), cm.start("n2"))
            self.take(cm.start("sp"), cm.end("sp"))
            return

    def spelled_surname(self) -> None:
        """章总立早章 / 张工弓长张: a dictated surname spelled out after the name is no part of it."""
        for sm in SPELLED_RE.finditer(self.s):
            self.take(sm.start("sp"), sm.end("sp"))

    def card_header(self) -> None:
        # ━━━━━━ / ------ / ====== / ******: a card's rule lines are decoration, never a field
        for rm in re.finditer(r"[\u2500-\u257f—–\-=＝*＊_~～·•◆◇■□★☆]{3,}", self.s):
            if all(self.free(k) for k in range(*rm.span())):
                self.take(*rm.span())
        # X有限公司 / 采购总监 / 孙飘扬: a slash between spaces separates a pasted card's fields
        for sm in re.finditer(r"(?<=\s)[/／](?=\s)", self.s):
            if self.free(sm.start()):
                self.take(sm.start(), sm.end())
        # every start, so 名片 is still found inside 新客户名片 once 新客户 went to the command
        hms = (CARD_HEADER_RE.match(self.s, k) for k in range(len(self.s)) if self.free(k))
        for hm in hms:
            if hm and all(self.free(k) for k in range(*hm.span())):
                a, e = hm.start(), hm.end()
                # 【名片】 / [Name card]: the brackets around a header go with it
                if a > 0 and self.s[a - 1] in "【[(（" and self.free(a - 1) and e < len(self.s) and self.s[e] in "】])）":
                    a, e = a - 1, e + 1
                while e < len(self.s) and self.s[e] in ":： ":
                    e += 1
                self.take(a, e)

    def card_lines(self) -> None:
        """公司：… / 姓名：… / 职务：… / 需求：…: the labelled lines of a pasted card."""
        for lm in CARD_LINE_RE.finditer(self.s):
            a, b = lm.span("value")
            if not all(self.free(k) for k in range(lm.start("label"), b)):
                continue
            f = _LABEL_FIELD.get(re.sub(r"\s+", " ", lm.group("label").lower()))
            if not f or f in self.out:
                continue
            if f == "product":
                self._set_product(lm.start("label"), a, b)
                continue
            if f == "contact_name" and not self._name_at(a):
                continue
            self.out[f] = self.val(a, b)
            self.take(lm.start("label"), b)

    def card_block(self) -> None:
        """A card pasted line by line without labels (Dana Whitfield / Facilities & Safety Manager /
        Lakeshore Pharma (Wuxi) Co., Ltd. / M: …): each whole line is read for what it is — a name,
        a title or an organisation — wherever it stands; it counts only when two of the three are found."""
        s = self.s
        if s.count("\n") < 2 and len(re.findall(r"[|｜]", s)) < 2:
            return
        found: dict[str, tuple[int, int]] = {}
        for lm in re.finditer(r"[^\n|｜]+", s):  # lines, or the fields of a card pasted on one line with bars
            a, b = lm.span()
            while a < b and s[a] in " \t":
                a += 1
            while b > a and s[b - 1] in " \t,，":
                b -= 1
            seg = s[a:b]
            if not seg or not all(self.free(k) for k in range(a, b)):
                continue
            if re.search(rf"(?:{EN_SUFFIX_ALT}|{_EN_ORG_WORDS})\.?$", seg, re.IGNORECASE) and re.match(r"[A-Za-z]", seg) and not is_title(seg):
                kind = "company"  # Lakeside Learning Center / Lakeshore Pharma (Wuxi) Co., Ltd.
            elif re.fullmatch(rf"{_EN_NAME}(?: {_EN_NAME}){{1,2}}", seg) and not is_title(seg) and not EN_SUFFIX_RE.search(seg):
                kind = "contact_name"
            elif re.fullmatch(rf"(?:{SURNAME_ALT})[{CJK}]{{1,2}}", seg) and not is_title(seg) and not SUFFIX_RE.search(seg):
                kind = "contact_name"
            elif is_title(seg) or is_title(re.sub(r",\s*(?:APAC|EMEA|AMER|Americas|Asia(?: Pacific)?|Greater China|China|North Asia|Global|Worldwide)$", "", seg)):
                kind = "contact_title"  # Regional Facilities Lead, APAC: a title and its region
            elif re.fullmatch(rf"[{CJK}()（）]{{2,30}}?(?:{SUFFIX_ALT})", seg):
                kind = "company"
            else:
                continue
            # Ravi Menon / … / Vantage Biologics: a card names one person; a second name-shaped English line is the organisation
            if kind == "contact_name" and "contact_name" in found and "company" not in found and seg.isascii():
                kind = "company"
            found.setdefault(kind, (a, b))
        if len(found) < 2:
            return
        for kind, (a, b) in found.items():
            if kind not in self.out:
                self.out[kind] = self.val(a, b)
                self.take(a, b)

    def title_label_name(self) -> None:
        """Purchasing Director: Michael Zhang / 采购经理：王磊: a title used as the label of the name."""
        if "contact_name" in self.out:
            return
        for tm in _TITLE_LABEL_NAME_RE.finditer(self.s):
            t = tm.group("t").strip()
            if t.lower() in _LABEL_FIELD or not is_title(t) or not all(self.free(k) for k in range(tm.start("t"), tm.end("n"))):
                continue
            self.out["contact_title"] = self.val(*tm.span("t"))
            self.out["contact_name"] = self.val(*tm.span("n"))
            self.take(tm.start("t"), tm.end("n"))
            return

    def title_called(self) -> None:
        """设备科科长叫蒋文博 / 他们的信息科科长叫文卓: a title, 叫, the name."""
        if "contact_name" in self.out:
            return
        s = self.s
        masked = self.m.masked()
        # 安全总监姓樊樊振华: the surname spelled out, then the full name, stands for 叫 too
        calls = sorted([*CALLED_RE.finditer(masked), *_SURNAME_THEN_NAME_RE.finditer(masked), *_SURNAME_THEN_HON_RE.finditer(masked)],
                       key=lambda m: m.start())
        for cm in calls:
            a = cm.start()
            # 院长姓郑叫郑海涛: the surname spelled out between the title and 叫
            sm = re.search(rf"姓(?:{SURNAME_ALT})\s*$", s[:a])
            if sm:
                a = sm.start()
            # …连锁的采购总监，叫邬佳蕾: the title may close its own clause, 叫 opening the next
            cma = re.search(r"[，,]\s*$", s[:a])
            if cma and cma.start() >= 2:
                a = cma.start()
            lo = max(0, a - 14)
            starts = [m.end() for m in TITLE_START_RE.finditer(masked, lo, a)]
            k = max(starts) if starts else lo
            # the title starts at the boundary, or right after an organisation's suffix (…医院检验科主任)
            a2 = a
            while a2 > k and s[a2 - 1] == " ":
                a2 -= 1
            cands = [st for st in range(k, a2 - 1) if s[st] != " " and is_title(s[st:a2])]
            cands = [st for st in cands if not _org_head_before_title(s, st, a2)] or cands
            if not cands:
                continue
            pref = [st for st in cands if st == k or masked[st - 1] in " \x00" or ORG_END_RE.search(s, k, st)]
            title = (min(pref or cands), a2)
            n0 = cm.end()
            while n0 < len(s) and (s[n0] == " " or not self.free(n0)):  # 叫马建国不对是马建军: past the cancelled name
                n0 += 1
            got = self._name_at(n0)
            if not got:
                continue
            na, nb, nc = got
            # (科长姓贾贾科长 / 老板姓郑 郑总: surname + form of address is the name and yields no title, shared/datasets README)
            if not SURNAME_HON_RE.fullmatch(s, na, nb):
                self.out["contact_title"] = self.val(*title)
            self.out["contact_name"] = self.val(na, nb)
            lm = re.search(r"(?:联系人|对接人|负责人|联络人)?(?:是|为)?(?:他们|她们)?(?:的)?(?:那个)?$", s[:title[0]])
            self.take(lm.start() if lm and lm.group(0) else title[0], nc)
            return

    def _company_before(self, k: int) -> bool:
        """A company's name (a run with its own ending) already stands before s[k]: a bare ending after it is a kind, no name."""
        return bool(re.search(rf"[{CJK}A-Za-z]{{2,}}(?:{SUFFIX_ALT})", self.s[:k]))

    def fused_title_name(self) -> None:
        """鲜丰食品采购主管陈磊电话… / 他们生产总监王磊说… / 刘建军总经理 137…: a title and a name glued
        together inside a run, bounded by a company suffix, a pronoun, 的 or a separator on one side and
        by a field word (电话 / 说 / 想 / 预算 …), a digit or a separator on the other. Only titles of the
        strict form (department + role) count, so a name's last character is never read as a title."""
        if "contact_name" in self.out:
            return
        s = self.s
        masked = self.m.masked()
        for a0 in range(len(masked)):
            nm = _FUSED_NAME_RE.match(masked, a0)  # every start: 采购主管陈磊 (管 is a surname too)
            if not nm:
                continue
            a, b = nm.span()
            if not all(self.free(k) for k in range(a, b)) or SURNAME_HON_RE.fullmatch(s, a, b):
                continue
            if (om := SUFFIX_RE.match(s, a)) and om.end() >= b:
                continue  # 机场后勤公司: an organisation's ending (公司 / 集团) is no name, whatever title stands before it
            # 物业总经理杨丽华 standing as its own segment is contact_unlabelled's title + name, not 物业 + 总经理
            b0 = a
            while b0 > 0 and self.free(b0 - 1) and s[b0 - 1] not in SEP + " ":
                b0 -= 1
            if a - b0 >= 2 and (b0 == 0 or s[b0 - 1] in SEP + " " or not self.free(b0 - 1)) and ZH_TITLE_RE.fullmatch(s[b0:a]):
                continue
            # title before the name
            for st in range(max(0, a - 8), a - 1):
                t = s[st:a]
                if not ZH_TITLE_RE.fullmatch(t) or t[0] in "的是" or t in _LABEL_WORDS or not all(self.free(k) for k in range(st, a)):
                    continue
                # glued on the left too (a separated title segment is contact_unlabelled's)
                if not (ORG_END_RE.search(s, 0, st) or s[st - 2:st] in ("他们", "她们") or st > 0 and s[st - 1] == "的"):
                    continue
                # ，診所經理區慧敏，: a bare kind of organisation (诊所 / 门店) opening the segment is the title's (clinic manager)
                if b0 < st and (b0 == 0 or s[b0 - 1] in SEP + " ") and SUFFIX_RE.fullmatch(s, b0, st) and st - b0 <= 3 \
                        and "company" not in self.out and all(self.free(k) for k in range(b0, st)) and self._company_before(b0):
                    st = b0
                self.out["contact_title"] = self.val(st, a)
                self.out["contact_name"] = self.val(a, b)
                # 联系人是他们园区的安全员小麦: the label before the title goes with it
                lm = re.search(rf"(?:联系人|对接人|负责人|联络人)(?:是|为)?(?:他们|她们)?(?:[{CJK}]{{1,4}}?的)?$", s[:st])
                self.take(lm.start() if lm else st, b)
                return
            # …八十多台重卡车队长包建业电话…: the shortest title of three characters or more before a name that a
            # phone closes needs no left boundary
            if re.match(r"(?:[他她]的?)?(?:电话|手机)", s[b:b + 4]):
                for st in range(a - 3, max(-1, a - 7), -1):
                    t = s[st:a]
                    if ZH_TITLE_RE.fullmatch(t) and not re.search(r"[的是人]", t) and t not in _LABEL_WORDS \
                            and all(self.free(k) for k in range(st, a)):
                        self.out["contact_title"] = self.val(st, a)
                        self.out["contact_name"] = self.val(a, b)
                        self.take(st, b)
                        return
        # name then title, one segment: 刘建军总经理 / 周敏采购经理
        for sm in re.finditer(rf"(?:(?<=[\x00 ,，;；:：\n|])|^)((?:{SURNAME_ALT})[{CJK}]{{3,10}})(?=[\x00 ,，;；(（\n|\d]|$)", masked):
            a, seg = sm.start(1), sm.group(1)
            if ZH_TITLE_RE.fullmatch(seg):
                continue  # 车辆管理部经理: the whole segment is a title (车 is a surname too)
            for n in (3, 2):
                # the title keeps at least three characters (成本经理 is a title, not 成本 + 经理)
                if len(seg) - n >= 3 and ZH_TITLE_RE.fullmatch(seg[n:]) and not SUFFIX_RE.search(seg[:n]):
                    self.out["contact_name"] = self.val(a, a + n)
                    self.out["contact_title"] = self.val(a + n, a + len(seg))
                    self.take(a, a + len(seg))
                    return

    def en_lower_title_name(self) -> None:
        """new lead tanwick components operations director james park wants …: all lower case (voice),
        a company, a title (department words + a title word) and a two-word name before a field word."""
        if "contact_name" in self.out or "company" in self.out or re.search(r"[A-Z]", self.s):
            return
        masked = self.m.masked()
        tm = _EN_LOWER_TITLE_NAME_RE.search(masked)
        if not tm or tm.group("n").split()[0] in EN_TITLE_WORDS:
            return
        self.out["company"] = self.val(*tm.span("c"))
        self.out["contact_title"] = self.val(*tm.span("t"))
        self.out["contact_name"] = self.val(*tm.span("n"))
        self.take(tm.start("c"), tm.end("n"))

    def en_labelled_title_name(self) -> None:
        """contact is Operations Director David Lin / contact: Head of IT Mark Sullivan: a label, a title, a name."""
        if "contact_name" in self.out:
            return
        masked = self.m.masked()
        for lm in _EN_CONTACT_LABEL_RE.finditer(masked):
            rm = re.match(r"[A-Za-z&][A-Za-z&.\- ]*?(?=\s*(?:[,，;；\n|(（\x00]|$))", masked[lm.end():])
            if not rm:
                continue
            toks = list(re.finditer(r"[A-Za-z&.\-]+", rm.group(0)))
            for n in (2, 3):
                if len(toks) < n + 1 or not all(re.fullmatch(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?", x.group(0)) for x in toks[-n:]):
                    continue
                ta, te = lm.end() + toks[0].start(), lm.end() + toks[-n - 1].end()
                na, ne = lm.end() + toks[-n].start(), lm.end() + toks[-1].end()
                if is_title(masked[ta:te]) and not is_title(masked[na:ne]):
                    self.out["contact_title"] = self.val(ta, te)
                    self.out["contact_name"] = self.val(na, ne)
                    self.take(lm.start(), ne)
                    return

    def en_met_narrative(self) -> None:
        """Met Helen Tsai at the Guangzhou dental fair - she's Clinical Director of Brightsmile Dental Group (Shenzhen), …:
        the person met, where (no field), then who they are: the title, and the organisation after of / at."""
        if "contact_name" in self.out or "company" in self.out:
            return
        s = self.s
        nm = _EN_MET_RE.match(s)
        if not nm or not is_title(nm.group("t")) or not all(self.free(k) for k in range(nm.start(), nm.end())):
            return
        self.out["contact_name"] = self.val(*nm.span("n"))
        self.out["contact_title"] = self.val(*nm.span("t"))
        self.out["company"] = self.val(*nm.span("c"))
        self.take(nm.start(), nm.end())

    def en_title_name(self) -> None:
        """Procurement Manager Tony Huang / Head of Radiology Jason Zhou: an English title, then the name."""
        if "contact_name" in self.out:
            return
        masked = self.m.masked()
        for rm in EN_RUN_RE.finditer(masked):
            fm = re.search(r" (?:from|at|of) (?=[A-Z])", rm.group(0))
            if fm and "company" not in self.out and fm.start() > 0:
                ca, ce = rm.start() + fm.end(), rm.end()
                head = rm.group(0)[:fm.start()]
                toks = list(re.finditer(r"[A-Za-z&.\-]+", head))
                if len(toks) >= 3 and all(re.fullmatch(r"[A-Z][a-z]+", t.group(0)) for t in toks[-2:]) \
                        and is_title(head[:toks[-2].start()].strip()):
                    self.out["company"] = self.val(ca, ce)
                    self.take(rm.start() + fm.start(), ce)
                    rm_text, base = head, rm.start()
                    self.out["contact_title"] = self.val(base, base + toks[-3].end())
                    self.out["contact_name"] = self.val(base + toks[-2].start(), base + toks[-1].end())
                    self.take(base, base + toks[-1].end())
                    return
            toks = list(re.finditer(r"[A-Za-z&.\-]+", rm.group(0)))
            # contact Head of Procurement Sarah Chen: a label word before the title
            while toks and toks[0].group(0).lower() in ("contact", "contacts", "attn", "is", "person", "the", "our", "their"):
                toks = toks[1:]
            for n in (2, 3):
                if len(toks) < n + 1:
                    continue
                name_toks = toks[-n:]
                if not all(re.fullmatch(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?", t.group(0)) for t in name_toks):
                    continue
                k_end = -n - 1
                if toks[k_end].group(0).lower() in ("is", "was") and len(toks) >= n + 2:
                    k_end -= 1  # GM is Linda Cho
                if toks[k_end].group(0).rstrip(".").lower() in ("dr", "mr", "mrs", "ms", "miss", "prof", "mdm") and len(toks) >= n + 2:
                    k_end -= 1  # Lab Manager Dr. Helen Zhao: the form of address is neither title nor name
                if toks[k_end].group(0).lower() in ("of", "for", "and", "&"):
                    continue  # Head of Supply Chain: the words after "of" complete the title, they name nobody
                ta, te = rm.start() + toks[0].start(), rm.start() + toks[k_end].end()
                na, ne = rm.start() + name_toks[0].start(), rm.start() + name_toks[-1].end()
                if is_title(masked[ta:te]) and not is_title(masked[na:ne]):
                    self.out["contact_title"] = self.val(ta, te)
                    self.out["contact_name"] = self.val(na, ne)
                    self.take(ta, ne)
                    return

    def narrative_opening(self) -> None:
        """刚从区教育局开完会出来，新线索：X / 我今天跑了一趟X… / 认识一个客户X / 有个培训机构要加一下X:
        the story of how the rep met the customer opens the message; the company comes after it."""
        s = self.s
        k = 0
        while k < len(s) and not self.free(k):
            k += 1
        # a whole clause of something done, closed by a separator, before the lead command
        # (有个HR总监加了我微信：X…: a colon closes the story too, the request standing later)
        # (想了解X，: the 了 of 了解 / 了结 is no aspect, nothing was done)
        cm = re.match(r"[^，,。;；!！:：\n]{2,30}?(?:了(?![解结])|完|过|出来|回来)[^，,。;；!！:：\n]{0,6}[，,。;；!！\n:：]", s[k:])
        req = find_lead_request(s, 0)
        if cm and req and req.start() >= k + cm.end() - 1 and all(self.free(x) for x in range(k, k + cm.end())):
            self.take(k, k + cm.end())
            return
        # 我刚从鑫源物流出来他们车队经理…: the place the rep just came from is the company
        fm = re.match(r"(?:我|我们)?(?:今天|刚刚|刚才|刚|上午|下午)*(?:从|在)", s[k:])
        if fm and fm.end() > 0:
            nm2 = re.match(rf"[{CJK}A-Za-z]{{2,16}}?(?:{SUFFIX_ALT})(?=出来|回来|开完会)", s[k + fm.end():])
            if nm2 and all(self.free(x) for x in range(k, k + fm.end() + nm2.end())):
                e = k + fm.end() + nm2.end()
                vm = re.match(r"(?:开完会)?(?:出来|回来)?", s[e:])
                self.take(k, k + fm.end())
                self.take(e, e + vm.end())
                return
        # 我在客户这边啊你帮我建一下X: where the rep is standing, before a request to the bot
        lm = _REP_PLACE_RE.match(s, k)
        if lm and all(self.free(x) for x in range(k, lm.end())):
            self.take(k, lm.end())
            return
        nm = _NARRATIVE_RE.match(s, k)
        # (…介绍了一个新客户 叫X: the lead command inside the story was taken already)
        if nm and nm.end() > k and (SUFFIX_RE.search(s, nm.end(), min(len(s), nm.end() + 24)) or nm.group(0).endswith(("叫", "名叫"))) \
                and (all(self.free(x) for x in range(k, nm.end())) or re.search(r"介绍|推荐", nm.group(0)) and self.free(k)):
            self.take(k, nm.end())

    def name_title_glued(self) -> None:
        """…外国语学校王海燕副校长 / 刘建军总经理: a full name, then the role, in one run (姓名 + 职位)."""
        if "contact_name" in self.out:
            return
        masked = self.m.masked()
        for bm in re.finditer(rf"(?:(?<=[\x00 ,，;；:：\n|])|^)(?=(?:{SURNAME_ALT}))", masked):
            k = bm.start()
            n = _name_then_title(masked[k:])
            if not n:
                continue
            e = k + n[1]
            self.out["contact_name"] = self.val(k, k + n[0])
            self.out["contact_title"] = self.val(k + n[0], e)
            self.take(k, e)
            return

    def surname_of_honorific(self) -> None:
        """有个姓罗的经理 / 一位姓邓的主任: the surname and the form of address, said apart, are the contact's name."""
        if "contact_name" in self.out:
            return
        for sm in re.finditer(rf"(?:有个|有一个|一个|一位|有位|有一位)?姓(?P<s>{SURNAME_ALT})的(?P<h>{HON_ALT})(?![{CJK}]{{0,1}}[叫是])", self.s):
            if all(self.free(k) for k in range(sm.start(), sm.end())):
                self.out["contact_name"] = self.val(sm.start("s"), sm.end("s")) + self.val(sm.start("h"), sm.end("h"))
                self.take(sm.start(), sm.end())
                return

    def run(self) -> dict:
        self.command()
        self.narrative_opening()
        self.spelled_correction()
        self.correction()
        self.spelled_surname()
        self.card_header()
        self.email()
        self.phone()
        self.amount()
        self.card_lines()
        self.card_block()
        self.title_label_name()
        self.title_called()
        self.fused_title_name()
        self.en_met_narrative()
        self.en_lower_title_name()
        self.en_labelled_title_name()
        self.en_title_name()
        self.surname_of_honorific()
        self.contact_labelled()
        self.company()
        self.name_title_glued()
        self.contact_unlabelled()
        self.product()
        # 他们老板覃总 / 老板姓郑 郑总: the boss named by surname + form of address — 老板 / 老总 / 领导 say who
        # the person is, not a job title, and the name yields none (shared/datasets README; 厂长吴总 keeps 厂长)
        name = self.out.get("contact_name")
        if name and Msg(self.out.get("contact_title") or "").s.strip() in ("老板", "老板娘", "老总", "领导", "大老板") \
                and SURNAME_HON_RE.fullmatch(Msg(name.strip()).s):
            del self.out["contact_title"]
        return self.out


def find_lead_request(s: str, core: int = 0):
    """The first lead command that is a request (not 我的新客户 / 退回到新线索), or None."""
    if re.match(r"\s*(?:看看|看一下|查看|列出|列一下|列个|拉一下|拉个|显示|给我看看?|给我列一下|给我列出)", s[core:]) \
            and not re.search(r"\d{5,}|[:：\n]|[零一二三四五六七八九幺]{7,}", s):
        return None  # 列一下我本月新增的客户: a list of the rep's new customers, not a new one
    for cm in LEAD_CMD_RE.finditer(s):
        if re.match(r"\s*(?:有哪些|有几个|有多少|都有|列表|清单|呢\s*[?？]?$)", s[cm.end():]):
            continue  # 我的新客户有哪些: a list, not a request
        if cm.start() > core and re.search(r"的\s*$", s[:cm.start()]):
            continue  # 我的新客户 / 那个新线索的…
        if cm.start() <= max(core, 0) + 8 or re.match(r"帮我|给我|麻烦|请", cm.group(0)):
            return cm  # 这个帮我录成新线索: a request addressed to the bot is never a noun
        if LEAD_CMD_NOUN_BEFORE_RE.search(s, max(0, cm.start() - 3), cm.start()):
            continue
        if re.match(r"\s*(?:的|那单|那个|有|都|里|中|阶段)", s[cm.end():]):
            continue  # 新客户的报价 / 新线索有哪些
        return cm
    return None


# Words after a product that are not part of it: an estimate word, a scope (for 40 classrooms).
_PRODUCT_TAIL_RE = re.compile(r"(?:大概|大约|差不多|左右)$|(?<=[\u3400-\u9fffA-Za-z0-9]{2})每(?:个)?(?:月|年|周|天|季度?|星期)[^，,。\s]{0,8}$|(?<=[\u3400-\u9fff]{2})一(?:个)?(?:年|月|季度)$|(?<=[\u3400-\u9fffA-Za-z0-9])(?:今年|明年|后年|年底|年初|这个月|下个月|月底|马上|近期)[^，,。\s]{0,8}$|\s+for\s+(?:\d+|all|the|each|every|our|their)\b.*$", re.IGNORECASE)
# 说明年要做…: a reported plan before an interest cue
_REPORTED_PLAN_RE = re.compile(r"说[^，,。]{0,6}$")
# How the rep met a new customer, before its name (我今天跑了一趟 / 我刚在农博会上认识一个客户 / 有个培训机构要加一下).
_NARRATIVE_RE = re.compile(
    r"(?:就是|那个|我|我们|今天|昨天|刚|刚刚|刚才|上午|下午|\s)*"
    r"(?:[^，,。;；!！\n]{0,12}?(?:跑了|去了|来了|到了)(?:一|1)?趟"
    r"|[^，,。;；!！\n]{0,12}?(?:认识|碰到|遇到|接触|加|介绍|推荐|转介绍)了?(?:一个|一家|个|家)(?:新)?(?:的)?(?:客户|单位|学校|机构|朋友|线索|企业微信|企微|微信|好友)?\s*(?:叫|是)?"
    r"|有(?:一个|个|一家|家)[^，,。;；!！\n]{0,6}?(?:要|得|想)(?:加一下|录一下|登记一下|加下|录下|加|录)"
    # 上周展会上认识的X / 朋友介绍的X / 昨天刚加了微信的X: a clause about how they met, closed by 的
    r"|[^，,。;；!！\n的]{0,12}?(?:认识|碰到|遇到|接触|结识|介绍|推荐|加了?微信|聊过|来问)的(?:一个|一家|那个|这个)?)"
)
_CALLED_KIND_RE = re.compile(
    rf"[^，,。;；!！\n]{{0,14}}?(?:有|路过|碰到|遇到|看到|进了|去了|跑了)(?:了)?(?:一)?(?:个|家|间|所)(?:新客户|客户)?(?:叫做?|名叫|叫作)\s*(?P<n>[{CJK}A-Za-z0-9&]{{2,16}}?)\s*的"
    rf"[{CJK}]{{0,4}}?(?:连锁|诊所|医院|公司|客户|单位|门店|店|厂|企业|机构|学校|集团|品牌|门诊|工作室|中心)(?=他们|她们|[，,。;；\s]|$)"
)
_EN_MET_RE = re.compile(
    r"\s*(?i:(?:i\s+|we\s+|just\s+)*(?:met|meet|spoke (?:to|with)|talked to|chatted with|ran into|bumped into)\s+)"
    r"(?P<n>[A-Z][a-z]+(?: [A-Z][a-z]+){1,2})\s+(?:at|during|in|on)\s+[^,;.\n]{2,50}?\s*(?:[-–—,;]|\.)\s*"
    r"(?i:she|he|they)(?:'s|’s| is| are)\s+(?:the\s+|a\s+|an\s+)?(?P<t>[A-Za-z&][A-Za-z& -]{1,40})\s+(?:of|at|for|with)\s+(?:the\s+)?"
    r"(?P<c>[A-Z][A-Za-z0-9&'.-]*(?: [A-Z&][A-Za-z0-9&'.-]*){0,5}(?: ?\([A-Za-z ]{2,20}\))?)(?=\s*(?:[,;.\n]|$))"
)
# Place words ending a descriptor (漳州古雷港区的… / 浦东新区的…)
_PLACE_END_RE = re.compile(r"(?:省|市|县|区|镇|乡|村|港区|新区|开发区|园区|工业园|高新区)$")
# Where the rep is (我在客户这边 / 我现在在他们厂门口呢), closed by a particle or a separator and followed by the request.
_REP_PLACE_RE = re.compile(
    r"(?:那个|就是|\s)*(?:我|我们)(?:现在|正|刚|今天)?在[^，,。;；!！\n]{1,10}?(?:这边|那边|现场|这儿|那儿|这里|那里|门口|楼下|路上)"
    r"(?:呢|啊|呀|哈)?[\s,，。!！]*(?=(?:你|请)?(?:帮我|给我|麻烦|帮忙))"
    # 刚加的微信，帮我建档：X / 今天认识的，麻烦录一下: how the rep came by the contact, a clause before the request
    r"|(?:那个|就是|\s)*(?:刚刚?|刚才|今天|昨天|上午|下午)?(?:加|加了|加的|认识|认识了|认识的|碰到|遇到|见到|聊到)[^，,。;；!！\n]{0,8}?[\s,，。!！]+(?=(?:你|请)?(?:帮我|给我|麻烦|帮忙))"
)
_ROLE_STRICT_RE = re.compile(rf"(?:副|总|常务|执行)?(?:{_ROLE})")


def _title_then_name(rest: str) -> bool:
    """``rest`` opens with 人资处长林佳慧 / 采购经理王磊 and a boundary: a role, then a full name."""
    for k in range(2, min(8, len(rest) - 1) + 1):
        if is_title(rest[:k]) and re.match(rf"(?:{SURNAME_ALT})[{CJK}]{{1,2}}(?=[\x00 ,，;；:：\n|]|电话|手机|\d|$)", rest[k:]) \
                and not SURNAME_HON_RE.match(rest[k:]) and not _ORG_HEAD_RE.match(rest[k:]):  # (后勤公司: 公司 is no name)
            return True
    return False


def _name_then_title(rest: str) -> tuple[int, int] | None:
    """(name length, name + title length) when ``rest`` opens with 王海燕副校长 / 刘建军总经理 and a boundary."""
    for n in (3, 2):
        name = rest[:n]
        if len(name) < n or not re.fullmatch(rf"(?:{SURNAME_ALT})[{CJK}]{{1,2}}", name) or is_title(name):
            continue
        if SURNAME_HON_RE.match(name) or re.search(r"[的了是叫他她们我想要需买做和跟与在]", name):
            continue
        tm = _ROLE_STRICT_RE.match(rest, n)
        if not tm:
            continue
        e = tm.end()
        if SURNAME_HON_RE.fullmatch(rest[:e]):
            continue  # 欧阳主任 / 司马经理: a compound surname and its form of address, no full name
        if ZH_TITLE_RE.match(rest[:e]) or re.search(r"[部科处室股站组]$", name):
            continue  # 农机部部长: a department and its head, no name
        if e < len(rest) and not re.match(r"[\x00 ,，;；:：\n|(（]|电话|手机|邮箱|联系|\d|[一二三四五六七八九零幺]{3}", rest[e:]):
            continue
        # 农机科长 马国庆 / 管理区主任 孙德胜: a name standing alone right after makes the whole run the title
        if re.match(rf"[ ,，]+(?:{SURNAME_ALT})[{CJK}]{{1,2}}(?=[\x00 ,，;；\n|]|\d|$)", rest[e:]):
            continue
        return n, e
    return None


_EN_CONTACT_LABEL_RE = re.compile(r"\b(?:main\s+|our\s+)?contact(?:\s+person)?(?:\s+is|\s*[:：])?\s+", re.IGNORECASE)
# A unit inside a public body, right before its head (农业农村局农机站彭站长): goes with the person.
_SUBUNIT_RE = re.compile(rf"[{CJK}]{{1,3}}?(?:站|股|所|办|队)(?=(?:{SURNAME_ALT})(?:{HON_ALT}))")
_ORG_HEAD_END_RE = re.compile("(?:" + "|".join(map(re.escape, ORG_HEAD_ENDINGS)) + ")$")
_SUBUNIT_BEFORE_RE = re.compile(rf"(?<=[局院校社\x00])[{CJK}]{{1,3}}?(?:站|股|所|办|队)$")
_ORG_HEAD_RE = re.compile("|".join(sorted(map(re.escape, ORG_HEAD_ENDINGS), key=len, reverse=True)))


def _org_head_before_title(s: str, st: int, end: int) -> bool:
    """s[st:end] opens with an organisation's ending (中学总务处主任 / 局基建股股长): the title starts after it."""
    for om in _ORG_HEAD_RE.finditer(s, max(0, st - 5), end):
        if om.start() <= st < om.end() < end and is_title(s[om.end():end]):
            return True
    return False


def lead_fields(m: Msg) -> tuple[dict, list[str]]:
    lf = LeadFields(m)
    out = lf.run()
    return out, lf.ambiguous


__all__ = ["lead_fields", "is_title", "Found"]

"""Fields of messages about an existing deal: the words naming it (deal_hint), reason, note, query."""

from __future__ import annotations

import re

from bot.intents.cues import (
    DEAL_WORD_RE,
    EN_SUFFIX_RE,
    LEADING_RE,
    PRONOUNS,
    SUFFIX_RE,
    SURNAME_ALT,
    SURNAME_HON_RE,
)
from bot.intents.lexicon import DEPARTMENT_WORDS, COLLEAGUE_WORDS, DOC_ACRONYMS, FILLER_CHARS, TITLE_ENDINGS
from bot.intents.lexicon import ORG_HEAD_ENDINGS
from bot.intents.text import CJK, Msg

_CJK_RUN = re.compile(f"[{CJK}]+")
# A place name as a descriptor (东莞 / 金山区 / 松山湖开发区): two or three characters, or a place ending.
_PLACE_RE = re.compile(rf"(?:那个|这个)?(?:[{CJK}]{{2,3}}|[{CJK}]{{2,8}}(?:区|市|县|省|镇|乡|村|州|岛|新城|开发区|园区))")
# (before a name that ends as a company does, a city + district of four characters too: 绍兴柯桥的华纺印染)
_PLACE4_RE = re.compile(rf"(?:那个|这个)?[{CJK}]{{4}}")
_TRAIL_WORDS = sorted(
    """的 他们 她们 也算是 算是 那笔 这笔 那边 这边 那里 那个 这个 啊 呀 吧 呢 了 嘛 哈 那 已经 已 现在 目前 应该是 应该 终于 刚刚 刚 也 都 又 年度采购 年度
    还是 是 从 那间 这间 的事情 的事儿 的事 这事 框架合同 年度框架 框架 进入到 进入 进到 进了 进 推进到 推进 推到 推 改到 改成 改为 改 调整到 调整为 调到 调成 调为 挪到 移到 放到 切到 切换到
    转到 转入 转去 转 到了 到 退回到 退回 退到 回退到 回退 推去 去到
    回到 打回到 打回 降到 处于 在 变成 最终 最后 客户 对方 嗯 呃 先 暂时 就 不是 项目 正式 阶段 这周 本周 下周 这个月 下个月 今天 明天 后天 最近 暂时 这两天 → -> => > - : ： , ， 。 ; ！ ! ~""".split(),
    key=len,
    reverse=True,
)
_TRAIL_EN = re.compile(
    r"(?:\s|^)(?:moved?|moving|push(?:ed|ing)?|roll(?:ed)?|bump(?:ed)?|drop(?:ped)?|has|have|had|been|is|was|are|now|got|just|finally|to|back|into|in|at|on|currently|already|"
    r"officially|went|the|deal|today|yesterday|tonight|this\s+(?:morning|afternoon|week)|stage|phase)\s*$", re.IGNORECASE
)
_LEAD_CMD_RE = re.compile(
    r"^(?:pls|please|plz|can you|could you|kindly|hi|hey|ok)[\s,]+|^(?:update\s+stage|update|stage|moved|move|moving|pushed|push|mark(?:ed)?(?:\s+as)?|标记(?:为)?|把|将|更新(?:阶段)?|设置|set|snooze|mute|"
    r"(?:刚才|刚刚|上一条|之前)?(?:那个|那条|那单)?(?:[说搞弄写发点按选填录记改打输设标]错了?)|不对|更正一下|纠正一下|更正|纠正|"
    r"we\s+(?:just\s+)?|i\s+(?:just\s+)?|just|finally|好消息|跟你说一下|跟你讲一下|和你说一下)\s*[:：]?\s*",
    re.IGNORECASE,
)


# Words that point at "the current deal" without naming it: the bot uses the rep's latest deal.
_BARE_DEAL_RE = re.compile(
    r"(?:这|那)?(?:个)?(?:单|單|单子|項目|项目|客户|deal)?|(?:this|that|the)(?:\s+(?:deal|one|customer|account))?|it",  # (项目落地了: a bare 项目 too)
    re.IGNORECASE,
)


def strip_lead(s: str, i: int, j: int) -> int:
    """Skip fillers, chatter and command words at s[i:j]."""
    while i < j:
        sub = s[i:j]
        m = LEADING_RE.match(sub) or _LEAD_CMD_RE.match(sub)
        if not m or m.end() == 0:
            break
        i += m.end()
    return i


def clean_span(s: str, i: int, j: int) -> tuple[int, int]:
    """Trim fillers, particles and stage verbs at both ends of s[i:j]."""
    i = strip_lead(s, i, j)
    changed = True
    while changed and j > i:
        changed = False
        while j > i and s[j - 1].isspace():
            j -= 1
            changed = True
        for w in _TRAIL_WORDS:
            if j - len(w) >= i + 1 and s[j - len(w):j] == w:
                j -= len(w)
                changed = True
                break
        else:
            em = _TRAIL_EN.search(s, i, j)
            if em and em.start() > i:
                j = em.start()
                changed = True
    return i, j


def text_without(m: Msg, i: int, j: int, drop=FILLER_CHARS) -> str:
    """orig[i:j] without filler characters (嗯 / 呃) anywhere."""
    return "".join(ch for k, ch in enumerate(m.orig[i:j]) if m.s[i + k] not in drop)


_MONEY_CUT_RE = re.compile(
    r"(?:(?:打|付|转|汇|交)(?:了|过来了?))?(?:的)?(?:第[一二三四五六七八九十两\d]+(?:笔(?:款|货款|回款|付款)?|(?:期|批)(?:款|货款|回款|付款)|期$)|首笔|首批|首期款?|首付款?|首款|预付款?|尾款|余款|进度款|合同款|货款|全款|定金|订金|款项|这笔款|那笔款|报价|汇款|回款|打款|付款|收款(?![机台箱])|转账|合同总价|合同总额|合同价|合同额|合同金额|合约金额|合约额|总金额|总价|金额"
    r"|[一二两三四五\d]期款"
    # 华盛物业的服务费到账了 / X这个月的保洁费收到了: a fee of the deal's service is money, not the name
    r"|(?<=[\u4e00-\u9fff])[\u4e00-\u9fff]{1,3}?(?:费用?|租金)(?=\s*(?:已|也|都|今天|这个月|本月)?(?:收|到|打|付|结|回)))"
    r"|[¥￥]\s?\d|(?<![A-Za-z0-9])\d+(?:\.\d+)?\s?(?:万|亿|w|k|元|块)(?![A-Za-z])|[零一二两三四五六七八九十百千点]+(?:个)?(?:万|亿)",
    re.IGNORECASE,
)


_EN_CLAUSE_CUT_RE = re.compile(
    r"\s+(?:pushed|delayed|postponed|slipped|paused|put on hold|wants?|said|asked|is|are|was|were|has|have|went|goes|gone|stalled|received|arrived)\b", re.IGNORECASE
)
_CORRECTION_CUT_RE = re.compile(r"刚才说错了|刚才搞错了|说错了|搞错了|弄错了|改一下|更正一下|纠正一下|更正|纠正|不对|不是")
# Places inside a customer's premises (中央厨房, 机房, 门店): where the visit happened, not the deal.
_SITE_RE = re.compile(
    r"(?:中央|总|新|老|后|一号|二号|主|电解|焊装|涂装|总装|喷涂|机加|装配|生产|成品|原料|危化品|化学品|灌装|发酵|酿造|配料|备料)?(?:厨房|后厨|机房|仓库|库房|食堂|工地|会议室|办公室|展厅|厂区|样板间|门店|分店|总部|车间|现场|产线|生产线"
    # industrial and transport sites (车辆段 / 罐区 / 船坞 / 泵房 / 中控室 / 矿区 / 调度室)
    r"|车辆段|停车场|站台|库区|罐区|船坞|厂房|泵房|配电房|变电站|控制室|中控室|消防控制室|装置区|堆场"
    r"|升压站|变电所|泵站|污水站|锅炉房|空压站|换热站"
    r"|矿区|车场|场站|货场|调度室|维修站|修理厂)"
)


_CLAUSE_CUT_RE = re.compile(
    r"\s+(?=[^\s，,。]*?(?:做完|做了|收到|发出|完成|搞完|搭了|出来|报名))"
    r"|\s*的\s*(?=[^，,。]{0,10}?(?:已经|刚刚?|都)?(?:发|收|做|交|签|寄|送|提交|完成|出|报名)(?:过去|出去|过来|出来|到|完|了|过|好))"
    r"|刚才|刚刚|已经|今天|昨天"
    # 华山湖湿地评审过了 进入招标: a review or trial passed after the name is a clause of its own
    r"|(?<=[\u4e00-\u9fff]{2})(?=(?:评审|审核|审批|验收|打样|试用|测试|考察|试吃|初审|复审|论证)(?:过了|通过了?|完了|结束了))"
    # 贝齿口腔CBCT院长办公会过了: a meeting of the customer's that passed it (办公会 / 董事会 / 党委会) is a clause too
    r"|(?<=[\u4e00-\u9fffA-Za-z0-9]{2})(?=[\u4e00-\u9fff]{0,4}?(?:会|会议)上?(?:过了|通过了?|批了|批下来了))"
    # 白云空港物业我点成了方案 / X我们报了价: the rep as the subject of a new clause ends the name
    r"|(?<=[\u4e00-\u9fff]{2})(?=我(?:们|司)?(?:刚才|刚刚|之前|这边|已经|[点选改设弄填标搞按报发给跟去做]))"
    # 蓉宠的采购结果出来了: the outcome of the tender after the name is not the deal
    r"|\s*的?\s*(?=(?:采购|招标|投标|评标|比选|竞标|开标)?结果)"
)


_REPORTED_BY_RE = re.compile(
    r"(?:今天|昨天|刚才|刚刚|早上|上午|下午|晚上|今早)?(?:我们|咱们|公司|我司)?的?"
    r"(?:财务|会计|出纳|商务|助理|前台|内勤|仓库|物流|" + "|".join(COLLEAGUE_WORDS) + r")"
    r"(?:那边)?(?:刚才|刚刚|刚)?(?:跟我|和我|给我)?(?:说|讲|告诉我|通知我?|反馈|打电话说|来电话说)(?:了|的)?"
)
_HINT_TIME_CUT_RE = re.compile(
    r"(?:这个?|下个?|上个?|本)(?:月|周|星期|礼拜)|月底|月初|月中|年底|年前|今天|明天|后天|昨天|前天|刚才|刚刚|今早|今晚|"
    r"(?<![\u3400-\u9fff]{2})[上下]午"
)


# A clause separator (a comma between digits is a thousands separator: ¥356,000).
_HINT_SEP_RE = re.compile(r"[，!！。;；?？\U0001F000-\U0001FAFF\u2600-\u27BF]|(?<!\d),|,(?!\d)")  # (an emoji ends a clause too)
_STAGE_LABEL_TAIL_RE = re.compile(
    r"\s*[-—–:：|]\s*(?:(?:stage|status|deal)\s*(?:update|change)?|update|阶段(?:更新|变更)?|状态(?:更新)?)?\s*[:：]?\s*$"
    r"|的\s*(?:阶段|状态)\s*(?:更新|改|调整|变更|设置|推进)?\s*(?:为|成|到)?\s*$",  # 白鹭酒店的阶段更新为
    re.IGNORECASE
)


_AMOUNT_ONLY_RE = re.compile(r"\s*(?:共|一共|总共|大概|约|首期款?|首付款?|首款|尾款|余款|定金|订金|预付款?|进度款|第[一二三四五六七八九十\d]+(?:期|笔)款?)?\s*[¥￥$]?\s*[\d.,]+\s*(?:万|亿|w|k|元|块)?\s*(?:元|块|左右)?\s*(?:已|已经)?\s*|\s*[零一二两三四五六七八九十百千点]+(?:个)?(?:万|亿)(?:元|块)?\s*", re.IGNORECASE)


_FEE_SERVICE_RE = re.compile(r"(?:保洁|服务|维保|维修|保养|物业|租赁|管理|咨询|培训|检测|运维|安保|外包|设计|监理|顾问|技术服务|软件|系统|平台|年|月|季度)$")


def hint_before(m: Msg, start: int, end: int) -> str | None:
    """The deal named in s[start:end] (the words before a deal word or an intent keyword)."""
    s = m.s
    i, j = clean_span(s, start, end)
    tm = re.match(r"(?:closed|signed|won|lost|the|we|i|just|finally)\s+", s[i:j], re.IGNORECASE)
    while tm:
        i += tm.end()
        tm = re.match(r"(?:closed|signed|won|lost|the|we|i|just|finally)\s+", s[i:j], re.IGNORECASE)
    # Sunrise Dairy - stage update: bidding / X — 阶段更新：: a label between the name and the stage
    lm = _STAGE_LABEL_TAIL_RE.search(s, i, j)
    if lm:
        j = lm.start()
    if j <= i:
        return None
    # 搞定了！海沧港航 — only the words after the last separator name the deal
    sep = max((k.start() for k in _HINT_SEP_RE.finditer(s, i, j)), default=-1)
    # X打了预付款过来，17万，已到账: a clause that is only an amount names no deal, the one before it does
    while sep >= i and _AMOUNT_ONLY_RE.fullmatch(s, sep + 1, j):
        j = sep
        sep = max((k.start() for k in _HINT_SEP_RE.finditer(s, i, j)), default=-1)
    if sep >= i and j - sep > 2:
        i, j = clean_span(s, sep + 1, j)
    # 绿城冷链首付款45万到账了: money words and amounts after the name are not the deal
    mm = _MONEY_CUT_RE.search(s, i + 2, j)
    if mm:
        i, j = clean_span(s, i, mm.start())
    # 中原鼎晟的汇款今天到了: a stage cue that starts at 款 leaves the money word's first character behind
    km = re.compile(r"的?[汇回打付收转尾首]$").search(s, i + 2, j)
    if km and s[j:j + 1] == "款":
        i, j = clean_span(s, i, km.start())
    # 华山湖湿地合同首付款百分之三十到账: the contract whose payment arrives is no part of the name
    cm = re.compile(r"的?合同$").search(s, i + 2, j)
    if cm and re.match(r"首付|首期|首款|尾款|预付|进度款|定金|订金|第[一二三四五六七八九十\d]", s[j:j + 3]):
        i, j = clean_span(s, i, cm.start())
    # 华盛物业的服务费到账了: a stage cue that starts at 费 leaves the fee's name (after 的) behind
    fm = re.compile(r"的[\u4e00-\u9fff]{1,3}$").search(s, i + 2, j)
    if fm and s[j:j + 1] in ("费", "租"):
        i, j = clean_span(s, i, fm.start())
    # 博雅口腔保洁费收到了 / 保洁费收到了: the service the fee is for, glued before 费, is no part of the name
    fm = _FEE_SERVICE_RE.search(s, i, j)
    if fm and s[j:j + 1] == "费":
        if fm.start() - i < 2:
            return None
        i, j = clean_span(s, i, fm.start())
    # 科兴科学园的挂网招标了 / X公开招标了: how the tender is run (挂网 / 公开 / 邀请) goes with the stage word after it
    tm2 = re.compile(r"的?(?:挂网|上网|网上|公开|邀请|正式|线上|内部)$").search(s, i + 2, j)
    if tm2 and re.match(r"招标|投标|竞标|比选|询价|立项", s[j:j + 2]):
        i, j = clean_span(s, i, tm2.start())
    # Northwind Farms pushed to Q2, snooze …: an English clause after the name is not the deal
    em = _EN_CLAUSE_CUT_RE.search(s, i + 2, j)
    if em and (re.match(r"[A-Za-z]", s[i:i + 1]) or s[em.start():j].isascii()):  # (微众云 PO received: an English clause too)
        i, j = clean_span(s, i, em.start())
    # 微众云 SOW signed / X PO received: a document named after the deal is not the deal
    dm2 = re.search(r"\s+([A-Z]{2,4})\s*$", s[i:j])
    if dm2 and dm2.group(1) in DOC_ACRONYMS and dm2.start() >= 2:
        i, j = clean_span(s, i, i + dm2.start())
    # 外滩华庭改一下 不是投标: a correction after the name is not the deal
    cm = _CORRECTION_CUT_RE.search(s, i + 2, j)
    if cm:
        i, j = clean_span(s, i, cm.start())
    # 瑞尔齿科因为交期太长黄了: the cause after the name is not the deal
    cm = re.compile(r"因为|由于|\bbecause\b", re.IGNORECASE).search(s, i + 2, j)
    if cm:
        i, j = clean_span(s, i, cm.start())
    # 佳和木业这个月底回款 / 华瑞下周签: time words after the name are not the deal
    tm = _HINT_TIME_CUT_RE.search(s, i + 2, j)
    if tm:
        i, j = clean_span(s, i, tm.start())
    sub = s[i:j]
    # 拓锐模具 POC做完了 / Brnova 的 PO 收到了 / 百居汇刚才…: a clause after the name is not the deal
    cm = _CLAUSE_CUT_RE.search(s, i + 2)
    if cm and cm.start() < j:
        i, j = clean_span(s, i, cm.start())
    sub = s[i:j]
    # a leading time word or person before the name (今天 / 刘总说) is not the deal;
    # 今天财务说X… / 同事跟我讲X…: whoever reported the news (a colleague, a time) opens the message, not the deal
    rm = _REPORTED_BY_RE.match(s, i, j)
    if rm and j - rm.end() >= 2:
        i, j = clean_span(s, rm.end(), j)
        sub = s[i:j]
    k = sub.rfind("那个")
    if k >= 0 and j - (i + k + 2) >= 2:
        i = i + k + 2
        i, j = clean_span(s, i, j)
    # 鼎盛机电王总那边说… / X的刘工那单: a person between the name and the deal word is no part of the deal
    pm = None
    for pm in SURNAME_HON_RE.finditer(s, i + 2, j):
        pass
    if pm and pm.end() == j and pm.start() - i >= 2:
        i, j = clean_span(s, i, pm.start())
    # 华谊化工说… / X那边表示…: the verb of speaking after the name is no part of it
    sm = re.compile(r"(?:那边)?(?:说|表示|反馈|通知)$").search(s, i + 2, j)
    if sm and SUFFIX_RE.search(s, i, sm.start()) and re.search(rf"(?:{SUFFIX_RE.pattern})$", s[i:sm.start()]):
        i, j = clean_span(s, i, sm.start())
    # 东莞的永兴电镀厂: a place joined by 的 before a company's name is a descriptor, not the deal
    dk = s.find("的", i, j)
    if dk - i >= 2 and j - dk - 1 >= 3 and not SUFFIX_RE.search(s, i, dk) and SUFFIX_RE.search(s, dk + 1, j) and (_PLACE_RE.fullmatch(s, i, dk) or _PLACE4_RE.fullmatch(s, i, dk)) \
            and re.fullmatch(f"[{CJK}]+", s[dk + 1:j]) and not re.search(r"我|你|他|她|客户|对方", s[i:dk]):
        i = dk + 1
    val = text_without(m, i, j).strip()
    if not val or val in PRONOUNS or len(re.sub(r"\W", "", val)) < 2 or _BARE_DEAL_RE.fullmatch(m.s[i:j].strip()):
        return None
    return val


def hint_after(m: Msg, pos: int) -> str | None:
    """The deal named right after a command (赢单：X，… / snooze X for …)."""
    s = m.s
    sub = s[pos:]
    # mute reminders for X / snooze the alerts on X: what is muted is not the deal
    lead = re.match(r"(?:\s|[:：\-!！~]|了|啦|我(?=跟进|联系|去|找|给)|跟进|联系|去|找|the\b|from\b|by\b|for\b|of\b|on\b|about\b|all\b|(?:reminders?|notifications?|nudges?|alerts?|pings?)\b)*", sub, re.IGNORECASE)
    i = pos + lead.end()
    # 别提醒我宏达物流了: the rep, the object of the reminder verb, is no part of the deal after it
    if s[i:i + 1] == "我" and not s[i + 1:i + 2] == "们" and re.search(r"(?:提醒|催|通知|烦|打扰|推送给?)$", s[:i]):
        i += 1
        while s[i:i + 1] in ("了", "啦", " "):
            i += 1
    stop = re.search(
        r"[,;。，；!！?？()（）\U0001F000-\U0001FAFF\u2600-\u27BF]|(?<!\bCo)(?<!\bInc)(?<!\bLtd)(?<!\bCorp)\.(?=\s|$)|\s+(?:reason|for|until|till|after|in|because|deal|account|to|with|at|on|reminders?|notifications?|alerts?|nudges?|pings?|today|yesterday|tonight|this\s+(?:morning|afternoon|week)|last\s+week|they|we|he|she|it|who|which|since|as|but|so|and)\b|原因|因为|\s*[¥￥$]?\d|"
        r"[零一二两三四五六七八九十百千点]+(?:个)?(?:万|亿)|[一二两三四五六七八九十半几]+\s*(?:个)?(?:天|周|星期|礼拜|月)|(?<=[a-zA-Z])\s*[\u3400-\u9fff]|(?<=[\u3400-\u9fff])\s(?![\u3400-\u9fff]{2,6}(?:\s*[,，。;；]|\s+[¥￥$]?\d|\s*$)|(?!(?:reason|for|until|till|after|in|because|deal|account|to|with|at|on|reminders?|notifications?|alerts?|nudges?|pings?|today|yesterday|tonight|this|last|they|we|he|she|it|who|which|since|as|but|so|and|lost|won|signed|closed|of)\b)[a-z][a-z ]{1,30}(?:\s*[,，。;；]|\s*$))|\s+-\s+|→|->|"
        r"签约|签了|签下|成交|赢单|拿下|中标|搞定|丢单|输单|丢了|黄了|飞单|没拿下|没签成|那单|那單|的单子|那个",
        s[i:],
        re.IGNORECASE,
    )
    j = i + (stop.start() if stop else len(s) - i)
    i, j = clean_span(s, i, j)
    # 拿下X冷库项目 合同九十六万: the money words after the name are not the deal
    mm = re.compile(r"\s*(?:合同|合同额|合同金额|合同价|金额|总价|总额)\s*$").search(s, i + 2, j)
    if mm:
        i, j = clean_span(s, i, mm.start())
    val = text_without(m, i, j).strip()
    # (这单先别提醒我了: the rep, the object of the reminder, names no deal)
    if not val or _BARE_DEAL_RE.fullmatch(m.s[i:j].strip()) or m.s[i:j].strip() in PRONOUNS or re.fullmatch(r"[我你他她它]们?", m.s[i:j].strip()) \
            or len(re.sub(r"\W", "", val)) < 2:
        return None
    return val


def deal_word(m: Msg, start: int = 0):
    """The first deal word (那单 / 的单子 / 那个项目 / 那个 deal) at or after ``start``."""
    for dm in DEAL_WORD_RE.finditer(m.s, start):
        if dm.start() - start < 2:
            continue
        return dm
    return None


# ---------------------------------------------------------------- activity / follow-up

_PREP_RE = re.compile(
    r"(?:去|到|再)?(?:拜访|回访|拜会|走访|见)(?:完了|完|了|过)?(?:一下)?|跟进了?(?:一下)?|回(?=[^，,。]{2,16}?电话)|(?<![话了])问一下|续签|续约|跟|和|(?<![合共相不])同|与|(?:给|交|送|发|寄|递)到了?|给了?|(?<![还正都也说])在|从|(?:去|跑|来|到)了?(?:(?:一|1)?趟|一[下次])|去了?|到(?!期|货|账|帐|款|位|点|手)|约了?|陪同|陪着|陪|带着|带|请了|请|联系|找"
    r"|\b(?:at|to|for|from|of|with|visit(?:ed)?|call(?:ed)?|email(?:ed)?|meet|met|see|saw|ping|send|sent|follow[\s-]?up(?:\s+(?:with|on))?)\s+",
    re.IGNORECASE,
)
_VERB_CUT_RE = re.compile(
    r"的|那边|那单|这边|那里|出来|跟|打|发|开|聊|谈|确认|沟通|参观|交流|现场|看|送|寄|讨论|对接|报价|做|签|面谈|吃|视频|演示|汇报|"
    r"勘察|调试|安装|培训|测试|拜访|回访|去|约|了|过|说|问|提|回来|商量|介绍|碰|见|催|要|一起|开会|电话|确定|落实|跟进|通了|通电话|通个|"
    r"检修|维修|抢修|保养|巡检|清洗|消杀|改造|续(?=约|签|费|保|租)|"
    r"签|聊|吃饭|喝茶|确认|把|将(?=[^，,。]{1,12}?(?:发|给|交|送|过|改|定|签|报))|装了|安装|测了|量了|试了|试菜|试用|试机|拿|找|参加|参与|出席|对一下|对下|对账|核对|准备|打算|计划|讲|他们|她们|那个|这个"
    r"|[\u4e00-\u9fff](?=了[^，,。!！?？\s])"  # 搭了 / 领了: a character before 了 is a verb, the name ends before it
    # 去派宠宠物医院收资料 / 去X收第二笔款: collecting something ends the name
    r"|收(?!款[机台箱])(?=[^，,。\s]{0,4}?(?:资料|款|[订定押租]金|保证金|钱|货|合同|样品|样机|发票|支票|汇票|回执|订单|单据|材料))|收取|收集"
    # measuring a site (量尺寸 / 量完 / 复尺 / 勘测): the errand, not the name
    r"|量(?=完|尺寸|尺|房|一下|现场)|复尺|测量|勘测|踩点"
    r"|出(?=方案|报价|图纸|图|样品|样|标书|合同|清单)"
    r"|回(?=电话|个电话|电|复|消息|信|访)|交(?=机|车|货|付)|"  # 给X赵玉林回电话 / 去X交机
    # handing documents over (去X递标书 / 去X交资料 / 提交 / 投递)
    r"递交|提交|投递|(?<!快)递|交(?=标书|资料|文件|材料|方案|报价|保证金)|"
    # 康美口腔三家门店 / X两个校区: a count after the name is of its sites, the name ends before it
    r"(?<=[\u4e00-\u9fff]{2})(?=(?:[一二两三四五六七八九十几]|\d)+(?:家|个|间|所)(?:门店|分店|店|工厂|厂|医院|诊所|校区|仓库|基地|网点|车间))"
    # 去梁溪贝齿给他们装机: 给 before a pronoun starts the errand, whatever the name ends with
    r"|给(?=他们|她们|人家|[他她](?![们]?[\u4e00-\u9fff]{0,1}[司厂]))"
    r"|验收|领取|招标文件|标书|合同|协议|发票|订单|项目(?![管经部])|(?<=[局厂院校社])(?=\d)|(?<=[局院校社司团场])(?=[跟和与给去到带在])"  # 北仑职高验收… / 西海岸教体局12个校区…
)
# One-character actions done at a customer's place (装 / 交 / 收 / 量 / 提): after a company ending they start the errand.
_ACTION_CHAR_RE = re.compile(r"[装交收送拿取提看量测修换领接查验签催讲谈聊做调试培出]")
_EN_NAME_RE = re.compile(r"(?:[A-Z][A-Za-z0-9&'.-]*)(?:\s+(?:[A-Z][A-Za-z0-9&'.-]*|&|of|and))*")
_EN_SKIP = {
    "i", "we", "they", "he", "she", "the", "a", "an", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "today", "tomorrow", "next", "had",
    "met", "remind", "send", "call", "email", "snooze", "mute", "new", "lead", "update", "ok", "also", "then",
    "am", "pm", "ceo", "cto", "cfo", "vp",
    # a verb opening an English note (Visited X / Sent X the deck) is no part of the name
    "visited", "sent", "called", "emailed", "demoed", "presented", "showed", "walked", "gave", "mailed",
    "shipped", "delivered", "pinged", "phoned", "texted", "discussed", "reviewed", "toured", "stopped", "dropped",
    "went", "swung", "handed", "called", "met", "visit",
    # an imperative opening a follow-up (Follow up with X / Check in with X)
    "follow", "check", "ping", "meet", "chase", "contact", "reach", "schedule", "book", "arrange", "confirm", "set",
}


_EN_LOWER_PREPS = {"with", "at", "visited", "visit", "called", "call", "met", "meet", "emailed", "email", "ping"}
_EN_STOP = {
    "this", "that", "these", "they", "them", "their", "we", "us", "our", "he", "she", "his", "her", "it", "about", "on",
    "at", "in", "for", "to", "and", "but", "so", "yesterday", "today", "tonight", "morning", "afternoon", "again",
    "re", "regarding", "with", "from", "of", "by", "who", "which", "team", "guys", "folks", "people", "earlier", "last", "just", "my", "your",
}


# 把方案和报价发给X / 把招标文件领回来: the object of 把 is a thing, never the customer.
_BA_OBJECT_RE = re.compile(r"把([^，,。把]{1,20}?)(?:发给|交给|送给|寄给|给|发|交|送|寄|讲|带|拿|领|传)")
# (带X的钟主任去看… / 带X的人去参观…: the customer's people are brought, to see something — the customer is X)
_CARRY_OBJECT_RE = re.compile(
    r"带(?:着|上|了)?([^，,。带的人]{1,12}?)(?:去|到|来)(?!我们|我司|咱们|公司|厂里|展厅|样板|店里|看|参观|考察|体验|试|了)(?=[\u4e00-\u9fffA-Za-z]{2})")
# A person named only by a role (工程师 / 院长 / 采购经理): never the deal.
_ROLE_ONLY_RE = re.compile(
    "(?:[\u3400-\u9fff]{0,3})(?:" + "|".join(sorted((re.escape(w) for w in TITLE_ENDINGS if len(w) >= 2), key=len, reverse=True)) + ")"
)
_ROLE_END_RE = re.compile(
    "(?:" + "|".join(sorted((re.escape(w) for w in TITLE_ENDINGS if len(w) >= 2), key=len, reverse=True)) + ")$"
)
_OPENING_OWNER_RE = re.compile(
    r"(?:准备|整理|打印|提交|写|修改|改|盖章|看|审)?([\u3400-\u9fffA-Za-z0-9]{2,14}?)的"
    r"(?:招标文件|投标文件|标书|方案书?|报价单?|合同|资料|样品|图纸|需求|PO|订单|技术协议|测试报告|反馈|回复|意见|采购申请|预算)"
)
# A department (物流部 / 设备科 / 技术中心的): never the deal.
_DEPT_RE = re.compile(rf"(?:{DEPARTMENT_WORDS})(?:部|科|处|室|课|组|车间|部门)(?:的)?")
# The customer's side named by its role (院方 / 校方 / 甲方 / 业主 / 厂里), never a customer name.
_SIDE_RE = re.compile(r"(?:院|校|厂|甲|乙|买|卖|业主|客户|用户|使用|建设|投资|采购)方|业主|院里|厂里|校里|所里|局里|公司里|领导|老板|对方")


def _entity_at(s: str, i: int) -> tuple[int, int] | None:
    """A company-like name starting at s[i] (Chinese), cut before people, verbs and 的."""
    # (碰到了金鹰商场的葛总: the 了 of the verb before the preposition is no part of the name)
    lm = re.match(r"(?:(?:去|到|再)?(?:拜访|回访|拜会|走访|见)(?:完了|完|了)?|跟进|了?(?:一|1)?趟|了?一[下次]|了(?![解结])(?=[\u4e00-\u9fff]{2}))+", s[i:])
    if lm:
        i += lm.end()
    run = _CJK_RUN.match(s, i)
    if run and re.match(r"已(?:经)?", s[i:]):
        return None  # 多久到 已答复: what was already done names no customer
    if run and re.match(r"(?:答复|回复|反馈|意见|结果|消息|回音|回话|准信|说法|交代)(?![\u4e00-\u9fff]{0,6}(?:公司|集团|厂|中心|医院))", s[i:]):
        return None  # 客户说下周给答复: what is given (a reply, a result) is no customer
    if not run or s[i] == "的":  # 润和的方案书: 和 was part of the name before it, not a preposition
        return None
    # 去看了南宁的… / 带去做了… : a verb that is done (看了 / 聊过) opens no name
    if re.match(r"[看做聊谈听试测量讲开发送见吃逛转催问收拿取签跑]+(?:了|过|完|一下)", s[i:]):
        return None
    # 跑了三家化工厂 / 见了几个客户: a count of places names no one customer
    if re.match(r"(?:[一二两三四五六七八九十几好多\d]+|这几|那几)(?:家|个|间|所|处)", s[i:]):
        return None
    j = run.end()
    # people: 刘总 / 赵工
    for hm in SURNAME_HON_RE.finditer(s, i + 2, min(len(s), j + 6)):
        if hm.start() >= j:  # (黄sir: the form of address runs past the Chinese characters)
            break
        j = hm.start()
        # 运输公司马经理: a compound surname (司马) that begins inside a company ending is the ending's and a surname
        if SUFFIX_RE.search(s[max(i, j - 6):j + 1]) and re.search(rf"(?:{SUFFIX_RE.pattern})$", s[i:j + 1]):
            j += 1
        break
    vm = None
    for vm in _VERB_CUT_RE.finditer(s, i + 2):
        if vm.start() >= j:
            vm = None
            break
        # 渝航轨交车辆段开了会: a "verb" right before a site of the customer's (车辆段 / 厂房) belongs to the name
        # (only a verb read from what follows it: 交(?=车) / 回(?=电) / 收(?=…))
        if vm.group(0) in ("交", "回", "收") and _SITE_RE.match(s, vm.end()) and _SITE_RE.match(s, vm.end()).end() <= j:
            continue
        # 永安公交 / 通达交运: the "verb" is inside a company ending that closes the name
        if any(sm.start() <= vm.start() < sm.end() and sm.end() - sm.start() >= 2 for sm in SUFFIX_RE.finditer(s, max(i, vm.start() - 4), min(j, vm.end() + 4))):
            continue
        # 鹤溪城发的陶工 / 鹤溪城发陶工: a "verb" followed by 的 or a person ends the name, it is no verb
        if len(vm.group(0)) == 1 and vm.group(0) not in "的见找约问催做写出跟" and (
                s[vm.end():vm.end() + 1] == "的" or SURNAME_HON_RE.match(s, vm.end())) and not (
                vm.group(0) in "跟和与给" and re.search(r"[局院校社司团场厂]$", s[i:vm.start()])):
            continue  # (岳麓区教育局跟肖科长: after an organisation's ending, 跟 joins the person, it ends the name)
        break
    else:
        vm = None
    if vm:
        j = _org_head_past_verb(s, i, vm.start(), run.end())
    # 华山湖湿地尾款还差四十万没付: money words after the name end it
    mm = _MONEY_CUT_RE.search(s, i + 2, j)
    if mm and mm.start() - i >= 2 and not mm.group(0)[:1].isdigit():
        j = mm.start()
    # 在金鸡湖生物医药给中层做了…: a preposition right after a company ending starts the next phrase;
    # 去顺兴达车队装第一批… / 去冰城环卫交第一批货 / 去桃园航空货运收支票: so does a one-character action verb,
    # unless the words after it end as a company does (物流交易中心)
    for sm in SUFFIX_RE.finditer(s, i + 1, j):
        if sm.end() - i >= 2 and sm.end() < j and (re.match(r"[给跟和与去到带在向对]", s[sm.end():sm.end() + 1]) or (
                sm.end() - i >= 3 and _ACTION_CHAR_RE.match(s, sm.end())
                and not re.search(rf"(?:{SUFFIX_RE.pattern})$", s[sm.end():j]))):
            j = sm.end()
            break
    # 安顺物流调度主管老彭说…: a role right after a company ending is its person's, the name ends there
    for sm in SUFFIX_RE.finditer(s, i + 1, j):
        rm = _ROLE_ONLY_RE.match(s, sm.end())
        if sm.end() - i >= 3 and rm and rm.end() <= run.end() and re.match(rf"[老小]?(?:{SURNAME_ALT})", s[rm.end():rm.end() + 2]):
            j = sm.end()
            break
    # a full name right after a company suffix: 禾丰农业马骏 / 鸿运五金吴国栋
    best = None
    for sm in SUFFIX_RE.finditer(s, i + 1, j):
        rest = j - sm.end()
        # (嘉兴港区石化 / 南海湾新区管委会: a rest that is itself a company ending is the name's, no person)
        if 2 <= rest <= 3 and re.match(SURNAME_ALT, s[sm.end():j]) and not any(len(x.group(0)) >= 2 for x in SUFFIX_RE.finditer(s, sm.end(), j)):
            best = sm.end()
    if best:
        j = best
    # 把合同草稿给蓝鲸科技法务 / X采购部: a department right after a company ending is the customer's people
    for sm in SUFFIX_RE.finditer(s, i + 1, j):
        if sm.end() - i >= 3 and sm.end() < j and re.fullmatch(rf"(?:{DEPARTMENT_WORDS})(?:部|科|处|室|组|部门)?(?:的)?", s[sm.end():j]) \
                and not SUFFIX_RE.fullmatch(s, sm.end(), j):
            j = sm.end()
            break
    # 高原牧歌中央厨房 → 高原牧歌; a visit to 门店 names no customer
    if _SITE_RE.match(s, i):
        return None
    for sm in _SITE_RE.finditer(s, i + 2, j):
        if sm.end() != j:
            continue
        # a site word that is also a company ending (…门店, …车间) stays after a short name
        if not SUFFIX_RE.fullmatch(sm.group(0)) or sm.start() - i >= 3:
            j = sm.start()
            # 海正药业动力车间: the department the site belongs to goes with it
            dm = re.search(rf"(?:{DEPARTMENT_WORDS})$", s[i:j])
            if dm and dm.start() >= 2:
                j = i + dm.start()
        break
    # 跟东湖宾馆总经理吃饭 / 去光明乳业采购总监那里: a rank glued after the name is the customer's person
    rk = re.search(r"(?:(?:" + DEPARTMENT_WORDS + r")(?:部|科|处)?)?(?:副总经理|总经理|经理|总监|主任|主管|董事长|厂长|院长|校长|局长|处长|科长|部长|老板|老总|总裁|店长)$", s[i:j])
    if rk and rk.start() >= 2:
        j = i + rk.start()
    # 给蜀香园何志强回个电话 / 跟安踏洪志伟开了个会: a full name glued after a short name with no ending of its own,
    # the errand right after it, is the customer's person
    if 5 <= j - i <= 7 and not SUFFIX_RE.search(s, i, j) and re.match(SURNAME_ALT, s[j - 3]) \
            and not re.match(SURNAME_ALT, s[j - 4]) and not re.search(r"[业司厂店园馆城场院心所站楼厦庄村镇区港湾山河湖路街]", s[j - 2:j]) \
            and re.match(r"(?:回|打|开|说|发|来|约|聊|谈|通|见|讲|问|吃|对|过|视频)", s[j:j + 2]):
        j -= 3
    if j - i < 2:
        return None
    # 拜访了那个金山区的华谊化工他们…: a place before 的 describes the company named after it
    if s[j:j + 1] == "的" and not SUFFIX_RE.search(s, i, j) and _PLACE_RE.fullmatch(s, i, j):
        nxt = _entity_at(s, j + 1)
        if nxt and re.search(rf"(?:{SUFFIX_RE.pattern})$", s[nxt[0]:nxt[1]]) and nxt[1] - nxt[0] >= 3:
            return nxt
    name = s[i:j]
    if name in PRONOUNS or any(name.startswith(p) for p in ("他们", "她们", "客户", "我们", "你", "您", "我", "他", "她")):
        return None
    if _SIDE_RE.fullmatch(name):  # 院方 / 甲方 / 厂里: the customer's side, named by a role
        return None
    return i, j


_ORG_HEAD_RE = re.compile("|".join(sorted(map(re.escape, ORG_HEAD_ENDINGS), key=len, reverse=True)))


_FACTORY_END_RE = re.compile(r"(?:厂|工厂|制造厂|加工厂)(?![房区长])")


def _org_head_past_verb(s: str, i: int, j: int, run_end: int) -> int:
    """洪泽湖农业开发集团: a "verb" (开) inside a name that an organisation's ending closes a few characters on."""
    om = _ORG_HEAD_RE.search(s, j, min(run_end, j + 6)) or _FACTORY_END_RE.search(s, j, min(run_end, j + 4))  # 正祥开关厂
    # 丹徒经开区 / 滨海开发区: the "verb" is inside the organisation's ending itself
    for im in _ORG_HEAD_RE.finditer(s, max(i + 1, j - 3), min(run_end, j + 4)):
        if im.start() <= j < im.end():
            return im.end()
    if re.match(r"[去到跟和同与给找见约在从带拜回送寄发交]", s[j:j + 1]):
        return j  # 无人机去原阳农业局: a motion or a preposition starts the next phrase
    if om and not re.search(r"[了的过]|那|这", s[j:om.start()]):
        return om.end()
    return j


def _en_entity(s: str, i: int) -> tuple[int, int] | None:
    nm = _EN_NAME_RE.match(s, i)
    if not nm:
        return None
    # Visited Norvale's plant / Sent Halvorsen the deck: the opening verb is no part of the name
    vm = re.match(r"([A-Za-z]+)(?:\s+(?:by|off|at|to|with|in|on|over|through|around|the))?\s+(?=[A-Z])", s[i:])
    if vm and vm.group(1).lower() in _EN_SKIP and vm.group(1).lower() not in ("the", "a", "an"):
        return _en_entity(s, i + vm.end())
    pm = re.search(r"['’]s\b|(?<=s)['’](?!\w)", nm.group(0))  # Harwick's / Freshway Foods'
    if pm:  # Harwick's CFO: the owner is the name
        return (i, i + pm.start()) if pm.start() >= 2 else None
    words = nm.group(0).split()
    # drop trailing day/time words (Friday) and lower-case joiners
    while words and (words[-1].lower() in _EN_SKIP or words[-1] in ("of", "and", "&") or words[-1] in DOC_ACRONYMS):
        words.pop()
    if not words or words[0].lower() in _EN_SKIP:
        return None
    text = " ".join(words)
    return i, i + len(text) if s[i:i + len(text)] == text else nm.end()


_OPEN_TIME_RE = re.compile(
    r"(?:\s|[,，]|今天|今早|今晚|昨天|昨晚|前天|上午|下午|中午|晚上|早上|刚才|刚刚|刚|"
    r"上(?:个)?(?:周|星期|礼拜)[一二三四五六日天1-7]?|上个?月|前几天|前两天|上次|上回)+"
)


_FULL_NAME_AFTER_DE_RE = re.compile(rf"(?<=的)(?:{SURNAME_ALT})[{CJK}]{{1,2}}?(?=打|来|说|发|回|问|讲|表示|反馈|约)")


_ROLE_AFTER_DE_RE = re.compile(
    "(?<=的)[\u4e00-\u9fff]{0,4}?(?:" + "|".join(sorted((re.escape(w) for w in TITLE_ENDINGS if len(w) >= 2), key=len, reverse=True)) + ")"
    "(?=今天|昨天|刚刚?|刚才|上午|下午|早上|晚上|来|打|说|问|发|回|约|讲|表示|反馈|让|要)")


def _opening_before_person(s: str, i: int) -> tuple[int, int] | None:
    tm = _OPEN_TIME_RE.match(s, i)
    if tm:
        i = tm.end()
    run = _CJK_RUN.match(s, i)
    if not run or _PREP_RE.match(s, i):  # 跟X的赵工 / 陪X胡经理: the preposition's own candidate
        return None
    hm = SURNAME_HON_RE.search(s, i + 2, run.end())
    # (东湖宾馆的客房经理: a role after 的 holds a surname-and-title look-alike, 房经理, which is no person)
    rm = _ROLE_AFTER_DE_RE.search(s, i + 3, min(run.end(), i + 20))
    if rm and hm and rm.start() <= hm.start() < rm.end():
        hm = rm
    if not hm or hm.start() - i > 12:
        # 崂山矿泉水的王海涛打电话说…: the customer's person by full name, after 的, then what they did
        hm = _FULL_NAME_AFTER_DE_RE.search(s, i + 3, min(run.end(), i + 16))
        # 东湖宾馆的客房经理今天来电话…: the customer's person by role, after 的, then what they did
        hm = hm or _ROLE_AFTER_DE_RE.search(s, i + 3, min(run.end(), i + 20))
        if not hm:
            return None
    j = hm.start()
    if s[j - 1] == "的":
        j -= 1
    dm = re.search(rf"(?:{DEPARTMENT_WORDS})(?:部|科|处|室|课|组|车间|部门)$", s[i:j])
    if dm and dm.start() >= 2:  # 恒力机械技术部钱工: the department goes with the person
        j = i + dm.start()
    name = s[i:j]
    if len(name) < 2 or _VERB_CUT_RE.search(name) or _ROLE_ONLY_RE.fullmatch(name) or _SIDE_RE.fullmatch(name):
        return None
    if name in PRONOUNS or name in COLLEAGUE_WORDS or any(name.startswith(p) for p in ("他们", "她们", "客户", "我们", "你", "您", "我", "他", "她")):
        return None
    return i, j


_LABEL_NAME_RE = re.compile(rf"([{CJK}A-Za-z][{CJK}A-Za-z0-9&.\- ]{{1,19}}?)\s*[:：]\s*(?=\S)")
_LABEL_NOT_NAME = {"记录", "备注", "跟进", "拜访", "进展", "更新", "今天", "昨天", "提醒", "待办", "note", "notes", "update", "log",
                   "fyi", "todo", "reminder", "visit", "call", "meeting", "客户", "事项", "情况", "内容", "反馈", "结果"}


def activity_hint(m: Msg, masked: str) -> str | None:
    """The deal a visit / call / follow-up is about (拜访了顺和陶瓷刘总 → 顺和陶瓷)."""
    s = masked
    cands: list[tuple[int, int, int]] = []  # (priority, start, end)
    # 凯瑞化工那单报价发过去了: a name closed by a deal word is the deal, before any other candidate
    lead0 = strip_lead(s, 0, len(s))
    cm0 = _NOTE_CMD_RE.match(s, lead0)
    if cm0:
        lead0 = strip_lead(s, cm0.end(), len(s))
    dm = deal_word(m, lead0)
    if dm and re.match(r"那单|那單|的单子|的單子|的项目|那个项目|那个单子|那边|这边", dm.group(0)):
        tm = _OPEN_TIME_RE.match(s, lead0)  # 昨天青松林场那边…: the time words before the name are no part of it
        h = hint_before(m, tm.end() if tm and tm.end() < dm.start() else lead0, dm.start())
        if h and not re.search(r"[，,。]", h) and not (dm.group(0) in ("那边", "这边") and (re.search(r"[了过]|拜访", h) or re.match(r"去|到|跟|和|给|在", h))):
            return h
    # 华锐电机赵工来我们展厅… / 上周二立达汽配王总带人…: a name opening the message (after time words)
    # and followed by a person (surname + honorific) is the customer that person speaks for
    op = _opening_before_person(s, lead0)
    if op:
        cands.append((-0.5, *op))
    # Emailed Emma the spec sheet, Bayside: a lone name closing the note after a comma is its deal
    tm9 = re.search(r"[,，]\s*([A-Z][A-Za-z0-9&'.\-]*(?: [A-Z][A-Za-z0-9&'.\-]*){0,2})\s*[.。!！]?\s*$", s)
    if tm9 and tm9.group(1).split()[0].lower() not in _EN_SKIP and tm9.group(1).lower() not in _EN_STOP:
        cands.append((-0.7, *tm9.span(1)))
    # 腾龙芳烃：今天跟消防队黄队长过了一遍…: a name standing as the label of the note is its deal
    lm0 = _LABEL_NAME_RE.match(s, lead0)
    if lm0 and not _VERB_CUT_RE.search(lm0.group(1)) and not _OPEN_TIME_RE.match(lm0.group(1)) \
            and not _SIDE_RE.fullmatch(lm0.group(1)) and lm0.group(1).lower() not in _LABEL_NOT_NAME and lm0.group(1) not in PRONOUNS \
            and (re.match(f"[{CJK}]", lm0.group(1)) or re.fullmatch(r"[A-Z][A-Za-z0-9&.'\-]*(?: [A-Z][A-Za-z0-9&.'\-]*){0,3}", lm0.group(1))):
        cands.append((-0.8, *lm0.span(1)))
    # 瑞鑫精密五金的招标文件拿到了 / 润和的方案书收到了: an opening name owning a document
    tm0 = _OPEN_TIME_RE.match(s, lead0)
    od = _OPENING_OWNER_RE.match(s, tm0.end() if tm0 else lead0)
    if od and not _VERB_CUT_RE.search(od.group(1)) and not re.search(r"把|将|给|与|向|对|我们|我司", od.group(1)) \
            and not _DEPT_RE.match(od.group(1)) and od.group(1) not in PRONOUNS:
        cands.append((0.8 if SUFFIX_RE.search(od.group(1)) else 1.2, *od.span(1)))
    ba_spans = [bm.span(1) for bm in _BA_OBJECT_RE.finditer(s)]
    # 把中纺城的验收资料整理好 / 把X的合同寄出去: the owner of the thing handled is the customer
    for bm in re.finditer(r"把([\u4e00-\u9fffA-Za-z0-9]{2,12}?)的[^，,。把]{1,10}?(?:发|交|送|寄|递|整理|准备|打印|盖章|签|改|做|弄|搞|拿|带|给)", s):
        ow = bm.group(1)
        if ow not in PRONOUNS and not re.search(r"我|你|他|她|这|那|客户|对方|上次|之前", ow) and not _VERB_CUT_RE.search(ow) \
                and not re.search(r"(?:仪|机|器|柜|箱|泵|阀|车|表|系统|设备|产品|方案|报价|合同)$", ow):  # (把色谱仪的参数表…: a product owns it)
            cands.append((1.1, *bm.span(1)))  # (after a preposition's customer: 把…发给了X)
    # 带样机去仁和康复做演示 / 带JX-S60去X: what the rep brings along to a place is a thing, the place is the customer
    ba_spans += [cm.span(1) for cm in _CARRY_OBJECT_RE.finditer(s)]
    for pm in _PREP_RE.finditer(s):
        if pm.group(0) in ("和", "同", "与") and 0 < pm.start() - lead0 <= 2 and re.fullmatch(f"[{CJK}]+", s[lead0:pm.start()]) \
                and not _OPEN_TIME_RE.fullmatch(s, lead0, pm.start()):
            continue  # 佳和木业 / 永和 / 大同: a joiner one or two characters into the opening name is part of it
        if pm.group(0) in ("和", "同", "与") and pm.start() == lead0 and re.match(
                rf"[{CJK}]{{2,12}}?(?:{SUFFIX_RE.pattern})(?=\s|[，,:：]|已)", s[lead0:]):
            continue  # 和睦家医院 方案已发: the opening name itself starts with 和
        if pm.group(0) in ("和", "与", "同") and re.search(r"(?:发|寄|送|交|提交|准备|做)(?:了|过|好)[^，,。;；]*$", s[lead0:pm.start()]):
            continue  # 给Orion发了payroll SLA和数据安全说明: after a send verb, 和 joins the things sent
        k = pm.end()
        while k < len(s) and s[k] == " ":
            k += 1
        if k >= len(s):
            continue
        word = pm.group(0).strip().lower()
        if re.match(f"[{CJK}]", s[k]):
            if word.isascii():
                follow = bool(re.match(r"follow", word))
                span = _entity_at(s, k) if word in ("to", "with", "at", "for", "from", "visited", "met", "send", "sent") or follow else None
                # (demo'd the KT-300 at 滨江会展 / met 王总 at 华美: after at / with / met / sent, any Chinese name is the place)
                if span and (SUFFIX_RE.search(s, span[0], span[1]) or follow or word in ("at", "with", "met", "visited", "send", "sent")):
                    cands.append((0.5, *span))  # Sent the quotation to 启明星教育 Amy Xu / Follow up 大同 next Monday
                continue
            span = _entity_at(s, k)
            if span and any(a <= span[0] < b for a, b in ba_spans):
                continue
            if span and (s[span[0]:span[1]] in COLLEAGUE_WORDS or _DEPT_RE.match(s, span[0], span[1])):
                continue  # 和物流部韩经理: a department is the customer's people, not the customer
            if span and not _ROLE_ONLY_RE.fullmatch(s, span[0], span[1]):
                has_suffix = bool(SUFFIX_RE.search(s, span[0], span[1]))
                # 陪科尔沁草业的巴总去…: a name owning a person (X的巴总) is that person's customer
                owner = re.match(rf"的(?:{SURNAME_HON_RE.pattern})", s[span[1]:])
                cands.append((-0.2 if owner else 0 if has_suffix else 1, *span))
        elif s[k].islower() and s[k].isascii() and word in _EN_LOWER_PREPS and not re.search(r"[A-Z]", s):
            # all lower case (voice or quick typing): had a call with kestrel this morning
            wm = re.match(r"[a-z][a-z0-9&'-]*(?:\s+[a-z][a-z0-9&'-]*){0,2}", s[k:])
            words = []
            for w in wm.group(0).split():
                if w in _EN_SKIP or w in _EN_STOP:
                    break
                words.append(w)
            if words:
                text = " ".join(words)
                cands.append((2, k, k + len(text)))
        elif s[k].isupper():
            span = _en_entity(s, k)
            if span and any(a <= span[0] < b for a, b in ba_spans):
                continue  # 带JX-S60去…: a model brought along
            if span and not word.isascii():
                cands.append((0.5, *span))  # 给Orion发合同 / 跟Acme开会
            elif span:
                pri = 0 if word == "at" or EN_SUFFIX_RE.search(s[span[0]:span[1]]) else 0.5 if word in ("to", "for", "from", "of") else 2
                if len(s[span[0]:span[1]].split()) > 1:
                    pri = min(pri, 1)
                cands.append((pri, *span))
    # the message opens with a name followed by a space or comma (德钧新能源 陪客户参观了…)
    lead = strip_lead(s, 0, len(s))
    cm = _NOTE_CMD_RE.match(s, lead)
    if cm:
        lead = strip_lead(s, cm.end(), len(s))
    if lead < len(s) and s[lead].isascii() and s[lead].isupper():
        span = _en_entity(s, lead)  # Keller Foods said … / Northgate Mall: a capitalised name opens the message
        if span and span[1] - span[0] >= 2:
            cands.append((1.5, *span))
    om = re.match(rf"([{CJK}A-Za-z0-9&]{{2,20}})(?:\s+|[,，:：])", s[lead:])
    word = om.group(1) if om else ""
    cut = re.search(rf"的|项目(?![部组经管])|(?:{SURNAME_ALT})(?:总|工|经理|主任|老板)|要求|让我们|让我|希望|表示|反馈|催我们|催我", word[2:])
    if cut:  # 盛达物流的王总 / 华锐机电的招标文件我看完了: the opening name ends before 的 or a person
        word = word[:2 + cut.start()]
    mc = _MONEY_CUT_RE.search(word, 2)
    if mc:  # 金穗米业尾款还差八万: the money after the name is not the name
        word = word[:mc.start()]
    # 远航物流总经办主任 葛晓东 说…: a role glued after the organisation's name is the person's, not the deal's
    if _ROLE_END_RE.search(word):
        ends = [sm.end() for sm in SUFFIX_RE.finditer(word) if 2 <= sm.end() < len(word) - 1]
        if ends:
            word = word[:ends[-1]]
    # 瑞丰纺织下周一开标 提醒我…: a time word after a company's name ends it
    tw = re.search(r"(?:今天|明天|后天|昨天|[上下本这]周|下个?月|周[一二三四五六日天])", word)
    if tw and tw.start() >= 2 and re.search(rf"(?:{SUFFIX_RE.pattern})$", word[:tw.start()]):
        word = word[:tw.start()]
    if om and not re.search(r"今天|昨天|明天|刚|上午|下午|拜访|打|发|开了|记录|[了过]|[上下本这]周|周[一二三四五六日天]|[月号点]", word):
        if not word.isascii() or (word[0].isupper() and word.lower() not in _EN_SKIP):
            # 渝宠 已寄彩页和报价: a terse note, the name then what was already done
            done = re.match(r"\s+已", s[lead + len(word):]) and len(word) == len(om.group(1))
            # 七星农场 宋场长来店里… / 和润生物 施总监来…: the opening name, a space, then that customer's person
            person = len(word) == len(om.group(1)) and SURNAME_HON_RE.match(s, lead + om.end())
            # 港联码头安全培训第一期已经交付，…: a whole clause, not a name; an organisation opening it comes first
            clause = not person and not done and _VERB_CUT_RE.search(word, 2) and re.search(r"已|完|好", word)
            cands.append((-0.6 if person else 0.4 if done else 1.6 if clause else 1.5, lead, lead + len(word)))
    span = _opening_name_before_person(s, lead)
    if span:
        cands.append((1.5, *span))
    span = _opening_org(s, lead)
    if span:
        cands.append((1.5, *span))
    if not cands:
        # an English sentence: the first capitalised name that is not a verb or day
        for em in _EN_NAME_RE.finditer(s):
            span = _en_entity(s, em.start())
            if span and em.start() > 0:
                cands.append((3, *span))
                break
    if not cands:
        return None
    cands.sort(key=lambda c: (c[0], c[1]))
    for _, i, j in cands:
        i, j = clean_span(m.s, i, j)
        val = text_without(m, i, j).strip()
        if val and not SURNAME_HON_RE.fullmatch(m.s, i, j):  # 孟总下周三来…: a person alone names no deal
            return val
    return None


_OPENING_TIME_RE = re.compile(
    r"(?:今天|昨天|前天|刚才|刚刚|刚|上午|下午|晚上|中午|早上|又|已经|终于)*(?:完成了|做完了|搞定了)?(?:今天|上午|下午)*"
)


def _opening_org(s: str, lead: int) -> tuple[int, int] | None:
    """原阳农业局招标文件已领取 / 今天完成了西海岸教体局12个校区的… / 昨天横琴启航那边又要了…: the message opens
    (after time words) with an organisation's name or a name that 那边 closes."""
    k = _OPENING_TIME_RE.match(s, lead).end()
    span = _entity_at(s, k)
    if not span:
        return None
    a, b = span
    if SUFFIX_RE.search(s, a, b) and re.search(rf"(?:{SUFFIX_RE.pattern})$", s[a:b]) or s.startswith(("那边", "那單", "那单"), b):
        return span
    # 蓝海码头消防培训第二期已经交付: the organisation's ending, then what was delivered to it
    if _VERB_CUT_RE.match(s, b) and re.search(r"已|完|好", s[b:b + 12]):
        ends = [sm.end() for sm in SUFFIX_RE.finditer(s, a + 2, b) if sm.end() - a >= 4]
        if ends:
            return a, ends[-1]
    return None


def _opening_name_before_person(s: str, lead: int) -> tuple[int, int] | None:
    """东坡农业局罗科长说… / 德胜实验学校梁主任说…: the message opens with a name that a person closes."""
    om = re.match(rf"[{CJK}]{{2,12}}?(?={SURNAME_HON_RE.pattern})", s[lead:])
    if not om or re.search(r"[了过的]|今天|昨天|明天|刚|上午|下午|跟|和|给|去|在", om.group(0)):
        return None
    return lead, lead + om.end()


# ---------------------------------------------------------------- note / reason / query

_NOTE_CMD_RE = re.compile(
    r"帮我记一下|帮我记录一下|记一笔\s*[:：]?|记录一下|记一下|记录\s*[:：]|(?<![\u3400-\u9fff])记录(?![\u3400-\u9fff]*[仪表册簿本])|备注\s*[:：]?|记个|提醒我一下|提醒一下|提醒我|记得|别忘了|不要忘了|待办\s*[:：]?"
    r"|\bremind me to\b|\bremind me\b|\bnote\s*:|\blog\s*:|\bto-?do\s*:",
    re.IGNORECASE,
)
_LEAD_NOTE_FILLER_RE = re.compile(r"^(?:[\s,.;:!?]+|那个|就是|哎呀|唉|哎|嗯|呃|然后|呢|啊(?![\u4e00-\u9fff]{0,1}[了的]))+")  # (明天上午十点啊跟X…: 啊 left leading once the time went)


def build_note(m: Msg, drop_spans: list[tuple[int, int]] = ()) -> str | None:
    s = m.s
    keep = [True] * len(s)
    for a, b in drop_spans:
        for k in range(a, b):
            keep[k] = False
    for cm in _NOTE_CMD_RE.finditer(s):
        for k in range(cm.start(), cm.end()):
            keep[k] = False
    for k, ch in enumerate(s):
        if ch in "嗯呃":
            keep[k] = False
    # leading fillers of what remains
    idx = [k for k in range(len(s)) if keep[k]]
    rest = "".join(s[k] for k in idx)
    lm = _LEAD_NOTE_FILLER_RE.match(rest)
    if lm:
        for k in idx[: lm.end()]:
            keep[k] = False
    # English: "at"/"on" left dangling before a removed time
    out = "".join(m.orig[k] for k in range(len(s)) if keep[k])
    out = re.sub(r"\s+(?:at|on|by)\s*$", "", out.strip(), flags=re.IGNORECASE)
    # remind me tomorrow 9am to send X…: the "to" of the command, left alone once the time went
    if re.search(r"\bremind me\b", s, re.IGNORECASE):
        out = re.sub(r"^(?:to|that i should)\s+", "", out.strip(), flags=re.IGNORECASE)
    out = re.sub(r"\s{2,}", " ", out)
    out = out.strip(" \t,，;；:：")
    return out or None


def _mid_sentence_because(s: str, pos: int, lm) -> bool:
    """An English "because" after words of the cause (not a label opening it)."""
    if not re.match(r"because\b", lm.group(0), re.IGNORECASE):
        return False
    return bool(re.search(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}", s[pos:lm.start()]))


def reason_after(m: Msg, pos: int, label_from: int = 0) -> str | None:
    """The cause after ``pos`` (丢单了，客户选了… → 客户选了…), minus labels such as 原因：."""
    from bot.intents.cues import REASON_LABEL_RE

    s = m.s
    lm = REASON_LABEL_RE.search(s, max(label_from, 0))
    if lm and _mid_sentence_because(s, pos, lm):
        lm = None  # they chose Seewo because of price: "because" inside the cause is no label
    if lm and lm.start() >= label_from:
        i = lm.end()
    else:
        i = pos
        sm = re.match(r"(?:\s|[,.;:!?，。；：！？\-—]|了|啦|呀|吧|啊|哈|嗯|呃)*", s[i:])
        i += sm.end()
    j = len(s)
    while j > i and s[j - 1] in " \t.。!！~":
        j -= 1
    if j - i < 2:
        return None
    return text_without(m, i, j).strip() or None


_QUERY_PREFIX_RE = re.compile(
    r"^(?:帮我|麻烦|请)?(?:问一下|问下|请问)?[\s,，]*(?:看下|查一下|查下|查查|查询一下|查询|找一下|找下|找找|搜一下|搜下|搜搜|搜索|看一下|看看)?(?:知识库|资料库)?(?:里|中|里面)?(?:有没有|有)?(?:关于)?\s*"
    r"|^(?:search(?:\s+for)?|look\s+up|find)\s+",
    re.IGNORECASE,
)
_QUERY_SUFFIX_RE = re.compile(r"(?:[,，\s]*(?:帮我|麻烦)?(?:查一下|查下|查查|找一下|找下|搜一下|搜下)[吧啊呀]?)\s*[。.!！]?$")


def build_query(m: Msg) -> str | None:
    s = m.s
    i = 0
    while True:
        lm = re.match(r"^(?:[\s,]+|嗯|呃|那个|就是|唉|哎|额)", s[i:])
        if not lm or lm.end() == 0:
            break
        i += lm.end()
    j = len(s)
    sm = _QUERY_SUFFIX_RE.search(s, i)
    if sm:
        j = sm.start()
    # 知识库里有X的资料吗 → X
    km = re.match(r"(?:帮我)?(?:查一下|查查|看看)?(?:知识库|资料库)(?:里|中|里面)?(?:有没有|有)(?:关于)?(.+?)(?:的|相关的?)?(?:资料|文档|文件|材料|内容|文章|手册|说明)(?:吗|么|没有)?[?？]?$", s[i:j])
    km2 = None if km else re.match(r"(?:帮我)?(?:查一下|查查|看看)?(?:知识库|资料库)(?:里|中|里面)?(?:有没有|有)(?:关于)?(.+?)(?:吗|么|没有)?[?？]?$", s[i:j])
    if km:
        i, j = i + km.start(1), i + km.end(1)
    elif km2:
        i, j = i + km2.start(1), i + km2.end(1)
    else:
        pm = re.match(r"(?:帮我|麻烦|请)?(?:问一下|问下|请问)?[\s,，]*(?:看下|查一下|查下|查查|查询一下|找一下|找下|找找|搜一下|搜下|搜搜)|(?:帮我|麻烦)?(?:问一下|问下|请问)(?=[\s,，])|(?:search(?:\s+for)?|look\s+up)\s+", s[i:j], re.IGNORECASE)
        if pm:
            i += pm.end()
    while i < j and s[i] in " ,:：，":
        i += 1
    val = m.orig[i:j].strip()
    return val or None

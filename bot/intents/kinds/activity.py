"""log_activity (something already done) and schedule_followup (a future action with a time).

Evidence read from the context: an activity verb (拜访 / 打了电话 / sent …), past markers (了 / 过 /
刚), time words in the past (上周二 / 昨天: ``lexicon.PAST_TIME_WORDS`` — what they date was done,
so they make no due), a due time in the future (``dates.find_due``), a reminder word (提醒我), and
a future that is only reported (通完电话他说下周要来 / 他们的招标文件下周出 — the customer's plan,
not the rep's next step).
"""

from __future__ import annotations

import re

from bot.intents import cues as C
from bot.intents.lexicon import TITLE_ENDINGS
from bot.intents.deals import activity_hint, build_note
from bot.intents.registry import register

# Someone else's plan after a done activity: 他说 / 客户表示 / 他们的…
_REPORTER_RE = re.compile(r"(?:说|表示|讲|提到|答应|反馈|回复|告诉我|\bsaid\b|\btold (?:me|us)\b)[^，,。]{0,12}$", re.IGNORECASE)
# 客户说下周一签 / Keller Foods said they will sign: what the customer said, reported by the rep
_REPORTED_RE = re.compile(
    r"(?:客户|对方|他们|她们|他|她|甲方|老板|领导|院方|厂方)(?:那边)?(?:说|表示|反馈|答应|回复)|\b(?:said|told (?:me|us))\b"
    # 华谊化工说下周一签合同 / X那边表示…: the customer organisation itself as the speaker
    rf"|^[\u3400-\u9fff]{{2,12}}?(?:{C.SUFFIX_ALT})(?:那边)?(?:说|表示|反馈|答应|回复|通知)"
    # 中纺城那边说方案要下个月才能定: any customer name with 那边 as the speaker
    r"|^[\u3400-\u9fffA-Za-z]{2,12}?(?:那边|那儿|那里)(?:说|表示|反馈|答应|回复|通知)", re.IGNORECASE
)
_REL_PERIOD_RE = re.compile(r"(?:下个?月|这个?月|本月|下下周|下周|这周|本周|下个?星期|下个?礼拜|next month|next week)\s*$", re.IGNORECASE)
_NOTE_CMD_RE = re.compile(r"(?:帮我)?(?:记录|记一下|记个|备注|note|log)\s*(?:一下)?\s*[:：]", re.IGNORECASE)
_THIRD_PARTY_RE = re.compile(
    r"他们|她们|客户|对方|甲方|业主|领导|老板|院方|厂方|\bthey\b|\bthe customer\b"
    # …, she wants a quote by Friday / 他希望周五前拿到报价: a person of theirs wishing is their plan
    r"|\b(?:she|he|the client|client)\s+(?:wants|needs|asked for|expects|would like)\b|(?<![其])[他她](?:要|想|希望|需要|让我们)",
    re.IGNORECASE,
)


# A named person of the customer's (于部长 / 梁主任) who said something: the rep reports it.
_PERSON_SAID_RE = re.compile(
    rf"(?:{C.SURNAME_ALT})(?:{C.HON_ALT})(?:那边)?(?:说|表示|反馈|答应|回复|讲)"
    # 总经办主任 葛晓东 说下个月招标: a role, then the full name, then what they said
    rf"|(?:{'|'.join(TITLE_ENDINGS)})\s*(?:{C.SURNAME_ALT})[\u3400-\u9fff]{{1,2}}\s*(?:说|表示|反馈|答应|回复|讲)"
    # 车队长老周说…: 老 / 小 + surname is a person too
    rf"|[老小](?:{C.SURNAME_ALT})(?:说|表示|反馈|答应|回复|讲)"
)


def _person_reported(ctx) -> bool:
    return bool(_PERSON_SAID_RE.search(ctx.s))


def _reported_future(ctx) -> bool:
    s, due, act = ctx.s, ctx.future_due, ctx.act
    if not (act and due) or ctx.remind:
        return False
    # the first time word still ahead (this morning is the visit's, by Friday the plan's)
    past = [m.span() for m in C.PAST_TIME_RE.finditer(s)] if ctx.past_time else []
    ahead = [a for a, b in due.spans if not any(a < pe and ps < b for ps, pe in past)]
    d0 = ahead[0] if ahead else due.spans[0][0]
    if act.end() > d0 or not C.PAST_RE.search(s, 0, d0):
        return False
    if _REPORTER_RE.search(s[:d0]):
        return True
    # 招标文件已经买了，标书下周二前要交: a deadline (X前要交 / 之前得定下来; 前要把X交上去 is the rep's own next step) stated after the news is what must happen by then,
    # recorded with it; a reminder is asked with 提醒 (handled above)
    if any(re.match(r"\s*(?:之前|以前|前)(?:要|得|需要|必须|务必)(?!把|将|给|去|帮|跟|和)", s[b:]) for a, b in due.spans):
        return True
    # 刚跟X通了电话 他们的招标文件下周出: a third party is the subject of the future clause
    return bool(_THIRD_PARTY_RE.search(s, act.end(), d0)) and not C.FUTURE_ACTION_RE.search(s, d0)


def _fields(ctx, intent: str) -> dict:
    s = ctx.s
    out: dict = {}
    drop = []
    due = ctx.future_due
    if intent == "schedule_followup" and due:
        # 周五前把报价发过去: a deadline's 前 / 之前 goes with the time words
        drop = [(a, b + (bm.end() if (bm := re.match(r"(?:之前|以前|前)(?![天年])", s[b:])) else 0))
                for a, b in due.spans]
        # 下个月5号: the month or week word before the day goes with the time words
        drop = [(a - (pm.end() - pm.start()) if (pm := _REL_PERIOD_RE.search(s, 0, a)) else a, b) for a, b in drop]
    masked = list(s)
    for a, b in drop:
        for k in range(a, b):
            masked[k] = " "
    out["deal_hint"] = activity_hint(ctx.m, "".join(masked))
    out["note"] = build_note(ctx.m, drop)
    if intent == "schedule_followup":
        if due:
            out["due"] = due.iso()
        else:
            ctx.confidence = min(ctx.confidence, 0.5)
            ctx.clarify = "什么时候提醒你？" if ctx.lang == "zh" else "When should I remind you?"
    return out


def log_fields(ctx) -> dict:
    return _fields(ctx, "log_activity")


def followup_fields(ctx) -> dict:
    return _fields(ctx, "schedule_followup")


@register("log_activity", fields=log_fields, writes=True)
def log_activity(ctx) -> float:
    s, act, due = ctx.s, ctx.act, ctx.future_due
    if act and not due and _NOTE_CMD_RE.match(ctx.body) and (ctx.past_time or C.PAST_RE.search(s)):
        return 0.88  # 记录：今天跟X开了会，他们关心…能不能…: an explicit note of something done, whatever it quotes
    if act and ctx.past_time and not due:
        return 0.80  # 上周二拜访了 / 昨天去过: dated in the past
    if act and C.PAST_RE.search(s) and not (due and due.future_day):
        return 0.75
    if _reported_future(ctx):
        return 0.74
    if act and not due:
        return 0.65
    if _person_reported(ctx) and not ctx.remind:
        return 0.74 if due else 0.62  # 北垦丰田那边于部长说月底签合同: a customer's words, reported
    if _REPORTED_RE.search(s) and not ctx.remind:
        return 0.74 if due else 0.62  # 客户说下周一签: a report, not the rep's next step
    if re.match(r"^(?:记录|备注|note|log)\s*[:：]|^(?:记录|备注)\s+(?=\S{4})", ctx.body, re.IGNORECASE):
        return 0.60
    if _QUOTE_GIVEN_RE.search(s) and not due:
        return 0.55  # 穗华口腔报价十二万八 客户嫌贵: a quote given with its figure, and nothing else to do
    if not due and _names_a_deal(ctx):
        return 0.3  # 昆山精工的尾款还差十五万没付: a fact about a named deal, nothing else asked: a note
    return 0.0


_DEAL_NAMED_RE = re.compile(r"那单|那單|的单子|那个项目|那边(?!说)")


def _names_a_deal(ctx) -> bool:
    """The message opens with (after time words and fillers) a customer's name: an organisation's ending or a deal word."""
    body = ctx.body
    if len(body) < 6 or C.QUESTION_RE.search(body):
        return False
    head = body[:16]
    # (今天诊所前台…: a time word opening the message is no part of a name; a bare 诊所 after it names no one)
    body = re.sub(r"^(?:今天|昨天|前天|刚才|刚刚|刚|上午|下午|早上|中午|晚上|今早|今晚|这两天|最近)+", "", body)
    return bool(_DEAL_NAMED_RE.search(head) or re.match(rf"^[\u3400-\u9fffA-Za-z]{{2,12}}?(?:{C.SUFFIX_ALT})", body))


# 报价十二万八 / 报了38万 / quoted 1.2M: a quote stated with its figure
_QUOTE_GIVEN_RE = re.compile(
    r"(?:报价|报了个?价?)\s*(?:是|为)?\s*(?:[¥￥]?\d|[一二两三四五六七八九十]+(?:万|千|百))|\bquoted\b", re.IGNORECASE)


@register("schedule_followup", fields=followup_fields, writes=True)
def schedule_followup(ctx) -> float:
    s, due = ctx.s, ctx.future_due
    if not due:
        return 0.0
    if ctx.remind:
        return 0.85
    if C.FUTURE_ACTION_RE.search(s) or due.has_day and due.has_time:
        return 0.72
    if ctx.act:
        return 0.65
    return 0.0

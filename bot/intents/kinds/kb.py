"""search_kb: a question for the knowledge base (query, and kb_kind when a competitor or our own product is clear)."""

from __future__ import annotations

import re

from bot.intents import cues as C
from bot.intents.deals import build_query
from bot.intents.registry import register


def fields(ctx) -> dict:
    out = {"query": build_query(ctx.m)}
    kind = ctx._kb_kind()
    if kind:
        out["kb_kind"] = kind
    return out


_ANSWERED_RE = re.compile(r"已(?:经)?(?:答复|回复|解答|回答|回了)|(?:答复|回复|解答|回答)(?:了|过)")
_ASKED_RE = re.compile(r"(?:问了|问过|还问|也问|问到|关心|想知道|在意"
                       r"|(?<=[A-Za-z\u4e00-\u9fff])问(?=能不能|能否|有没有|是不是|是否|可不可以|支不支持|多少|怎么|什么|为什么|啥|几))")


def _question_reported_after_activity(ctx) -> bool:
    """A done activity (拜访 / 汇报了 / 开了会) comes first and the question is what the customer asked in it."""
    s, act = ctx.s, ctx.act
    if not act or re.match(r"(?:客户|对方|他们|她们)?(?:问|想知道)", ctx.body):
        return False
    am = _ASKED_RE.search(s, act.end())
    if am and C.PAST_RE.search(s, act.start(), am.start() + 2):
        return True
    # 陈工来电 问DR保修几年 已答复: the question asked in a call, answered already
    am = re.search(r"问", s[act.end():])
    return bool(am and _ANSWERED_RE.search(s, act.end() + am.end()))


# Sent X the comparison vs. their supplier / Showed them the specs: an English report of something done opens
# with its past-tense verb; "vs." or a spec word inside it asks nothing
_EN_DONE_OPENING_RE = re.compile(
    r"(?:just\s+|we\s+|i\s+)?(?:sent|visited|called|met|emailed|showed|presented|demoed|shared|walked|gave|delivered|shipped|"
    r"mailed|handed|forwarded|reviewed|discussed|went\s+through)\b", re.IGNORECASE)


_FIND_DOC_RE = re.compile(r"(?:找|查|发|要)(?:一下|下|一份|份|个)?[^，,。]{0,12}?(?:手册|说明书|白皮书|彩页|宣传册|资料|文档|案例|规格书|参数表|认证证书|检测报告)\s*$")


@register("search_kb", fields=fields)
def score(ctx) -> float:
    body = ctx.body
    if _EN_DONE_OPENING_RE.match(body) and not re.search(r"[?？]", body):
        return 0.45
    if C.QUESTION_RE.search(body) and _question_reported_after_activity(ctx):
        return 0.60  # 去X汇报了方案…还问了能不能分期付款: the customer's question, inside a done visit
    if C.QUESTION_RE.search(body):
        return 0.78
    if _FIND_DOC_RE.search(body):
        return 0.70  # 帮我找一下安装手册: a document the knowledge base holds
    if len(body) <= 30 and C.KB_TOPIC_RE.search(body):
        return 0.30  # a bare topic (宁能的价格): a weak guess
    return 0.0

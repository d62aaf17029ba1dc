"""update_stage: an existing deal moves to a stage other than won / lost (paid and moves back included).

Stage words come from the tenant's pipeline (``lexicon.stage_lexicon``); the context finds every
stage word with its cues (a verb before it, 阶段 after it, a separator around it), whether it is
negated (不是投标是谈判 → the second), planned (下一步做方案), or glued inside a company name.
"""

from __future__ import annotations

import re

from bot.intents import cues as C
from bot.intents.context import CJK
from bot.intents.deals import reason_after
from bot.intents.registry import register


def fields(ctx) -> dict:
    s = ctx.s
    out: dict = {}
    hits = [h for h in ctx.hits if not h.embedded]
    if not hits:
        hits = [h for h in ctx.hits if h.embedded is None]
    live = [h for h in hits if not h.negated] or hits
    live = [h for h in live if not h.future] or live
    cued = [h for h in live if h.cue] or live
    h = cued[-1] if cued else None
    # 退回到验证阶段吧，他们换了经理要重新确认需求: the stage right after the backward verb is the move; a stage
    # word in the cause after it (确认需求) is the cause's
    bm = C.BACKWARD_RE.search(s)
    if bm and h is not None and h.start > bm.end() + 4:
        back = [x for x in live if 0 <= x.start - bm.end() <= 4]
        if back:
            h = back[0]
    # 阶段改一下 应该是方案阶段 刚才点成立项了: the stage said to be the right one outweighs the one clicked by mistake
    rm = re.search(r"应该是|应该在|应该改成|应该改为|应该为|正确的?是|其实是|\bshould be\b", s, re.IGNORECASE)
    if rm and h is not None and re.search(r"(?:刚才|之前|刚刚|误|错)[^，,。]{0,4}?(?:点|选|改|设|弄|填|标)成|\bby mistake\b|\bmistakenly\b", s, re.IGNORECASE):
        right = [x for x in live if 0 <= x.start - rm.end() <= 2]
        if right:
            h = right[0]
    first = min((x.start for x in hits), default=len(s))
    if h and h.embedded is None and not h.cue and ctx.ambiguous_hit is h:
        # the stage word may be part of the name: keep the whole word as the deal, and ask
        ctx.clarify = ctx.ambiguous_question
        ctx.confidence = min(ctx.confidence, 0.35)
        out["stage"] = h.key
        a, b = h.start, h.end
        while a > 0 and re.match(f"[{CJK}A-Za-z0-9]", s[a - 1]):
            a -= 1
        while b < len(s) and re.match(f"[{CJK}A-Za-z0-9]", s[b]):
            b += 1
        out["deal_hint"] = ctx.m.orig[a:b]
    elif h:
        out["stage"] = h.key
        # the anchor is the stage verb before the first stage word
        out["deal_hint"] = ctx._hint(first, h.end)
        if not out["deal_hint"] or _ADVERB_HINT_RE.fullmatch(out["deal_hint"]) or _CLAUSE_HINT_RE.match(out["deal_hint"]):
            out["deal_hint"] = _named_earlier(ctx)  # 今天跟横琴启航学校的Kevin开了会，…，直接推到谈判阶段
        amt = ctx._amount(h.start - 1)
        if amt is None:
            amt = _quoted_before(ctx, h.start)  # 那单报价86万，转谈判 / 我们报了68万，直接推到谈判
        if amt is not None:
            out["amount"] = amt
        if C.BACKWARD_RE.search(s) or C.REASON_LABEL_RE.search(s, h.end):
            rest = re.match(r"(?:\s*(?:阶段|环节|状态|stage|了|啦))*", s[h.end:])
            r = reason_after(ctx.m, h.end + rest.end(), label_from=h.end)
            if r and not re.fullmatch(r"[\d.,万亿wWkKmM¥￥\s]+", r):
                out["reason"] = r
    return out


_EN_PAST_RE = re.compile(r"\b(?:had|met|visited|called|spoke|talked|chatted|saw|went)\b", re.IGNORECASE)
# Words that are no deal's name, left before a stage verb after a comma (直接推到谈判 / 那就改成投标)
_ADVERB_HINT_RE = re.compile(r"(?:那就|就|直接|先|马上|现在|目前|可以|准备|赶紧|然后|所以)+")
# A whole done clause taken as the name (上午跟X的Tony开了会): the customer is inside it
_CLAUSE_HINT_RE = re.compile(r"^[^，,。]{0,4}?(?:跟|和|与|去|在)[^，,。]{2,}?(?:了|过)[^，,。]{0,3}$")
# A quote or payment stated before the stage move (报价86万，转谈判)
# or a payment named before its arrival (尾款三十七万五今天到账了 / 收款 贰拾伍万元 已到账)
_QUOTE_LABEL_RE = re.compile(
    r"(?:报价|报了价|报了|报个价|报个|报|合同额|合同金额|金额|价格|quoted?|price"
    r"|尾款|余款|首付款?|首期款?|首款|预付款?|进度款|合同款|货款|全款|定金|订金|回款|收款|收到|第[一二三四五六七八九十\d]+(?:笔|期)款?|款)"
    r"\s*(?:是|为|了|共|一共)?\s*$"
    # 打了预付款过来，17万: a payment named before its sum
    r"|(?:预付款?|首付款?|首款|尾款|进度款|定金|订金|货款|回款)(?:打)?(?:过来|到了|到账)?了?\s*[,，:：]?\s*$",
    re.IGNORECASE,
)


def _named_earlier(ctx) -> str | None:
    """The customer an earlier clause names (跟横琴启航学校的Kevin开了会): the deal a later move is about."""
    from bot.intents.deals import activity_hint

    h = activity_hint(ctx.m, ctx.s)
    if not h:
        return None
    if C.SUFFIX_RE.search(ctx._norm_of(h)):
        return h
    # Meridian Retail - project kicked off …, set stage to 立项: the name that heads the message as a label
    lm = re.match(r"\s*(.+?)\s+[-—–]\s+|\s*([^\s:：]{2,30}(?:\s[^\s:：]+){0,3})\s*[:：]\s*", ctx.m.orig)
    return h if lm and (lm.group(1) or lm.group(2)) == h else None


def _quoted_before(ctx, end: int) -> int | None:
    from bot.intents.numerals import find_amounts

    for f in find_amounts(ctx.s):
        if f.end <= end and not f.ambiguous and _QUOTE_LABEL_RE.search(ctx.s, max(0, f.start - 9), f.start):
            return f.value
    return None


def _activity_outweighs(ctx) -> bool:
    """拜访时聊了方案 / 发了招标文件: a stage word inside a done activity does not move the stage."""
    s = ctx.s
    vs = ctx.verb_strong
    if C.EXPLICIT_MOVE_RE.search(s, max(0, vs[-1].start - 12), vs[-1].start):  # (moved back to: English verbs are longer)
        return False  # 阶段改成方案 / 进入投标: a move stated outright
    if re.search(r"(?:stage|status|阶段|状态)\s*(?:→|->|=>|>|[:：=])\s*$", s[max(0, vs[-1].start - 12):vs[-1].start], re.IGNORECASE):
        return False  # …方案已经交了，stage → solution: the stage set as a label, after the news
    if re.search(r"(?:^|[\s,，。;；!！])(?:那就|直接|就|可以|准备)?(?:转|进|推)\s*$", s[max(0, vs[-1].start - 8):vs[-1].start]) \
            and re.match(r"\s*(?:阶段|环节)?\s*(?:了|吧|啦)?\s*(?:[,，。;；!！]|$)", s[vs[-1].end:]):
        return False  # 试吃通过了 转方案: a bare move verb opening the last clause, the stage word closing it
    return bool(ctx.act and not C.STAGE_AFTER_RE.match(s[vs[-1].end:]) and not re.search(r"不是", s))


@register("update_stage", fields=fields, writes=True)
def score(ctx) -> float:
    vs = ctx.verb_strong
    # Had lunch with X, he hinted they will tender in Q1: only a plan of theirs, inside a done activity
    if ctx.strong and all(h.future for h in ctx.strong) and ctx.lang == "en" and (ctx.act or _EN_PAST_RE.search(ctx.s)):
        return 0.5
    if any(h.verb and not h.negated for h in vs):
        return 0.83  # 尾款到了: a whole stage sentence
    if vs and not _activity_outweighs(ctx):
        return 0.82
    if ctx.strong:
        return 0.70
    ambiguous = [h for h in ctx.hits if h.embedded is None and not h.negated]
    if ambiguous:
        h = ambiguous[-1]
        ctx.ambiguous_hit = h
        name = ctx.lex.names.get(h.key, h.key)
        ctx.ambiguous_question = (
            f"「{ctx.m.orig[h.start:h.end]}」是客户名称的一部分，还是要把这单改到「{name}」阶段？"
            if ctx.lang == "zh"
            else f"Is \"{ctx.m.orig[h.start:h.end]}\" part of a name, or should the deal move to {h.key}?"
        )
        return 0.35
    return 0.0

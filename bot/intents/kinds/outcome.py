"""mark_won / mark_lost: a deal's outcome (签了 / 中标 / closed … ; 丢单 / 黄了 / lost …).

A competitor's 中标 is our loss; a win word after a future or reported-plan marker (客户说下周签合同,
准备签约) is no win (``cues.FUTURE_BEFORE_WIN_RE``, applied when the context finds the keyword).
"""

from __future__ import annotations

import re

from bot.intents.deals import reason_after
from bot.intents.registry import register


def won_fields(ctx) -> dict:
    km = ctx.won_m
    out = {"deal_hint": ctx._hint(km.start(), km.end())}
    amt = ctx._amount()
    if amt is not None:
        out["amount"] = amt
    return out


def lost_fields(ctx) -> dict:
    s = ctx.s
    km = ctx.lost_m
    if ctx.won_m and ctx.won_m.start() < km.start() and "没" not in km.group(0):
        ctx.clarify = "是签了还是丢单了？" if ctx.lang == "zh" else "Did you win or lose this deal?"
        ctx.confidence = min(ctx.confidence, 0.4)
    out = {"deal_hint": ctx._hint(km.start(), km.end())}
    if ctx.lost_object:
        out["deal_hint"] = ctx.m.orig[ctx.lost_object[0]:ctx.lost_object[1]].strip()
    pos = km.end()
    if out["deal_hint"]:
        # 标记输单：X，原因：… / we lost the X deal to … — the cause follows the name
        k = s.find(ctx._norm_of(out["deal_hint"]), km.end())
        if k >= 0:
            pos = k + len(out["deal_hint"])
            dm = re.match(r"\s*(?:deal|account|那单|那單|的单子|的项目|那个项目|那边)", s[pos:], re.IGNORECASE)
            if dm:
                pos += dm.end()
    tm = re.match(r"\s*(?:-\s*)?to\s+", s[pos:], re.IGNORECASE)
    if tm:
        pos += tm.end()
    r = reason_after(ctx.m, pos, label_from=km.end())
    if not r and out["deal_hint"] and "中" not in km.group(0):  # (X那单 Tarvix 中标了: the gap is the rival)
        # 瑞尔齿科那单价格没谈拢丢了 / X因为交期太长黄了: the cause stands between the deal word and the loss word
        k = s.rfind(ctx._norm_of(out["deal_hint"]), 0, km.start())
        if k >= 0:
            gm = re.match(r"\s*(?:(?:那单|那單|的单子|的项目|那个项目|这单|那边)\s*|(?=因为|由于))(?:因为|由于)?(.{2,30}?)(?:所以|就|给|也|还是|最后|最终)?(?:被)?\s*$",
                          s[k + len(out["deal_hint"]):km.start()])
            if gm and gm.group(1).strip() and not re.fullmatch(r"(?:已经|还是|最后|最终|终于|彻底|算是|也|又|这个月|今天|昨天)+", gm.group(1).strip()):
                a = k + len(out["deal_hint"]) + gm.start(1)
                r = ctx.m.orig[a:a + len(gm.group(1))].strip()
    if r:
        out["reason"] = r
    elif out["deal_hint"] and km.end() <= s.find(ctx._norm_of(out["deal_hint"])):
        # lost 甬宠 竞品低价 / 丢单 X 价格没谈拢: terse typing, the word after the name is the cause
        hm = re.fullmatch(r"(\S{2,12})\s+(\S{2,20})", out["deal_hint"])
        if hm and re.search(r"[\u3400-\u9fff]", hm.group(2)):
            out["deal_hint"], out["reason"] = hm.group(1), hm.group(2)
    return out


@register("mark_won", fields=won_fields, writes=True)
def won(ctx) -> float:
    return 0.90 if ctx.won_m else 0.0


@register("mark_lost", fields=lost_fields, writes=True)
def lost(ctx) -> float:
    return 0.91 if ctx.lost_m else 0.0

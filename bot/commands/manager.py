"""The manager's questions in chat (zh / en): the team funnel (团队漏斗 / 本周漏斗), who has not
followed up, the stalled big deals, one rep's pipeline, this week's wins and losses — the
digest's figures, any time, for the asker's scope: a manager's team (the whole tenant for a
manager without a team or an admin, as the digest does); a rep asking gets their own figures.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from backend import clock
from backend.db.queries import queries
from backend.services.nudges import manners
from bot import replies
from bot.commands.texts import text
from bot.context import Ctx

IDLE_DAYS = 7
STALLED_TOP = 5
CLOSED_TOP = 8


@dataclass
class Command:
    kind: str  # funnel | week_funnel | not_followed | stalled | rep | closed | set_tier
    name: str = ""
    lang: str = "zh"
    tier: str = ""
    reason: str = ""


_TRIM = "。.!！?？~～ "
_ASK = r"(?:看看|看下|看一下|查看|查一下|查查|给我看看?|说说|发一下|发下|报一下)?"
_ZH = [
    ("week_funnel", re.compile(r"^" + _ASK + r"(?:团队|我们组|本组|全组|组里)?(?:的)?(?:本周|这周|这个星期|本星期|这星期)(?:的)?(?:销售)?漏斗(?:情况|数据|怎么样)?$")),
    ("funnel", re.compile(r"^" + _ASK + r"(?:团队|我们组|本组|全组|组里|我的|我们的|销售)?(?:的)?(?:销售)?漏斗(?:情况|数据|怎么样|如何)?$")),
    ("not_followed", re.compile(r"^(?:" + _ASK + r")(?:谁|哪些人|哪些销售|哪几个人|哪个销售|哪些单子?|哪些商机)(?:还)?(?:没有?|未|没在)(?:跟进|跟|动|联系客户)(?:过|了)?(?:的)?(?:呢|啊)?$"
                                 r"|^(?:没有?|未)跟进(?:的)?(?:人|销售|名单|商机|单子)?$")),
    ("stalled", re.compile(r"^" + _ASK + r"(?:团队|我们组|本组|我的)?(?:的)?(?:停滞|卡住|卡着|停住|超期|逾期|停滞不前|不动)(?:了)?(?:的)?(?:大单|大客户|商机|单子|大项目)(?:有哪些)?$"
                             r"|^" + _ASK + r"(?:大单|大客户)(?:卡在哪|情况|进展)$")),
    ("closed", re.compile(r"^" + _ASK + r"(?:团队|我们组|本组|我的)?(?:的)?(?:本周|这周|这星期|本星期)(?:的)?(?:赢单|输单|赢输|输赢|战报|成交|签单|签约|赢单和输单|赢单输单)(?:情况)?$")),
]
# a person's name: two to four Chinese characters (or a Latin name) — not "我手上谈判阶段的单子"
_REP_ZH = re.compile(r"^" + _ASK + r"([\u4e00-\u9fff·]{2,4}|[A-Za-z][A-Za-z .]{0,30})的(?:商机|漏斗|单子|管道|业绩|pipeline)(?:情况)?$")
_EN = [
    ("week_funnel", re.compile(r"^(?:show\s+|what(?:'s| is)\s+)?(?:the\s+|our\s+|my\s+)?(?:team(?:'s)?\s+)?(?:weekly|this week'?s?)\s+funnel$|^(?:team\s+)?funnel this week$", re.I)),
    ("funnel", re.compile(r"^(?:show\s+(?:me\s+)?|what(?:'s| is)\s+)?(?:the\s+|our\s+|my\s+)?(?:team(?:'s)?\s+|sales\s+)?funnel$", re.I)),
    ("not_followed", re.compile(r"^who (?:has ?n[o']t|hasn't|did ?n[o']t|didn't)(?: yet)? follow(?:ed)?(?:[ -]up)?(?: yet)?$|^(?:no|missing) follow[ -]?ups?$", re.I)),
    ("stalled", re.compile(r"^(?:show\s+)?(?:the\s+)?(?:stalled|stuck|overdue)\s+(?:big\s+)?deals$|^(?:stalled|stuck) big deals$", re.I)),
    ("closed", re.compile(r"^(?:(?:this week'?s )?wins(?: and losses)?(?: this week)?|won and lost this week|this week'?s (?:wins|results))$", re.I)),
]
_REP_EN = re.compile(r"^(?:pipeline|deals|funnel) (?:of|for) (.{1,40})$|^(.{1,40}?)'s (?:pipeline|deals|funnel)$", re.I)
_SELF = {"我", "我们", "我自己", "自己", "我的", "本人", "团队", "本组", "全组", "my", "our", "me", "team", "the team"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NOT_A_NAME = re.compile(r"[我你您他她们手上现在所有这那哪看查些的阶段全部]")


_TIER_ZH = re.compile(r"^(?:把|将)?(.{2,40}?)(?:设为|设成|定为|定成|改为|改成|调为|调成|标为|标记为|升为|降为|列为)\s*"
                      r"(?:([ABCabc])\s*类(?:客户)?|(大客户)|(自动(?:分级)?))\s*(.*)$")
_TIER_EN = re.compile(r"^(?:set|mark|make)\s+(.{2,60}?)\s+(?:as\s+|to\s+)?(?:tier\s+([ABCabc])|(a big customer|key account)|(automatic))"
                      r"\s*(.*)$", re.IGNORECASE)


def _set_tier(t: str, lang: str) -> Command | None:
    m = (_TIER_ZH if lang == "zh" else _TIER_EN).match(t)
    if not m:
        return None
    tier = (m[2] or "").upper() or ("A" if m[3] else "")  # "" = back to the computed tier
    reason = re.sub(r"^[\s，,;；:：。]*(?:理由是?|原因是?|因为|because|reason:?)?[\s，,:：]*", "", m[5] or "", flags=re.I)
    return Command("set_tier", name=m[1].strip(), tier=tier, reason=reason.strip(_TRIM), lang=lang)


def match(raw: str) -> Command | None:
    t = raw.strip().strip(_TRIM)
    if not t or len(t) > 200:
        return None
    lang = "zh" if _CJK.search(t) else "en"
    tier = _set_tier(t, lang)
    if tier is not None:
        return tier
    if len(t) > 60:
        return None
    for kind, pattern in (_ZH if lang == "zh" else _EN):
        if pattern.match(t):
            return Command(kind, lang=lang)
    if lang == "zh":
        m = _REP_ZH.match(t)
        if m and m[1] not in _SELF and not _NOT_A_NAME.search(m[1]):
            return Command("rep", name=m[1].strip(), lang=lang)
    else:
        m = _REP_EN.match(t)
        if m:
            name = (m[1] or m[2] or "").strip()
            if name.lower() not in _SELF:
                return Command("rep", name=name, lang=lang)
    return None


@dataclass
class Scope:
    team_id: int | None
    owner_id: int | None
    who: str  # "团队" / "你的" / "李四的"


def _scope(ctx: Ctx) -> Scope:
    actor = ctx.actor
    if actor.role == "rep":
        return Scope(team_id=None, owner_id=actor.user_id, who=text("who_me", ctx.lang))
    if actor.role == "admin":
        return Scope(team_id=None, owner_id=None, who=text("who_team", ctx.lang))
    return Scope(team_id=actor.team_id, owner_id=None, who=text("who_team", ctx.lang))


def _params(ctx: Ctx, scope: Scope) -> dict[str, Any]:
    return {"tenant_id": ctx.tenant.tenant_id, "team_id": scope.team_id, "owner_id": scope.owner_id}


def _week(ctx: Ctx) -> tuple[dt.datetime, dt.datetime, str]:
    now = clock.now()
    tz = ctx.tenant.timezone
    today = manners.local_day(now, tz)
    monday = today - dt.timedelta(days=today.weekday())
    label = f"{monday.month}月{monday.day}日" if ctx.lang == "zh" else monday.strftime("%d %b")
    return manners.day_start(monday, tz), now, label


def _money(amount: Any, lang: str) -> str:
    if not amount:
        return "0" if lang == "en" else "0元"
    return replies.money(int(round(amount)), lang)


async def handle(ctx: Ctx, cmd: Command) -> str | None:
    ctx.lang = cmd.lang
    scope = _scope(ctx)
    if cmd.kind == "rep":
        found = await _rep_scope(ctx, cmd.name)
        if found is None:
            return None  # not a person's name after all ("顺和的商机"): the parser's turn
        if isinstance(found, str):
            return found
        scope = found
        return await _funnel(ctx, scope, week=True, top=True)
    if cmd.kind in ("funnel", "week_funnel"):
        return await _funnel(ctx, scope, week=cmd.kind == "week_funnel" or scope.owner_id is None)
    if cmd.kind == "not_followed":
        return await _not_followed(ctx, scope)
    if cmd.kind == "stalled":
        return await _stalled(ctx, scope)
    if cmd.kind == "closed":
        return await _closed(ctx, scope)
    if cmd.kind == "set_tier":
        return await _override(ctx, cmd)
    return None


async def _override(ctx: Ctx, cmd: Command) -> str | None:
    """A manager sets an account's tier in chat: "顺和设为A类客户，理由：集团采购"; "…设为自动" clears it."""
    from backend.errors import TuokeError
    from backend.services.accounts import normalise_company
    from backend.services.pool import tiers

    words = normalise_company(cmd.name)
    rows = await queries.accounts_find(ctx.conn, tenant_id=ctx.tenant.tenant_id, words=words) if words else []
    if not rows:
        return None  # not a customer we know: let the parser read it
    if ctx.actor.role not in ("manager", "admin"):
        return text("tier_managers_only", ctx.lang)
    exact = [r for r in rows if normalise_company(r["name"]) == words]
    if len(rows) > 1 and len(exact) != 1:
        return text("tier_which", ctx.lang, options=replies.numbered([r["name"] for r in rows]))
    account = (exact or rows)[0]
    if len(cmd.reason) < 2:
        return text("tier_reason", ctx.lang, name=account["name"])
    try:
        async with ctx.conn.transaction():
            done = await tiers.override(ctx.conn, ctx.actor, account["account_id"], cmd.tier or None, cmd.reason)
    except TuokeError as exc:
        return text("pool_failed", ctx.lang, detail=exc.detail)
    if cmd.tier:
        return text("tier_set", ctx.lang, name=done.name, tier=done.tier, reason=cmd.reason, score=done.score)
    return text("tier_cleared", ctx.lang, name=done.name, tier=done.tier, score=done.score)


async def _rep_scope(ctx: Ctx, name: str) -> Scope | str | None:
    rows = await queries.mgr_users_named(ctx.conn, tenant_id=ctx.tenant.tenant_id, name=name,
                                         pattern=name.replace("%", "").replace("_", "") + "%")
    if not rows:
        return None
    actor = ctx.actor
    if actor.role == "rep":
        if rows[0]["user_id"] == actor.user_id:
            return Scope(team_id=None, owner_id=actor.user_id, who=text("who_me", ctx.lang))
        return text("rep_only_own", ctx.lang)
    mine = [r for r in rows if actor.role == "admin" or actor.team_id is None or r["team_id"] == actor.team_id]
    if not mine:
        return text("rep_unknown", ctx.lang, name=name)
    person = mine[0]
    return Scope(team_id=None, owner_id=person["user_id"], who=text("who_rep", ctx.lang, name=person["name"]))


async def _funnel(ctx: Ctx, scope: Scope, *, week: bool, top: bool = False) -> str:
    rows = await queries.mgr_funnel(ctx.conn, **_params(ctx, scope))
    open_rows = [r for r in rows if r["stage"] != "won"]
    lines = [text("funnel_header", ctx.lang, who=scope.who, n=sum(r["count"] for r in open_rows),
                  amount=_money(sum(r["amount"] for r in open_rows), ctx.lang),
                  weighted=_money(sum(r["weighted"] for r in open_rows), ctx.lang))]
    names = await ctx.stage_names()
    for r in rows:
        label = replies.stage_name(r["stage"], ctx.lang, names)
        unit = "单" if ctx.lang == "zh" else ""
        amount = f" · {_money(r['amount'], ctx.lang)}" if r["amount"] else ""
        lines.append(f"{label}：{r['count']}{unit}{amount}" if ctx.lang == "zh" else f"{label}: {r['count']}{amount}")
    if week:
        since, until, label = _week(ctx)
        period = await queries.mgr_period(ctx.conn, **_params(ctx, scope), since=since, until=until)
        closed = await queries.mgr_closed(ctx.conn, **_params(ctx, scope), since=since, until=until)
        won = [c for c in closed if c["outcome"] == "won"]
        lines.append(text("funnel_week", ctx.lang, since=label, leads=period["leads"], advances=period["advances"],
                          won=len(won), won_amount=_money(sum(c["amount"] or 0 for c in won), ctx.lang),
                          lost=len(closed) - len(won)))
    if top and scope.owner_id is not None:
        deals = await queries.mgr_top_open(ctx.conn, tenant_id=ctx.tenant.tenant_id, owner_id=scope.owner_id, limit=3)
        if deals:
            lines.append(text("top_header", ctx.lang))
            lines.extend(f"· {replies.deal_option(d, ctx.lang, names)}" for d in deals)
    return replies.fit("\n".join(lines))


async def _not_followed(ctx: Ctx, scope: Scope) -> str:
    now = clock.now()
    rows = await queries.mgr_not_followed(ctx.conn, **_params(ctx, scope), idle_before=now - dt.timedelta(days=IDLE_DAYS))
    idle = [r for r in rows if r["idle_deals"]]
    if not idle:
        return text("idle_none", ctx.lang, days=IDLE_DAYS)
    lines = [text("idle_header", ctx.lang, days=IDLE_DAYS)]
    for r in idle[:15]:
        last = replies.day(r["last_activity"], ctx.tenant.timezone, ctx.lang) if r["last_activity"] else text("idle_never", ctx.lang)
        lines.append(text("idle_line", ctx.lang, name=r["name"], idle=r["idle_deals"], open=r["open_deals"], last=last))
    return replies.fit("\n".join(lines))


async def _stalled(ctx: Ctx, scope: Scope) -> str:
    rows = await queries.mgr_stalled(ctx.conn, **_params(ctx, scope), now=clock.now(), limit=STALLED_TOP)
    if not rows:
        return text("stalled_none", ctx.lang)
    lines = [text("stalled_header", ctx.lang, n=rows[0]["total"])]
    for r in rows:
        deal = replies.deal_label(r) + (f"（{r['tier']}类）" if r["tier"] == "A" and ctx.lang == "zh" else "")
        lines.append(text("stalled_line", ctx.lang, deal=deal, owner=r["owner"], stage=r["stage_name"],
                          days=r["days_over"], amount=_money(r["amount"], ctx.lang)))
    return replies.fit("\n".join(lines))


async def _closed(ctx: Ctx, scope: Scope) -> str:
    since, until, label = _week(ctx)
    rows = await queries.mgr_closed(ctx.conn, **_params(ctx, scope), since=since, until=until)
    if not rows:
        return text("closed_none", ctx.lang, since=label)
    won = [r for r in rows if r["outcome"] == "won"]
    lost = [r for r in rows if r["outcome"] == "lost"]
    lines = [text("closed_header", ctx.lang, since=label, won=len(won),
                  won_amount=_money(sum(r["amount"] or 0 for r in won), ctx.lang), lost=len(lost),
                  lost_amount=_money(sum(r["amount"] or 0 for r in lost), ctx.lang))]
    for r in (won + lost)[:CLOSED_TOP]:
        if r["outcome"] == "won":
            lines.append(text("won_line", ctx.lang, deal=replies.deal_label(r), owner=r["owner"],
                              amount=_money(r["amount"], ctx.lang)))
        else:
            reason = f"（{r['reason']}）" if r["reason"] and ctx.lang == "zh" else (f" ({r['reason']})" if r["reason"] else "")
            lines.append(text("lost_line", ctx.lang, deal=replies.deal_label(r), owner=r["owner"],
                              amount=_money(r["amount"], ctx.lang), reason=reason))
    return replies.fit("\n".join(lines))

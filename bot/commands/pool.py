"""公海 in chat: 放回公海 / 退回公海 (release), 公海 (list the team's pool), 领取 X / 认领 X (claim),
保留 X 理由 (keep), and the 保留 / 放回公海 buttons of the recycle warning card.

``match(text)`` reads a message as one of these commands (or None: not ours); ``handle`` acts on
it and returns the reply, or None when it turns out not to be ours after all (the message then
goes to the parser as before).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import msgspec

from backend import clock
from backend.db.queries import queries
from backend.errors import Forbidden, Invalid, NotFound, TuokeError
from backend.services import outbox
from backend.services.nudges import manners
from backend.services.pool import rules as pool_rules, service
from bot import finder, replies
from bot.commands.texts import text
from bot.context import Ctx

KEEP_TTL = dt.timedelta(minutes=15)  # a tapped 保留 waits this long for its reason
LIST_LIMIT = 10
LISTED_TTL = dt.timedelta(hours=2)  # 领取 1 refers to the list shown within this time
SEARCH_LIMIT = 300
_SEP = r"[，,;；。:：]"


@dataclass
class Command:
    kind: str  # pool_list | release | claim | keep | undo
    hint: str = ""
    reason: str = ""
    number: int | None = None
    deal_id: int | None = None
    lang: str = "zh"


_RELEASE_ZH = re.compile(r"(?:放回|退回|扔回|丢回|还给|释放到|释放回|放到|放入|退到|转入)公海(?:里|去|吧|了)?")
_LIST_ZH = re.compile(
    r"^(?:看看|看下|看一下|查看|查一下|查查|打开|显示|列出)?(?:我们|我们组|团队|本组|组里)?(?:的)?公海"
    r"(?:里|里面|池)?(?:有什么|有啥|有哪些|有哪些单子?|列表|客户|线索|商机|的单子?)?(?:吗|呢|啊)?$")
_CLAIM_ZH = re.compile(r"^(?:我要|我想|帮我|请|我)?(?:领取|认领|领走|领回|捞回|捞)(?:公海(?:里|里的)?(?:的)?)?\s*(.*)$")
_KEEP_ZH = re.compile(r"^(?:我要|帮我|请)?(?:保留|别回收|不要回收|先别回收|留着)\s*(.*)$")
_LIST_EN = re.compile(r"^(?:show|list|open|see|view|check)?\s*(?:me\s+)?(?:the\s+|our\s+|team\s+)?(?:lead\s+|shared\s+|deal\s+)?pool"
                      r"(?:\s+list)?$|^what'?s in the (?:lead |shared )?pool$", re.IGNORECASE)
_RELEASE_EN = re.compile(r"^(?:release|return|put back|send back|give back|drop)\s+(.*?)\s*(?:(?:back\s+)?(?:to|into)\s+"
                         r"(?:the\s+)?(?:lead\s+|shared\s+)?pool)(?:\s*[,:;.-]\s*|\s+because\s+|\s+)?(.*)$", re.IGNORECASE)
_CLAIM_EN = re.compile(r"^claim\s*(.*)$", re.IGNORECASE)
_KEEP_EN = re.compile(r"^keep\s+(.+)$", re.IGNORECASE)
_NUMBER = re.compile(r"^(?:第|no\.?|number|#)?\s*([0-9]{1,3}|[一二两三四五六七八九十])\s*(?:个|号|单|条)?$", re.IGNORECASE)
_DEAL_ID = re.compile(r"^#(\d{1,18})$")
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TRIM = "。.!！?？~～ "


def _lang(t: str) -> str:
    return "zh" if _CJK.search(t) else "en"


def _split_reason(rest: str) -> tuple[str, str]:
    """'顺和 客户没预算' / '顺和，客户没预算' / '顺和 理由：…' → (hint, reason)."""
    rest = rest.strip(_TRIM + "，,")
    m = re.search(r"\s*(?:" + _SEP + r"|理由是?|原因是?|因为|because|reason:?)\s*", rest, re.IGNORECASE)
    space = re.search(r"\s", rest)
    if space and (m is None or space.start() < m.start()) and _CJK.search(rest[: space.start()]):
        return rest[: space.start()].strip(), rest[space.end():].strip(_TRIM + "，,:：")
    if m and m.start() > 0:
        return rest[: m.start()].strip(), rest[m.end():].strip(_TRIM)
    if m and m.start() == 0:
        return "", rest[m.end():].strip(_TRIM)
    parts = rest.split(None, 1)
    if len(parts) == 2:
        return parts[0], parts[1].strip(_TRIM)
    return rest, ""


def _number(target: str) -> tuple[int | None, int | None]:
    """(list number, deal id) named by a claim target, when it is one."""
    t = target.strip(_TRIM)
    m = _DEAL_ID.match(t)
    if m:
        return None, int(m[1])
    m = _NUMBER.match(t)
    if m:
        token = m[1]
        return (int(token) if token.isdigit() else _CN_NUM[token]), None
    return None, None


_UNDO = re.compile(r"^(?:撤销|撤回|撤消|undo)$", re.IGNORECASE)


def match(raw: str) -> Command | None:
    t = raw.strip()
    if not t or len(t) > 300:
        return None
    lang = _lang(t)
    low = t.strip(_TRIM)
    if _UNDO.match(low):
        return Command("undo", lang=lang)  # ours only when the last change was a release or a claim
    if lang == "zh":
        if _LIST_ZH.match(low):
            return Command("pool_list", lang=lang)
        m = _RELEASE_ZH.search(low)
        if m:
            before, after = low[: m.start()].strip(" ，,"), low[m.end():].strip(" ，,")
            if before and after:
                hint, reason = before, _split_reason(after)[1] or after
            elif before:
                hint, reason = _split_reason(before)
            else:
                hint, reason = _split_reason(after)
            hint = re.sub(r"^(?:把|将|帮我把|请把)", "", hint).strip()
            return Command("release", hint=hint, reason=reason, lang=lang)
        m = _CLAIM_ZH.match(low)
        if m:
            target = m[1].strip(_TRIM)
            number, deal_id = _number(target)
            return Command("claim", hint=target, number=number, deal_id=deal_id, lang=lang)
        m = _KEEP_ZH.match(low)
        if m:
            hint, reason = _split_reason(m[1])
            return Command("keep", hint=hint, reason=reason, lang=lang)
        return None
    if _LIST_EN.match(low):
        return Command("pool_list", lang=lang)
    m = _RELEASE_EN.match(low)
    if m:
        return Command("release", hint=m[1].strip(), reason=(m[2] or "").strip(_TRIM), lang=lang)
    m = _CLAIM_EN.match(low)
    if m:
        target = m[1].strip(_TRIM)
        target = re.sub(r"^(?:the\s+)?(?:deal\s+)?", "", target, flags=re.IGNORECASE)
        number, deal_id = _number(target)
        return Command("claim", hint=target, number=number, deal_id=deal_id, lang=lang)
    m = _KEEP_EN.match(low)
    if m:
        hint, reason = _split_reason(m[1])
        return Command("keep", hint=hint, reason=reason, lang=lang)
    return None


# ---------------------------------------------------------------- acting


def _label(row: Any) -> str:
    return replies.deal_label(row)


def _local(at: dt.datetime, ctx: Ctx) -> str:
    local = at.astimezone(manners.zone(ctx.tenant.timezone))
    if ctx.lang == "en":
        return local.strftime("%d %b %H:%M")
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _rows(records: list[Any]) -> list[dict]:
    out = []
    for r in records:
        d = dict(r)
        d.setdefault("contact_name", None)
        d.setdefault("title", d.get("company") or "")
        d.setdefault("product", None)
        d.setdefault("company", None)
        out.append(d)
    return out


def _find(hint: str, rows: list[dict]) -> finder.Found:
    cleaned = finder.clean_hint(hint)
    if not rows:
        return finder.Found(no_match=True)
    if not cleaned:
        return finder.Found(no_match=True)
    return finder.rank(cleaned, rows)


def _what(row: Any, ctx: Ctx, names: dict[str, str]) -> str:
    parts = [replies.stage_name(row["stage"], ctx.lang, names)]
    if row["amount"]:
        parts.append(replies.money(row["amount"], ctx.lang))
    if row["tier"]:
        parts.append(f"{row['tier']}类客户" if ctx.lang == "zh" else f"tier {row['tier']}")
    return " · ".join(parts)


def _error(exc: TuokeError, ctx: Ctx, label: str) -> str:
    if isinstance(exc, service.AlreadyClaimed):
        if exc.mine:
            return text("claim_mine", ctx.lang, deal=label)
        return text("claim_taken", ctx.lang, deal=label, owner=exc.owner or "?")
    if isinstance(exc, service.ClaimCapReached):
        return text("claim_cap", ctx.lang, cap=exc.cap, resets=_local(exc.resets_at, ctx))
    if isinstance(exc, service.CoolingDown):
        return text("claim_cooldown", ctx.lang, deal=label, until=_local(exc.until, ctx))
    if isinstance(exc, service.TooManyKeeps):
        return text("keep_too_many", ctx.lang, deal=label, n=exc.max_keeps)
    if isinstance(exc, service.NotYours):
        return text("not_yours", ctx.lang, deal=label, owner=exc.owner or "?")
    if isinstance(exc, service.NotInPool):
        return text("already_pooled", ctx.lang, deal=label)
    if isinstance(exc, Forbidden):
        return text("claim_other_team", ctx.lang, deal=label)
    if isinstance(exc, NotFound):
        return replies.say("deal_gone", ctx.lang)
    return text("pool_failed", ctx.lang, detail=exc.detail)


async def handle(ctx: Ctx, cmd: Command) -> str | None:
    ctx.lang = cmd.lang
    if cmd.kind == "pool_list":
        return await _list(ctx)
    if cmd.kind == "release":
        return await _release(ctx, cmd)
    if cmd.kind == "claim":
        return await _claim(ctx, cmd)
    if cmd.kind == "keep":
        return await _keep(ctx, cmd)
    if cmd.kind == "undo":
        return await _undo(ctx)
    return None


async def _undo(ctx: Ctx) -> str | None:
    last = await queries.change_last_for_user(ctx.conn, tenant_id=ctx.tenant.tenant_id, user_id=ctx.actor.user_id)
    if last is None or last["op"] not in ("pool_release", "pool_claim") or last["deal_id"] is None:
        return None  # the usual 撤销
    deal_id = last["deal_id"]
    label = _label(await service.state(ctx.conn, ctx.tenant.tenant_id, deal_id))
    async with ctx.conn.transaction():
        done = await service.undo(ctx.conn, ctx.actor, last["op"], deal_id, last["data"] or {})
        await queries.change_mark_undone(ctx.conn, tenant_id=ctx.tenant.tenant_id, change_id=last["change_id"],
                                         now=clock.now())
    if not done:
        return text("undo_moved_on", ctx.lang, deal=label)
    return text("undo_release" if last["op"] == "pool_release" else "undo_claim", ctx.lang, deal=label)


async def _list(ctx: Ctx) -> str:
    deals = await service.list_pool(ctx.conn, ctx.actor, limit=SEARCH_LIMIT)
    if not deals:
        return text("pool_empty", ctx.lang)
    names = await ctx.stage_names()
    shown = deals[:LIST_LIMIT]
    await queries.pool_chat_listed(ctx.conn, tenant_id=ctx.tenant.tenant_id, user_id=ctx.actor.user_id,
                                   listed=[d.deal_id for d in shown], now=clock.now())
    lines = []
    for d in shown:
        line = replies.deal_option(msgspec.to_builtins(d) | {"stage": d.stage}, ctx.lang, names)
        if d.tier:
            line += f" · {d.tier}类" if ctx.lang == "zh" else f" · tier {d.tier}"
        lines.append(line)
    reply = text("pool_header", ctx.lang, n=len(deals)) + "\n" + replies.numbered(lines)
    if len(deals) > LIST_LIMIT:
        reply += "\n" + text("pool_more", ctx.lang, n=len(deals) - LIST_LIMIT)
    return replies.fit(reply)


async def _release(ctx: Ctx, cmd: Command) -> str | None:
    own = _rows(await finder.open_deals(ctx.conn, ctx.actor))
    cleaned = finder.clean_hint(cmd.hint)
    if not cleaned:
        if not own:
            return replies.say("no_deals", ctx.lang)
        found = await finder.find(ctx.conn, ctx.actor, None)  # "这单放回公海": the deal touched last
    else:
        found = _find(cmd.hint, own)
    deal = found.deal
    if deal is None and found.options and not found.no_match:
        names = await ctx.stage_names()
        return text("release_which", ctx.lang,
                    options=replies.numbered([replies.deal_option(o, ctx.lang, names) for o in found.options]))
    if deal is None:
        # Not among the deals this rep may touch: someone else's (refused, saying whose) or in the pool.
        everyone = _rows(await queries.pool_tenant_deals_open(ctx.conn, tenant_id=ctx.tenant.tenant_id,
                                                              limit=SEARCH_LIMIT * 10))
        other = _find(cmd.hint, everyone).deal if cleaned else None
        if other is not None:
            return text("not_yours", ctx.lang, deal=_label(other), owner=other["owner"])
        pooled = _rows([msgspec.to_builtins(p) for p in await service.list_pool(ctx.conn, ctx.actor, limit=SEARCH_LIMIT)])
        inpool = _find(cmd.hint, pooled).deal if cleaned else None
        if inpool is not None:
            return text("already_pooled", ctx.lang, deal=_label(inpool))
        return text("release_none", ctx.lang, hint=cmd.hint)
    label = _label(deal)
    if deal["stage"] in ("won", "paid", "lost"):
        names = await ctx.stage_names()
        return text("closed_no_pool", ctx.lang, deal=label, stage=replies.stage_name(deal["stage"], ctx.lang, names))
    rules = await pool_rules.get_rules(ctx.conn, ctx.tenant.tenant_id)
    try:
        async with ctx.conn.transaction():
            await service.release(ctx.conn, ctx.actor, deal["deal_id"], cmd.reason or None)
            await queries.change_insert(  # "撤销" right after gives it back
                ctx.conn, tenant_id=ctx.tenant.tenant_id, user_id=ctx.actor.user_id, op="pool_release",
                deal_id=deal["deal_id"], data={}, now=clock.now())
    except TuokeError as exc:
        return _error(exc, ctx, label)
    reason = f"（{cmd.reason}）" if cmd.reason and ctx.lang == "zh" else (f" ({cmd.reason})" if cmd.reason else "")
    return text("released", ctx.lang, deal=label, reason=reason, days=rules.cooldown_days)


async def _claim_target(ctx: Ctx, cmd: Command) -> tuple[int | None, str | None]:
    """(deal id, reply when there is none to claim)."""
    if cmd.deal_id is not None:
        return cmd.deal_id, None
    if cmd.number is not None:
        state = await queries.pool_chat_get(ctx.conn, tenant_id=ctx.tenant.tenant_id, user_id=ctx.actor.user_id)
        listed = list(state["listed"]) if state and state["listed_at"] and \
            clock.now() - state["listed_at"] < LISTED_TTL else []
        if not 1 <= cmd.number <= len(listed):
            return None, text("claim_bad_number", ctx.lang, n=cmd.number)
        return listed[cmd.number - 1], None
    if not finder.clean_hint(cmd.hint):
        return None, text("claim_which", ctx.lang)
    pooled = _rows([msgspec.to_builtins(p) for p in await service.list_pool(ctx.conn, ctx.actor, limit=SEARCH_LIMIT)])
    found = _find(cmd.hint, pooled)
    if found.deal is not None:
        return found.deal["deal_id"], None
    if found.options and not found.no_match:
        return found.options[0]["deal_id"] if len(found.options) == 1 else None, text("claim_which", ctx.lang)
    # Not in the pool (any more): claimed a moment ago by someone? Say who has it.
    recent = _rows(await queries.pool_recently_claimed(
        ctx.conn, tenant_id=ctx.tenant.tenant_id, team_id=ctx.actor.team_id, everyone=ctx.actor.role == "admin",
        since=clock.now() - dt.timedelta(days=7)))
    taken = _find(cmd.hint, recent).deal
    if taken is not None:
        if taken["owner"] == ctx.actor.name:
            return None, text("claim_mine", ctx.lang, deal=_label(taken))
        return None, text("claim_taken", ctx.lang, deal=_label(taken), owner=taken["owner"])
    return None, text("claim_none", ctx.lang, hint=cmd.hint)


async def _claim(ctx: Ctx, cmd: Command) -> str | None:
    deal_id, refusal = await _claim_target(ctx, cmd)
    if deal_id is None:
        return refusal
    try:
        before = await service.state(ctx.conn, ctx.tenant.tenant_id, deal_id)
    except NotFound:
        return replies.say("deal_gone", ctx.lang)
    label = _label(before)
    rules = await pool_rules.get_rules(ctx.conn, ctx.tenant.tenant_id)
    try:
        async with ctx.conn.transaction():
            row = await service.claim(ctx.conn, ctx.actor, deal_id, timezone=ctx.tenant.timezone)
            await queries.change_insert(  # "撤销" right after puts it back into the pool as it was
                ctx.conn, tenant_id=ctx.tenant.tenant_id, user_id=ctx.actor.user_id, op="pool_claim",
                deal_id=deal_id, now=clock.now(),
                data={"pooled_at": before["pooled_at"].isoformat() if before["pooled_at"] else None,
                      "pool_team_id": before["pool_team_id"], "prev_owner_id": before["prev_owner_id"]})
    except TuokeError as exc:
        return _error(exc, ctx, label)
    taken = await queries.pool_claims_since(
        ctx.conn, tenant_id=ctx.tenant.tenant_id, user_id=ctx.actor.user_id,
        since=_day_start(ctx))
    names = await ctx.stage_names()
    return text("claimed", ctx.lang, deal=label, what=_what(row, ctx, names), left=max(rules.claim_cap - taken, 0),
                undo=text("claim_undo", ctx.lang))


def _day_start(ctx: Ctx) -> dt.datetime:
    return manners.day_start(manners.local_day(clock.now(), ctx.tenant.timezone), ctx.tenant.timezone)


async def _keep(ctx: Ctx, cmd: Command) -> str | None:
    own = _rows(await finder.open_deals(ctx.conn, ctx.actor))
    deal = _find(cmd.hint, own).deal if cmd.hint else None
    reason = cmd.reason
    if deal is None:
        pending = await pending_keep(ctx)
        if pending is None:
            if not cmd.hint:
                return None
            return text("keep_none", ctx.lang, hint=cmd.hint)
        deal = await service.state(ctx.conn, ctx.tenant.tenant_id, pending)
        reason = " ".join(p for p in (cmd.hint, cmd.reason) if p)
    if not reason or len(reason.strip()) < 2:
        await _ask_reason(ctx, deal["deal_id"])
        return text("keep_ask", ctx.lang, deal=_label(deal))
    return await _do_keep(ctx, deal["deal_id"], reason)


async def _do_keep(ctx: Ctx, deal_id: int, reason: str) -> str:
    before = await service.state(ctx.conn, ctx.tenant.tenant_id, deal_id)
    label = _label(before)
    try:
        async with ctx.conn.transaction():
            row = await service.keep(ctx.conn, ctx.actor, deal_id, reason)
            await queries.pool_chat_keep(ctx.conn, tenant_id=ctx.tenant.tenant_id, user_id=ctx.actor.user_id,
                                         deal_id=None, until=None)
    except Invalid:
        await _ask_reason(ctx, deal_id)
        return text("keep_ask", ctx.lang, deal=label)
    except TuokeError as exc:
        return _error(exc, ctx, label)
    rules = await pool_rules.get_rules(ctx.conn, ctx.tenant.tenant_id)
    days = rules.stage_days.get(row["stage"], rules.idle_days)
    if row["tier"]:
        days = int(-(-days * rules.tier_factor.get(row["tier"], 1.0) // 1))
    return text("kept", ctx.lang, deal=label, reason=reason.strip()[:200], days=days)


async def _ask_reason(ctx: Ctx, deal_id: int) -> None:
    await queries.pool_chat_keep(ctx.conn, tenant_id=ctx.tenant.tenant_id, user_id=ctx.actor.user_id,
                                 deal_id=deal_id, until=clock.now() + KEEP_TTL)


async def pending_keep(ctx: Ctx) -> int | None:
    """The deal whose 保留 waits for a reason from this rep, if any."""
    row = await queries.pool_chat_get(ctx.conn, tenant_id=ctx.tenant.tenant_id, user_id=ctx.actor.user_id)
    if row is None or row["keep_deal_id"] is None or row["keep_until"] is None or row["keep_until"] <= clock.now():
        return None
    return row["keep_deal_id"]


async def answer_keep(ctx: Ctx, deal_id: int, reply_text: str) -> str:
    """The rep's reply after tapping 保留: the reason."""
    return await _do_keep(ctx, deal_id, reply_text.strip(_TRIM))


# ---------------------------------------------------------------- the warning card's buttons

EVENT_KEY = re.compile(r"^pool:(\d{1,18}):(keep|release)$")
DONE_LABELS = {"keep": "已保留", "release": "已放回公海"}


def is_button(event_key: str | None) -> bool:
    return bool(event_key) and event_key.startswith("pool:")


async def on_button(ctx: Ctx, event_key: str, *, response_code: str | None = None) -> str:
    m = EVENT_KEY.match(event_key.strip())
    if not m:
        return replies.say("nudge_bad", ctx.lang)
    deal_id, action = int(m[1]), m[2]
    try:
        before = await service.state(ctx.conn, ctx.tenant.tenant_id, deal_id)
    except NotFound:
        return replies.say("deal_gone", ctx.lang)
    label = _label(before)
    if action == "keep":
        if before["owner_id"] is None:
            return text("already_pooled", ctx.lang, deal=label)
        if before["owner_id"] != ctx.actor.user_id and ctx.actor.role == "rep":
            return text("not_yours", ctx.lang, deal=label, owner=before["owner"] or "?")
        await _ask_reason(ctx, deal_id)
        return text("keep_ask", ctx.lang, deal=label)
    try:
        async with ctx.conn.transaction():
            await service.release(ctx.conn, ctx.actor, deal_id, "回收提醒里放回" if ctx.lang == "zh" else "released from the warning")
            if response_code and ctx.actor.wecom_userid:
                await outbox.enqueue(
                    ctx.conn, ctx.tenant.tenant_id, ctx.actor.wecom_userid,
                    {"api": "update_template_card", "response_code": response_code,
                     "button": {"replace_name": DONE_LABELS[action]}},
                    f"card-update:{ctx.msg_key}",
                )
    except TuokeError as exc:
        return _error(exc, ctx, label)
    rules = await pool_rules.get_rules(ctx.conn, ctx.tenant.tenant_id)
    return text("released", ctx.lang, deal=label, reason="", days=rules.cooldown_days)

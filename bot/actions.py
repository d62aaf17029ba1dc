"""Intent → foundation service → reply. Every write runs in a savepoint: a refusal writes nothing.

Messages about an existing deal first find it (``bot.finder``); when that is not clear the rep is
asked 1/2/3 and the question is kept (``bot.state``) until answered or replaced. Then, before any
write, ``bot.confirm.decide`` looks at what was understood and what was found (the deal's stage, an
open deal a new lead may duplicate): a consequential or unsure write is only described, kept as a
pending confirmation, and written when the rep answers 1 (or taps 确认).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any, Awaitable, Callable

import msgspec

from backend import clock
from backend.db.queries import queries
from backend.errors import Forbidden, NotFound, TuokeError
from backend.services import accounts, binding, deals, outbox
from backend.services.access import can_touch_deal
from bot import confirm, finder, kb_answers, replies, state
from bot.context import Ctx
from bot.replies import say
from schemas.deals import CLOSED_STAGES, LeadCreate
from schemas.intents import ParsedMessage
from schemas.outbox import TemplateCardMessage, TextMessage

log = logging.getLogger("tuoke.bot")

DEAL_INTENTS = frozenset({"update_stage", "mark_won", "mark_lost", "log_activity", "schedule_followup", "snooze"})
WRITE_INTENTS = DEAL_INTENTS | {"create_lead"}
DEFAULT_SNOOZE_DAYS = 7
LIST_PASSIVE = 10  # deals listed in the reply itself; the rest follows through the outbox
LIST_FULL = 50

Handler = Callable[[Ctx, ParsedMessage, Any], Awaitable[str]]



def error_reply(exc: TuokeError | msgspec.ValidationError, lang: str) -> str:
    """What the rep is told when an action is refused (the savepoint has undone it)."""
    if isinstance(exc, Forbidden):
        return say("forbidden", lang)
    if isinstance(exc, NotFound):
        return say("deal_gone", lang)
    return say("failed", lang, detail=exc.detail if isinstance(exc, TuokeError) else str(exc))

async def act(ctx: Ctx, parsed: ParsedMessage, deal: Any | None = None, *,
              confirmed: frozenset[str] | set[str] = frozenset()) -> str:
    """Carry out ``parsed`` (for ``deal`` when already known) and return the reply.

    A write the confirmation policy holds back is not done: the rep is asked instead. ``confirmed``
    names the reasons the rep has already answered (``bot.confirm.ALL_REASONS`` after a "1").
    """
    intent = parsed.intent
    if intent in DEAL_INTENTS:
        early = await _precheck(ctx, parsed)
        if early is not None:
            return early
        if deal is None:
            found = await finder.find(ctx.conn, ctx.actor, parsed.deal_hint)
            if found.deal is None:
                return await ask_pick(ctx, parsed, found)
            deal = found.deal
    handler = _HANDLERS.get(intent, _unknown)
    if intent in WRITE_INTENTS and not (intent == "create_lead" and not parsed.company):
        if intent == "create_lead" and await _writes_but_for_duplicates(ctx, parsed, confirmed):
            # Only the open deals this lead may repeat could still hold it back. The rep answered
            # about them already: write (decide would drop that reason). Else the write looks for
            # them itself (deal_create_lead, no round trip of its own) and writes nothing if found.
            if confirm.DUPLICATE not in confirmed:
                handler = _create_lead_unless_duplicates
        else:
            question = await _confirm_first(ctx, parsed, deal, confirmed)
            if question is not None:
                return question
    reply = await _carry(ctx, handler, parsed, deal)
    if reply is _CHECK_FIRST:  # ask, as _confirm_first does (it reads them); they may have gone since
        question = await _confirm_first(ctx, parsed, deal, confirmed)
        if question is not None:
            return question
        reply = await _carry(ctx, _create_lead, parsed, deal)
    return reply


async def _carry(ctx: Ctx, handler: Handler, parsed: ParsedMessage, deal: Any | None) -> str:
    try:
        async with ctx.conn.transaction():  # a savepoint inside the message's transaction
            return await handler(ctx, parsed, deal)
    except (TuokeError, msgspec.ValidationError) as exc:
        return error_reply(exc, ctx.lang)


# _create_lead_unless_duplicates wrote nothing (the lead may repeat an open deal, or is one the old
# order must handle): look for the duplicates and ask first, as before.
_CHECK_FIRST = "\x00check duplicates first"


async def _writes_but_for_duplicates(ctx: Ctx, parsed: ParsedMessage, confirmed: frozenset[str] | set[str]) -> bool:
    """Would the confirmation policy write this new lead now if it repeated no open deal? (Then the
    duplicates are the only question left; ``decide``'s other reasons do not depend on them.)"""
    stages = await ctx.stages()
    return confirm.decide(parsed, positions={k: s.position for k, s in stages.items()}, duplicates=[],
                          confirmed=confirmed).write


async def _precheck(ctx: Ctx, parsed: ParsedMessage) -> str | None:
    """What can be refused before looking for the deal (so the rep is not asked 1/2/3 for nothing)."""
    hint = parsed.deal_hint or ""
    if parsed.intent == "update_stage":
        if not parsed.stage:
            return say("stage_missing", ctx.lang, deal=hint or ("这单" if ctx.lang == "zh" else "this deal"))
        if parsed.stage not in await ctx.stages():
            return say("failed", ctx.lang, detail=f"unknown stage {parsed.stage}")
    if parsed.intent == "schedule_followup":
        if not parsed.due:
            return say("followup_no_time", ctx.lang, deal=hint or ("客户" if ctx.lang == "zh" else "the customer"))
        due = _due(parsed.due)
        if due is None:
            return say("followup_no_time", ctx.lang, deal=hint)
        if due <= clock.now():
            return say("followup_past", ctx.lang, when=replies.when(due, ctx.tenant.timezone, ctx.lang, clock.now()))
    return None


async def _confirm_first(ctx: Ctx, parsed: ParsedMessage, deal: Any | None, confirmed: frozenset[str] | set[str]
                         ) -> str | None:
    """The confirmation question when the policy holds this write back; None to write now."""
    stages = await ctx.stages()
    dups = await lead_duplicates(ctx, parsed) if parsed.intent == "create_lead" else []
    decision = confirm.decide(parsed, stage_from=deal["stage"] if deal is not None else None,
                              positions={k: s.position for k, s in stages.items()}, duplicates=dups,
                              confirmed=confirmed)
    if decision.write:
        return None
    names = await ctx.stage_names()
    summary = describe(parsed, ctx.lang, names, deal, tz=ctx.tenant.timezone)
    why = confirm.why(decision.reasons, ctx.lang, dups=dups,
                      stage_name=lambda key: replies.stage_name(key, ctx.lang, names))
    lines = [parsed.clarify] if parsed.clarify else []
    lines.append(confirm.text("understood", ctx.lang, summary=summary))
    if why:
        lines.append(confirm.text("why", ctx.lang, why=why))
    answer = confirm.text("answer_or_fix" if parsed.clarify else "answer", ctx.lang)
    card = ctx.channel == "wecom" and bool(ctx.recipient)
    lines.append(answer + (confirm.text("card_hint", ctx.lang) if card else ""))
    question = replies.fit("\n".join(lines))
    pending = await state.put_confirm(
        ctx.conn, ctx.actor, parsed, ctx.text, ctx.lang, deal_id=deal["deal_id"] if deal is not None else None,
        reasons=sorted(decision.codes), summary=summary, why=why, question=question,
    )
    if card:
        view = confirm.view(pending, tenant_id=ctx.tenant.tenant_id, user_id=ctx.actor.user_id)
        await outbox.enqueue(ctx.conn, ctx.tenant.tenant_id, ctx.recipient, TemplateCardMessage(card=confirm.wecom_card(view)),
                             f"bot:{ctx.channel}:{ctx.msg_key}:confirm")
    return question


async def lead_duplicates(ctx: Ctx, parsed: ParsedMessage) -> list[confirm.Duplicate]:
    """Open deals of the tenant a new lead may repeat (same company name, phone or e-mail)."""
    if not (parsed.company or parsed.phone or parsed.email):
        return []
    rows = await queries.confirm_lead_duplicates(
        ctx.conn, tenant_id=ctx.tenant.tenant_id, user_id=ctx.actor.user_id,
        norm_name=accounts.normalise_company(parsed.company) if parsed.company else None,
        phone=accounts.normalise_phone(parsed.phone), email=parsed.email.strip().lower() if parsed.email else None,
    )
    out = []
    for r in rows:
        mine = r["owner_id"] == ctx.actor.user_id
        matched = "company" if r["same_company"] else "phone" if r["same_phone"] else "email" if r["same_email"] \
            else ("phone" if parsed.phone else "email")
        out.append(confirm.Duplicate(deal_id=r["deal_id"], mine=mine, owner=r["owner_name"], matched=matched,
                                     label=replies.deal_label(r) if mine else None, stage=r["stage"] if mine else None))
    return out


async def ask_pick(ctx: Ctx, parsed: ParsedMessage, found: finder.Found) -> str:
    if not found.options:
        return say("no_deals", ctx.lang)
    names = await ctx.stage_names()
    lines = [replies.deal_option(d, ctx.lang, names) for d in found.options]
    options = replies.numbered(lines)
    if found.more:
        options += "\n" + say("pick_more", ctx.lang)
    await state.put(ctx.conn, ctx.actor, "pick_deal", parsed, ctx.text, ctx.lang,
                    options=[d["deal_id"] for d in found.options])
    if found.no_match and parsed.deal_hint:
        return say("no_match_pick", ctx.lang, hint=parsed.deal_hint, options=options)
    return say("pick_deal", ctx.lang, options=options)


async def deal_by_id(ctx: Ctx, deal_id: int) -> Any | None:
    """A deal offered earlier, if it still exists and the rep may still touch it."""
    row = await queries.deal_get(ctx.conn, tenant_id=ctx.tenant.tenant_id, deal_id=deal_id)
    if row is None or not can_touch_deal(ctx.actor, row):
        return None
    return row


# -- the intents -------------------------------------------------------------------------------


async def _create_lead(ctx: Ctx, parsed: ParsedMessage, _: Any, *, unless_duplicates: bool = False) -> str:
    if not parsed.company:
        await state.put(ctx.conn, ctx.actor, "need_company", parsed, ctx.text, ctx.lang)
        return say("lead_needs_company", ctx.lang)
    data = {
        "company": parsed.company.strip()[:100], "contact_name": _short(parsed.contact_name, 100),
        "contact_title": _short(parsed.contact_title, 200), "phone": parsed.phone, "email": parsed.email,
        "product": _short(parsed.product, 200), "amount": parsed.amount, "source": "chat",
    }
    try:
        lead = msgspec.convert({k: v for k, v in data.items() if v is not None}, LeadCreate)
    except msgspec.ValidationError:
        if unless_duplicates:
            return _CHECK_FIRST  # the duplicate question came before this refusal: keep that order
        raise
    if unless_duplicates and accounts.normalise_company(lead.company) != accounts.normalise_company(parsed.company):
        return _CHECK_FIRST  # a name cut at 100 characters: lead_duplicates looks for the whole one
    deal = await deals.create_lead(ctx.conn, ctx.actor, lead, unless_duplicates=unless_duplicates)
    if deal is None:
        return _CHECK_FIRST
    return say("lead_created", ctx.lang, what=_lead_summary(deal, ctx.lang))


async def _create_lead_unless_duplicates(ctx: Ctx, parsed: ParsedMessage, deal: Any) -> str:
    return await _create_lead(ctx, parsed, deal, unless_duplicates=True)


def _lead_summary(deal: Any, lang: str) -> str:
    person = " ".join(p for p in (deal.contact_name, deal.contact_title, deal.phone or deal.email) if p)
    extras = [p for p in (person, deal.product) if p]
    if deal.amount:
        extras.append(("预算" if lang == "zh" else "budget ") + replies.money(deal.amount, lang))
    if not extras:
        return deal.company or deal.title
    sep = "，" if lang == "zh" else ", "
    return f"{deal.company}（{sep.join(extras)}）" if lang == "zh" else f"{deal.company} ({sep.join(extras)})"


async def _update_stage(ctx: Ctx, parsed: ParsedMessage, deal: Any) -> str:
    stage = parsed.stage or ""
    if stage == "won":
        return await _mark_won(ctx, parsed, deal)
    if stage == "lost":
        return await _mark_lost(ctx, parsed, deal)
    before = deal["stage"]
    moved = await deals.move_stage(ctx.conn, ctx.actor, deal["deal_id"], stage, amount=parsed.amount,
                                   reason=_short(parsed.reason, 200))
    names = await ctx.stage_names()
    extra = ""
    if parsed.amount is not None:
        extra += ("，金额 " if ctx.lang == "zh" else ", amount ") + replies.money(moved.amount, ctx.lang)
    if parsed.reason:
        extra += (f"（原因：{parsed.reason}）" if ctx.lang == "zh" else f" (reason: {parsed.reason})")
    key = "stage_same" if before == stage else "stage_moved"
    return say(key, ctx.lang, deal=replies.deal_label(deal), stage=replies.stage_name(stage, ctx.lang, names), extra=extra)


async def _mark_won(ctx: Ctx, parsed: ParsedMessage, deal: Any) -> str:
    moved = await deals.move_stage(ctx.conn, ctx.actor, deal["deal_id"], "won", amount=parsed.amount)
    extra = ""
    if moved.amount:
        extra = ("，合同额 " if ctx.lang == "zh" else ", contract value ") + replies.money(moved.amount, ctx.lang)
    return say("won", ctx.lang, deal=replies.deal_label(deal), extra=extra)


async def _mark_lost(ctx: Ctx, parsed: ParsedMessage, deal: Any) -> str:
    reason = _short(parsed.reason, 200)
    await deals.move_stage(ctx.conn, ctx.actor, deal["deal_id"], "lost", reason=reason)
    extra = (f"（原因：{reason}）" if ctx.lang == "zh" else f" (reason: {reason})") if reason else ""
    return say("lost", ctx.lang, deal=replies.deal_label(deal), extra=extra)


_KIND_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("visit", re.compile(r"拜访|上门|见了|见面|到访|现场|去了?(?:客户|工厂|厂里|公司|现场)|visit|met |meeting at", re.I)),
    ("call", re.compile(r"电话|打了|通话|致电|call|phoned|rang", re.I)),
    ("meeting", re.compile(r"开会|会议|视频会|线上会|交流会|meeting|demo", re.I)),
    ("email", re.compile(r"邮件|邮箱|email|e-mail|mailed", re.I)),
)


def activity_kind(note: str) -> str:
    for kind, pattern in _KIND_WORDS:
        if pattern.search(note):
            return kind
    return "note"


async def _log_activity(ctx: Ctx, parsed: ParsedMessage, deal: Any) -> str:
    note = (parsed.note or ctx.text or "").strip()[:2000]
    await deals.log_activity(ctx.conn, ctx.actor, deal["deal_id"], activity_kind(note), note)
    return say("activity", ctx.lang, deal=replies.deal_label(deal), note=_short(note, 60))


async def _schedule_followup(ctx: Ctx, parsed: ParsedMessage, deal: Any) -> str:
    due = _due(parsed.due or "")
    if due is None:  # _precheck refuses this before; kept so that a resumed question is safe too
        return say("followup_no_time", ctx.lang, deal=replies.deal_label(deal))
    note = (parsed.note or ctx.text or "").strip()[:2000]
    await deals.schedule_followup(ctx.conn, ctx.actor, deal["deal_id"], note, due)
    return say("followup", ctx.lang, when=replies.when(due, ctx.tenant.timezone, ctx.lang, clock.now()),
               note=_short(note, 60), deal=replies.deal_label(deal))


async def _snooze(ctx: Ctx, parsed: ParsedMessage, deal: Any) -> str:
    days = parsed.snooze_days or DEFAULT_SNOOZE_DAYS
    snoozed = await deals.snooze(ctx.conn, ctx.actor, deal["deal_id"], days)
    until = replies.day(snoozed.snoozed_until or clock.now(), ctx.tenant.timezone, ctx.lang)
    return say("snoozed", ctx.lang, deal=replies.deal_label(deal), days=days, until=until)


async def _list_deals(ctx: Ctx, parsed: ParsedMessage, _: Any) -> str:
    stages = await ctx.stages()
    stage = parsed.stage if parsed.stage in stages else None
    page = await deals.list_deals(ctx.conn, ctx.actor, stage=stage, owner_id=ctx.actor.user_id,
                                  open_only=stage is None, limit=LIST_FULL)
    names = {k: s.name_zh for k, s in stages.items()}
    stage_label = replies.stage_name(stage, ctx.lang, names) if stage else ""
    if not page.items:
        return say("list_empty_stage", ctx.lang, stage=stage_label) if stage else say("list_empty", ctx.lang)
    lines = [_list_line(d, ctx, stages, names) for d in page.items]
    header = (say("list_header_stage", ctx.lang, stage=stage_label, n=page.total) if stage
              else say("list_header", ctx.lang, n=page.total))
    text = header + "\n" + replies.numbered(lines[:LIST_PASSIVE])
    rest = page.total - LIST_PASSIVE
    if rest > 0:
        full = say("list_full_header", ctx.lang, n=page.total) + "\n" + replies.numbered(lines)
        if ctx.later is not None:  # the channel streams the whole list (the AI bot)
            return await ctx.later("text", {"content": full}, text + "\n" + say("list_more", ctx.lang, n=rest))
        if ctx.recipient:
            await outbox.enqueue(ctx.conn, ctx.tenant.tenant_id, ctx.recipient,
                                 TextMessage(content=replies.fit(full)), f"bot:{ctx.channel}:{ctx.msg_key}:list")
        text += "\n" + say("list_more", ctx.lang, n=rest)
    return replies.fit(text)


def _list_line(d: Any, ctx: Ctx, stages: dict[str, Any], names: dict[str, str]) -> str:
    line = replies.deal_option(d, ctx.lang, names)
    sla = stages[d.stage].sla_days if d.stage in stages else None
    if sla:
        over = (clock.now() - d.stage_entered_at).days - sla
        if over > 0:
            line += f" · 超期{over}天" if ctx.lang == "zh" else f" · {over}d over"
    return line


async def _search_kb(ctx: Ctx, parsed: ParsedMessage, _: Any) -> str:
    query = (parsed.query or ctx.text or "").strip()
    if not query:
        return say("kb_empty_query", ctx.lang)
    return await kb_answers.answer(ctx, query, parsed.kb_kind)


async def _bind(ctx: Ctx, parsed: ParsedMessage, _: Any) -> str:
    code, _expires = await binding.issue_code(ctx.conn, ctx.actor)
    return say("bind", ctx.lang, code=code)


async def _undo(ctx: Ctx, parsed: ParsedMessage, _: Any) -> str:
    last = await queries.change_last_for_user(ctx.conn, tenant_id=ctx.tenant.tenant_id, user_id=ctx.actor.user_id)
    before = None
    if last is not None and last["deal_id"] is not None:
        before = await queries.deal_get(ctx.conn, tenant_id=ctx.tenant.tenant_id, deal_id=last["deal_id"])
    undone = await deals.undo_last(ctx.conn, ctx.actor)
    if undone is None:
        return say("undo_nothing", ctx.lang)
    label = replies.deal_label(before) if before is not None else ("一个商机" if ctx.lang == "zh" else "a deal")
    after = None
    if undone.deal_id is not None:
        after = await queries.deal_get(ctx.conn, tenant_id=ctx.tenant.tenant_id, deal_id=undone.deal_id)
    names = await ctx.stage_names()
    zh = ctx.lang == "zh"
    if undone.op == "create_lead":
        summary = f"删除了新线索「{label}」" if zh else f"removed the new lead {label}"
    elif undone.op in ("move_stage", "update_deal") and after is not None:
        stage = replies.stage_name(after["stage"], ctx.lang, names)
        summary = f"「{label}」回到「{stage}」阶段" if zh else f"{label} is back in {stage}"
    elif undone.op == "snooze":
        summary = f"恢复了「{label}」的提醒" if zh else f"reminders for {label} are back on"
    elif undone.op == "followup":
        summary = f"删除了「{label}」的跟进提醒" if zh else f"removed the follow-up on {label}"
    elif undone.op == "activity":
        summary = f"删除了「{label}」上的一条记录" if zh else f"removed the activity on {label}"
    else:
        summary = undone.summary
    return say("undo_done", ctx.lang, summary=summary)


async def _help(ctx: Ctx, parsed: ParsedMessage, _: Any) -> str:
    return say("help", ctx.lang)


async def _unknown(ctx: Ctx, parsed: ParsedMessage, _: Any) -> str:
    return say("unknown", ctx.lang)


_HANDLERS: dict[str, Handler] = {
    "create_lead": _create_lead,
    "update_stage": _update_stage,
    "mark_won": _mark_won,
    "mark_lost": _mark_lost,
    "log_activity": _log_activity,
    "schedule_followup": _schedule_followup,
    "snooze": _snooze,
    "list_deals": _list_deals,
    "search_kb": _search_kb,
    "bind": _bind,
    "undo": _undo,
    "help": _help,
    "unknown": _unknown,
}


# -- what a confirmation question says ---------------------------------------------------------


def describe(parsed: ParsedMessage, lang: str, names: dict[str, str], deal: Any | None = None, *,
             tz: str = "Asia/Shanghai") -> str:
    """What the bot is about to do, in a few words (for "is that right?"), naming the deal when found."""
    zh = lang == "zh"
    sep = "，" if zh else ", "
    hint = replies.deal_label(deal) if deal is not None else parsed.deal_hint or ("最近那单" if zh else "your latest deal")
    money = replies.money(parsed.amount, lang) if parsed.amount is not None else ""
    stage = replies.stage_name(parsed.stage, lang, names) if parsed.stage else ""
    reason = (f"{sep}原因：{parsed.reason}" if zh else f"{sep}reason: {parsed.reason}") if parsed.reason else ""
    intent = parsed.intent
    if intent == "update_stage" and parsed.stage in ("won", "lost"):
        intent = "mark_won" if parsed.stage == "won" else "mark_lost"
    match intent:
        case "create_lead":
            person = " ".join(b for b in (parsed.contact_name, parsed.contact_title, parsed.phone, parsed.email) if b)
            bits = [b for b in (person, parsed.product) if b]
            if money:
                bits.append(("预算" if zh else "budget ") + money)
            what = parsed.company or ""
            if bits:
                what += f"（{sep.join(bits)}）" if zh else f" ({sep.join(bits)})"
            return ("新建线索「" + what + "」") if zh else f"new lead {what}"
        case "update_stage":
            head = f"把「{hint}」移到「{stage}」阶段" if zh else f"move {hint} to {stage}"
            return head + ((f"{sep}金额{money}" if zh else f"{sep}amount {money}") if money else "") + reason
        case "mark_won":
            head = f"把「{hint}」标记为签约" if zh else f"mark {hint} as won"
            return head + ((f"{sep}合同额{money}" if zh else f"{sep}contract value {money}") if money else "")
        case "mark_lost":
            return (f"把「{hint}」标记为输单" if zh else f"mark {hint} as lost") + reason
        case "schedule_followup":
            due = _due(parsed.due or "")
            when = replies.when(due, tz, lang, clock.now()) if due else (parsed.due or "")
            return (f"{when}提醒你跟进「{hint}」：{parsed.note or ''}" if zh
                    else f"remind you {when} to follow up {hint}: {parsed.note or ''}")
        case "log_activity":
            return (f"在「{hint}」记一笔：{parsed.note or ''}" if zh else f"log on {hint}: {parsed.note or ''}")
        case "snooze":
            days = parsed.snooze_days or DEFAULT_SNOOZE_DAYS
            return f"暂停「{hint}」的提醒{days}天" if zh else f"mute {hint} for {days} days"
        case _:
            return parsed.intent


def _due(value: str) -> dt.datetime | None:
    try:
        due = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return due if due.tzinfo is not None else None


def _short(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value[:limit] if value else None


def open_stage_after(stage: str, stages: dict[str, Any]) -> str | None:
    """The next open stage of the pipeline by position (won is open until paid; lost never is)."""
    ordered = sorted(stages.values(), key=lambda s: (s.position, s.key))
    if stage in CLOSED_STAGES or stage not in stages:
        return None
    position = stages[stage].position
    for s in ordered:
        if s.position > position and s.key not in CLOSED_STAGES:
            return s.key
    return None

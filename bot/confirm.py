"""Confirm before a consequential write: the one place that decides "write now" or "ask first".

``decide`` is a pure function of what the parser understood and what the action found (the deal and
its current stage, possible duplicates of a new lead). It asks first when

- the parser is unsure (``confidence`` below ``TUOKE_CONFIRM_BELOW``, default 0.5) or asked a
  question itself (``clarify``);
- the write is hard to notice when wrong: a win or a loss (the deal leaves every list and nudge),
  a stated amount (it feeds the pipeline and the digest), a move backwards in the pipeline or out
  of a closed stage, a new lead for a company, phone or e-mail that already has an open deal.

Anything else (a plain, confident stage move, activity, follow-up, snooze, lead) is written at once
and can be undone (撤销). A pending confirmation is kept per rep (``bot.state``), expires after
``TUOKE_CONFIRM_TTL_MINUTES`` (default 10), and is replaced by the rep's next request.

Channels render the same confirmation: text says "回复1确认 / 2取消"; WeChat Work's self-built app
also gets a template card whose buttons carry ``confirm:<token>:yes|no`` (``button_key``); the
AI-bot channel can build its own card from :func:`view`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from bot.replies import fit, template
from schemas.intents import ParsedMessage

DEFAULT_BELOW = 0.5
DEFAULT_TTL_MINUTES = 10.0

# Reason codes. The first four are decided from the parse alone; the last three need the database.
LOW_CONFIDENCE, WON, LOST, AMOUNT = "low_confidence", "won", "lost", "amount"
BACKWARDS, REOPEN, DUPLICATE = "backwards", "reopen", "duplicate"
PARSE_REASONS = frozenset({LOW_CONFIDENCE, WON, LOST, AMOUNT})
ALL_REASONS = PARSE_REASONS | {BACKWARDS, REOPEN, DUPLICATE}

WRITES_AMOUNT = frozenset({"create_lead", "update_stage", "mark_won"})
CLOSED = frozenset({"won", "paid", "lost"})


def threshold() -> float:
    """``TUOKE_CONFIRM_BELOW``: a parse less confident than this is confirmed first."""
    return _float_env("TUOKE_CONFIRM_BELOW", DEFAULT_BELOW, 0.0, 1.0)


def ttl_minutes() -> float:
    """``TUOKE_CONFIRM_TTL_MINUTES``: how long a confirmation waits for its answer."""
    return _float_env("TUOKE_CONFIRM_TTL_MINUTES", DEFAULT_TTL_MINUTES, 0.1, 24 * 60)


def _float_env(name: str, default: float, low: float, high: float) -> float:
    try:
        value = float(os.environ.get(name) or default)
    except ValueError:
        return default
    return min(max(value, low), high)


@dataclass(frozen=True)
class Duplicate:
    """An open deal a new lead may duplicate. ``label`` and ``stage`` are filled for the rep's own
    deals only: of another rep's deal the rep learns its owner's name and nothing else."""

    deal_id: int
    mine: bool
    owner: str | None  # None: the deal is in the shared pool
    matched: str  # company | phone | email
    label: str | None = None
    stage: str | None = None


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str = ""  # what the reason is about (a stage name, the other rep's name …)


@dataclass(frozen=True)
class Decision:
    reasons: tuple[Reason, ...] = ()

    @property
    def write(self) -> bool:
        return not self.reasons

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self.reasons)


def decide(
    parsed: ParsedMessage,
    *,
    below: float | None = None,
    stage_from: str | None = None,
    positions: Mapping[str, int] | None = None,
    duplicates: Iterable[Duplicate] = (),
    confirmed: Iterable[str] = (),
) -> Decision:
    """Write now (``Decision().write``) or ask first, and why.

    ``stage_from`` is the found deal's current stage and ``positions`` the tenant's pipeline order
    (both None when the deal is not known, e.g. in the offline evaluation); ``duplicates`` the open
    deals a new lead may repeat; ``confirmed`` the reason codes the rep has already answered.
    """
    below = threshold() if below is None else below
    intent = parsed.intent
    target = parsed.stage if intent == "update_stage" else None
    if intent == "mark_won" or target == "won":
        kind = WON
    elif intent == "mark_lost" or target == "lost":
        kind = LOST
    else:
        kind = None
    reasons: list[Reason] = []
    if parsed.clarify or parsed.confidence < below:
        reasons.append(Reason(LOW_CONFIDENCE, parsed.clarify or ""))
    if kind:
        reasons.append(Reason(kind))
    if parsed.amount is not None and intent in WRITES_AMOUNT:
        reasons.append(Reason(AMOUNT))
    if intent == "update_stage" and target and kind is None and stage_from and positions:
        if stage_from == "lost" or (stage_from in CLOSED and target not in CLOSED):
            reasons.append(Reason(REOPEN, stage_from))
        elif target in positions and stage_from in positions and positions[target] < positions[stage_from]:
            reasons.append(Reason(BACKWARDS, stage_from))
    if intent == "create_lead":
        dups = list(duplicates)
        if dups:
            theirs = sorted({d.owner or "" for d in dups if not d.mine})
            reasons.append(Reason(DUPLICATE, "、".join(theirs)))
    done = set(confirmed)
    return Decision(tuple(r for r in reasons if r.code not in done))


# -- what the rep sees ---------------------------------------------------------------------------

_TEXT: dict[str, dict[str, str]] = {
    "understood": {"zh": "我理解的是：{summary}。", "en": "I understood: {summary}."},
    "why": {"zh": "（{why}，写入前先确认）", "en": "(confirming first: {why})"},
    "answer": {"zh": "回复1确认 / 2取消", "en": "Reply 1 to confirm / 2 to cancel"},
    "answer_or_fix": {"zh": "回复1确认 / 2取消，或直接回复正确的内容", "en": "Reply 1 to confirm / 2 to cancel, or reply with the correction"},
    "card_hint": {"zh": "（也可以点卡片上的按钮）", "en": " (or tap a button on the card)"},
    "expired": {"zh": "这个确认已超过{minutes}分钟，已失效，什么都没有写入。需要的话请重新发一遍。",
                "en": "That confirmation expired after {minutes} minutes; nothing was written. Please send it again if needed."},
    "stale": {"zh": "这个确认已经处理过或已被新的消息取代，没有再次写入。",
              "en": "That confirmation was already answered or replaced by a newer message; nothing more was written."},
    "cancelled": {"zh": "好的，已取消，什么都没有写入。", "en": "OK, cancelled; nothing was written."},
}

_WHY: dict[str, dict[str, str]] = {
    LOW_CONFIDENCE: {"zh": "我不太确定理解得对", "en": "I am not sure I got it right"},
    WON: {"zh": "签约会关闭这单", "en": "a win closes the deal"},
    LOST: {"zh": "输单会关闭这单", "en": "a loss closes the deal"},
    AMOUNT: {"zh": "涉及金额", "en": "it states an amount"},
    BACKWARDS: {"zh": "这单现在在「{detail}」，这是往回退", "en": "the deal is in {detail} now; this moves it back"},
    REOPEN: {"zh": "这单已经是「{detail}」，这会重新打开它", "en": "the deal is {detail}; this reopens it"},
}

BUTTONS = (("yes", {"zh": "确认", "en": "Confirm"}), ("no", {"zh": "取消", "en": "Cancel"}))
DONE_LABELS = {"yes": {"zh": "已确认", "en": "Confirmed"}, "no": {"zh": "已取消", "en": "Cancelled"},
               "expired": {"zh": "已过期", "en": "Expired"}, "stale": {"zh": "已失效", "en": "No longer valid"}}


def text(key: str, lang: str, **kw: Any) -> str:
    return fit(template(_TEXT, key, lang).format(**kw))


def duplicate_line(dups: Iterable[Duplicate], lang: str, stage_name: Any = None) -> str:
    """「李四已有这个客户的进行中商机」: another rep is named, nothing else of theirs is shown."""
    dups = list(dups)
    zh = lang != "en"
    mine = [d for d in dups if d.mine]
    theirs = sorted({d.owner for d in dups if not d.mine and d.owner})
    pooled = any(d.owner is None and not d.mine for d in dups)
    how = {"company": "同名公司", "phone": "同一电话", "email": "同一邮箱"} if zh else \
          {"company": "the same company", "phone": "the same phone", "email": "the same e-mail"}
    matched = "、".join(dict.fromkeys(how[d.matched] for d in dups)) if zh else \
        " / ".join(dict.fromkeys(how[d.matched] for d in dups))
    parts = []
    if mine:
        d = mine[0]
        stage = stage_name(d.stage) if stage_name and d.stage else d.stage
        parts.append(f"你已有进行中的商机「{d.label}」（{stage}）" if zh else f"you already have an open deal {d.label} ({stage})")
    if theirs:
        names = "、".join(theirs) if zh else ", ".join(theirs)
        parts.append(f"{names}已有这个客户的进行中商机" if zh else f"{names} already has an open deal with this customer")
    if pooled:
        parts.append("公海里已有这个客户的商机" if zh else "the shared pool has a deal with this customer")
    sep = "；" if zh else "; "
    return (f"{matched}：" if zh else f"{matched}: ") + sep.join(parts)


def why(reasons: Iterable[Reason], lang: str, *, stage_name: Any = None, dups: Iterable[Duplicate] = ()) -> str:
    lang = lang if lang in ("zh", "en") else "zh"
    out = []
    for r in reasons:
        if r.code == DUPLICATE:
            out.append(duplicate_line(dups, lang, stage_name))
        elif r.code == LOW_CONFIDENCE and r.detail:
            continue  # the parser's own question is shown instead
        elif r.code in _WHY:
            detail = stage_name(r.detail) if stage_name and r.detail else r.detail
            out.append(_WHY[r.code][lang].format(detail=detail))
    return ("，" if lang == "zh" else "; ").join(out)


# -- button keys and the card view (shared by every channel that has buttons) -------------------

KEY_RE = re.compile(r"^confirm:([A-Za-z0-9]{6,32}):(yes|no)$")


def button_key(token: str, answer: str) -> str:
    """``confirm:<token>:yes`` / ``confirm:<token>:no``: a tap answers the confirmation with this token only."""
    return f"confirm:{token}:{answer}"


def is_confirm_key(key: str | None) -> bool:
    return bool(key) and key.startswith("confirm:")


def parse_key(key: str) -> tuple[str, str] | None:
    """(token, "yes" | "no"), or None when the key is not one of ours."""
    m = KEY_RE.match(key.strip())
    return (m[1], m[2]) if m else None


@dataclass(frozen=True)
class Button:
    key: str
    text: str
    answer: str  # yes | no


@dataclass(frozen=True)
class ConfirmView:
    """A pending confirmation as any channel shows it: a title, the summary, the reasons, two buttons."""

    token: str
    title: str
    summary: str  # what will be written
    reasons: str  # why it is asked ("" when the parser's own question says it)
    question: str  # the full text question (what the text channel sends)
    buttons: tuple[Button, ...] = field(default_factory=tuple)
    task_id: str = ""


def view(pending: Any, *, tenant_id: int, user_id: int) -> ConfirmView:
    """The view of a pending confirmation (``bot.state.Pending`` of kind ``confirm``)."""
    lang = pending.lang if pending.lang in ("zh", "en") else "zh"
    buttons = tuple(Button(button_key(pending.token, a), labels[lang], a) for a, labels in BUTTONS)
    return ConfirmView(
        token=pending.token, title="请确认" if lang == "zh" else "Please confirm", summary=pending.summary,
        reasons=pending.why, question=pending.question, buttons=buttons,
        task_id=f"confirm-{tenant_id}-{user_id}-{pending.token}",
    )


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def wecom_card(v: ConfirmView) -> dict[str, Any]:
    """The WeChat Work ``button_interaction`` template card of a confirmation."""
    return {
        "card_type": "button_interaction",
        "source": {"desc": "拓客 · 写入前确认"},
        "main_title": {"title": _clip(v.title, 36), "desc": _clip(v.summary, 44)},
        "sub_title_text": _clip(v.reasons or v.summary, 112),
        "task_id": v.task_id,
        "button_list": [{"text": b.text, "style": 1 if b.answer == "yes" else 2, "key": b.key} for b in v.buttons],
    }

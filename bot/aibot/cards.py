"""A rep's pending question (``bot.state``) as a button card, and what a tap on it means.

Whatever question the conversation left open becomes a ``button_interaction`` card: "which deal"
gets a button per deal, any other question (a confirmation) gets 确认 / 取消; a question that
needs words (the company of a new lead) stays text. A tap is turned into the answer a rep would
type ("是", "取消", "2") and goes through the same conversation; the card remembers which question
it showed (kind, message, options, step), so a tap on a card whose question was answered,
replaced or expired does nothing. After the tap the card is replaced by what was done.
"""

from __future__ import annotations

import re
from typing import Any

from backend.db.queries import queries
from bot import replies, state
from bot.aibot.texts import NO, YES, t
from bot.context import Ctx

NEEDS_WORDS = frozenset({"need_company"})
KEY = re.compile(r"^(\d{1,4}):(yes|no|done|\d{1,2})$")
_TITLE_LIMIT = 36
_SUB_LIMIT = 112


def parse_key(event_key: str) -> tuple[int, str] | None:
    m = KEY.match(event_key or "")
    return (int(m[1]), m[2]) if m else None


def answer_text(choice: str, lang: str) -> str:
    """What a rep would have typed for this button."""
    if choice == "yes":
        return YES.get(lang, YES["zh"])
    if choice == "no":
        return NO.get(lang, NO["zh"])
    return choice


async def question(ctx: Ctx, pending: state.Pending, prompt: str, step: int) -> dict[str, Any] | None:
    """What the card shows for ``pending`` (None when the question needs words, not buttons)."""
    if pending.kind in NEEDS_WORDS:
        return None
    lang = pending.lang
    lines: list[str] = []
    buttons: list[tuple[str, str]] = []
    if pending.options:
        names = await ctx.stage_names()
        for i, deal_id in enumerate(pending.options[:5], 1):
            row = await queries.deal_get(ctx.conn, tenant_id=ctx.tenant.tenant_id, deal_id=deal_id)
            label = replies.deal_option(row, lang, names) if row is not None else "?"
            lines.append(label)
            buttons.append((str(i), f"{i}. {replies.deal_label(row) if row is not None else '?'}"[:12]))
        buttons.append(("no", t("btn_no", lang)))
        title = t("card_title_pick", lang)
    else:
        buttons = [("yes", t("btn_yes", lang)), ("no", t("btn_no", lang))]
        title = t("card_title_confirm", lang)
    return {"kind": pending.kind, "text": pending.text, "options": list(pending.options), "step": step,
            "lang": lang, "title": title, "prompt": prompt, "lines": lines, "buttons": buttons}


def matches(pending: state.Pending | None, q: dict[str, Any]) -> bool:
    """Is ``pending`` still the question the card shows?"""
    return (pending is not None and pending.kind == q.get("kind") and pending.text == q.get("text")
            and list(pending.options) == list(q.get("options") or []))


def card(task_id: str, q: dict[str, Any]) -> dict[str, Any]:
    """The button card for a question."""
    data: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": q["title"][:_TITLE_LIMIT], "desc": q["text"][:_TITLE_LIMIT]},
        "sub_title_text": _first_line(q["prompt"])[:_SUB_LIMIT],
        "button_list": [{"text": label, "style": 2 if key == "no" else 1, "key": f"{q['step']}:{key}"}
                        for key, label in q["buttons"]][:6],
        "task_id": task_id,
    }
    if q["lines"]:
        data["horizontal_content_list"] = [{"keyname": str(i), "value": line[:30]}
                                           for i, line in enumerate(q["lines"][:6], 1)]
    return data


def done_card(task_id: str, q: dict[str, Any], result: str, *, stale: bool = False) -> dict[str, Any]:
    """The card after a tap: what was done in place of the buttons."""
    lang = q.get("lang", "zh")
    return {
        "card_type": "button_interaction",
        "main_title": {"title": t("card_title_stale" if stale else "card_title_done", lang),
                       "desc": str(q.get("text", ""))[:_TITLE_LIMIT]},
        "sub_title_text": result[:_SUB_LIMIT],
        "button_list": [{"text": t("btn_done", lang), "style": 2, "key": f"{q.get('step', 0)}:done"}],
        "task_id": task_id,
    }


def update(card_body: dict[str, Any], userid: str) -> dict[str, Any]:
    """The passive reply to a tap that replaces the card (for the rep who tapped)."""
    return {"response_type": "update_template_card", "userids": [userid], "template_card": card_body}


def _first_line(text: str) -> str:
    return (text or "").strip().split("\n", 1)[0]

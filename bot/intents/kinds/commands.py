"""Commands to the bot itself: undo, bind, help, and ``unknown`` (chit-chat, anything else)."""

from __future__ import annotations

import re

from bot.intents import cues as C
from bot.intents.registry import register


@register("undo")
def undo(ctx) -> float:
    body = ctx.body
    return 0.99 if C.UNDO_RE.search(body) and len(re.sub(r"\W", "", body)) <= 14 else 0.0


@register("bind")
def bind(ctx) -> float:
    return 0.98 if C.BIND_RE.search(ctx.body) else 0.0


@register("help")
def help_(ctx) -> float:
    return 0.97 if C.HELP_RE.search(ctx.body) else 0.0


@register("unknown")
def unknown(ctx) -> float:
    """The floor every other intent must beat; chit-chat lifts it above the business intents."""
    body = ctx.body
    if not body:
        return 1.0
    if ctx._chitchat(body):
        return 0.96
    if C.CHITCHAT_RE.search(body):
        return 0.87
    return 0.2

"""Chat commands outside the intent parser: the shared lead pool (``pool``: 公海, 放回公海, 领取 X,
保留 X) and the manager's questions (``manager``: 团队漏斗, 谁没跟进, 停滞的大单, 李四的商机,
本周战报). Each module has one ``match(text) -> Command | None`` and a ``handle(ctx, command)``.

``bot.conversation.converse`` calls ``respond`` once, after the pending-question check: a reply
means the message was one of these; None sends it on to the parser as before.
"""

from __future__ import annotations

from bot.commands import manager, pool
from bot.context import Ctx


def match(text: str) -> pool.Command | manager.Command | None:
    return pool.match(text) or manager.match(text)


async def respond(ctx: Ctx, text: str) -> str | None:
    """The reply when ``text`` is one of these commands (or the reason a tapped 保留 waits for)."""
    command = pool.match(text)
    if command is not None:
        reply = await pool.handle(ctx, command)
        if reply is not None:
            return reply
    command = manager.match(text)
    if command is not None:
        reply = await manager.handle(ctx, command)
        if reply is not None:
            return reply
    waiting = await pool.pending_keep(ctx)
    if waiting is not None and len(text.strip()) >= 2 and not await _other_request(ctx, text):
        return await pool.answer_keep(ctx, waiting, text)
    return None


# After a tapped 保留, the next message is its reason — unless it plainly asks for something else
# ("我的商机", a new lead, a stage move …). What a rep will do next (下周二拜访, 明天回访) is a reason.
_REQUESTS = frozenset({"create_lead", "update_stage", "mark_won", "mark_lost", "list_deals", "search_kb", "help",
                       "bind", "undo"})


async def _other_request(ctx: Ctx, text: str) -> bool:
    from bot.conversation import understand  # the parser, as the conversation reads messages

    try:
        parsed = await understand(ctx, text)
    except Exception:  # the parser's trouble must not lose the reason
        return False
    return parsed.intent in _REQUESTS


is_button = pool.is_button
on_button = pool.on_button

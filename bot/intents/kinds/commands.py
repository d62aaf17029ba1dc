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


# A polite opening (您好，/ hi,), an announced question (我想问一下 / 请问) or the bot named as the subject
# (这个机器人怎么…) before a how-to question about the bot does not change it.
_GREETING_RE = re.compile(
    r"^(?:(?:你好|您好|hi|hello|hey|在吗)[\s,，!！~。]*|(?:我)?(?:想|要)?(?:问一下|问下|问问|请教一下|请教|教一下|请问)[\s,，]*"
    r"|(?:这个|你这个)?(?:机器人|助手|小助手|bot)(?:里|上)?[\s,，]*(?=(?:怎么|咋|如何|怎样)(?!用|使用|操作)))+",
    re.IGNORECASE,
)


@register("help")
def help_(ctx) -> float:
    return 0.97 if C.HELP_RE.search(_GREETING_RE.sub("", ctx.body)) else 0.0


# The rep's own office life (年会 / 团建 / 发工资 / 报销 / 请假): not about customers or products.
_OFFICE_RE = re.compile(r"(?:老板|领导|经理|主管|总监)[^，,。]{0,4}找你|开会吗|开不开会|年会|团建|发工资|工资|奖金|报销|请假|调休|打卡|考勤|放假|值班|周报|月报|工位|食堂")
_CUSTOMER_WORD_RE = re.compile(r"客户|产品|报价|方案|合同|单子|项目|商机|线索|订单|设备|系统|平台|投标|招标|回款|预算|采购|拜访|演示|样品")


def _office_chatter(ctx, body: str) -> bool:
    if len(body) > 20 or not _OFFICE_RE.search(body) or _CUSTOMER_WORD_RE.search(body):
        return False
    return not (C.SUFFIX_RE.search(body.replace("公司", "")) or C.SURNAME_HON_RE.search(body) or C.DEAL_WORD_RE.search(body))


@register("unknown")
def unknown(ctx) -> float:
    """The floor every other intent must beat; chit-chat lifts it above the business intents."""
    body = ctx.body
    if not body:
        return 1.0
    if ctx._chitchat(body) or _office_chatter(ctx, body):
        return 0.96
    if C.CHITCHAT_RE.search(body):
        return 0.87
    return 0.2

"""create_lead: a new customer, with company, contact, title, phone, e-mail, product and budget.

The request may stand anywhere (新线索：… / …预算180万 新建线索 / Please add X as a new lead / 录一下 /
把他加到系统里), or be missing from a pasted business card; the evidence is the request words
(``cues.LEAD_CMD_RE``, ``cues.LEAD_RECORD_RE``) and what a card holds (a phone or e-mail with a
company or a labelled contact). A lead word used as a noun or a stage (我的新客户 / 退回到新线索)
is no request.
"""

from __future__ import annotations

import re

from bot.intents import cues as C
from bot.intents.leads import CARD_HEADER_RE, CONTACT_LABEL_RE, EMAIL_RE, find_lead_request, lead_fields
from bot.intents.numerals import find_amounts, find_phones
from bot.intents.registry import register

_CARD_LABEL_RE = re.compile(
    r"(?:^|\n|[|｜,，;；/／]\s*)(?:公司|单位|客户|姓名|职务|职位|电话|手机|邮箱|联系人|需求|company|name|title|mobile|tel|email|m|e)\s*[:：]",  # (客户：X / 联系人：Y / …)
    re.IGNORECASE,
)


# A card's name standing alone on its line or between bars (… | 彭卫 | … / Dana Whitfield⏎…)
_CARD_NAME_LINE_RE = re.compile(
    rf"(?:^|[|｜\n])[ \t]*(?:(?:{C.SURNAME_ALT})[\u3400-\u9fff]{{1,2}}|[A-Z][a-z]+(?: [A-Z][a-z']+){{1,2}})[ \t]*(?=[|｜\n])"
)
_ADD_AS_LEAD_RE = re.compile(
    r"\s*(?:please\s+|pls\s+|plz\s+|can you\s+|could you\s+)?(?:add|create|put|enter|log|save)\b.{1,80}?\bas an? (?:new )?(?:lead|prospect|customer)\b",
    re.IGNORECASE,
)


_ADD_COLON_RE = re.compile(r"\s*(?:(?:please|pls|plz|can you|could you)\s+)?add\s*[:：\-–]\s*\S", re.IGNORECASE)


_PLEASE_ADD_RE = re.compile(r"\s*(?i:please|pls|plz|can you|could you)\s+(?i:add)\s+[A-Z][a-z]")


def lead_request(ctx):
    return find_lead_request(ctx.s, ctx.core)


def card_evidence(ctx) -> int:
    """How much of a business card the message holds: phone, e-mail, labelled fields, company, contact."""
    s = ctx.s
    n = 0
    if find_phones(s):
        n += 1
    if EMAIL_RE.search(s):
        n += 1
    if len(_CARD_LABEL_RE.findall(s)) >= 2:
        n += 1
    if C.SUFFIX_RE.search(s) or C.EN_SUFFIX_RE.search(s):
        n += 1
    if CONTACT_LABEL_RE.search(s) or C.SURNAME_HON_RE.search(s) or re.search(r"叫[\u3400-\u9fff]{2,3}", s) \
            or _CARD_NAME_LINE_RE.search(s):
        n += 1
    return n


def fields(ctx) -> dict:
    out, amb = lead_fields(ctx.m)
    if "amount_unit" in amb and "amount" not in out:
        for f in find_amounts(ctx.s):
            if f.ambiguous:
                ctx._amount_unclear(f)
                break
    if "phone_length" in amb:
        ctx.confidence = min(ctx.confidence, 0.45)
        ctx.clarify = "电话号码位数不对，能再发一次吗？" if ctx.lang == "zh" else "The phone number looks incomplete, could you resend it?"
    if "company" not in out:
        ctx.confidence = min(ctx.confidence, 0.6)
    return out


@register("create_lead", fields=fields, writes=True)
def score(ctx) -> float:
    cm = lead_request(ctx)
    if cm and cm.start() <= max(ctx.core, 0) + 8:
        return 0.95
    card = card_evidence(ctx)
    if cm:
        return 0.92 if card >= 1 else 0.80
    if C.LEAD_RECORD_RE.search(ctx.s) and card >= 2:
        return 0.92
    if card >= 1 and _ADD_COLON_RE.match(ctx.s) or card >= 2 and _PLEASE_ADD_RE.match(ctx.s):
        return 0.90  # Pls add: X, Name (Title), email / Please add X — Name, CFO — email: an "add" opening a pasted card
    if C.LEAD_RECORD_RE.search(ctx.s) and card >= 1 and re.search(r"客户|这家|他们|她|他", ctx.s[:C.LEAD_RECORD_RE.search(ctx.s).end()]):
        return 0.85  # 帮我把这个客户录进去 山西焦煤集团 …处长 郭永红: the request names a customer, a company follows
    if _ADD_AS_LEAD_RE.match(ctx.s, ctx.core):
        return 0.92  # Add Pacific Rim Seafood as a lead: the English request wrapped around the name
    if card >= 1 and CARD_HEADER_RE.search(ctx.s):
        return 0.85  # 客户名片 … / 名片信息如下: a card announced as one
    if card >= 3 and not ctx.act:
        return 0.60  # a pasted card with no request word
    return 0.0

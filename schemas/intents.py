"""What the chat parser understood from one message.

One Struct for every intent: ``intent`` names it and the other fields are the ones the message
stated (the shape of ``shared/datasets/chat_cases.jsonl``'s ``expect``). ``to_expect()`` gives
exactly that dict. ``confidence`` and ``clarify`` are the parser's own opinion: when it is unsure
it sets ``clarify`` to the one short question the bot should ask before writing anything.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from schemas.base import Base

IntentName = Literal[
    "create_lead",
    "update_stage",
    "mark_won",
    "mark_lost",
    "log_activity",
    "schedule_followup",
    "list_deals",
    "search_kb",
    "snooze",
    "help",
    "bind",
    "undo",
    "unknown",
]

INTENT_NAMES: tuple[str, ...] = IntentName.__args__  # type: ignore[attr-defined]

# The fields a message may state, in the order the dataset's README lists them.
FIELDS: tuple[str, ...] = (
    "company",
    "contact_name",
    "contact_title",
    "phone",
    "email",
    "product",
    "amount",
    "stage",
    "reason",
    "due",
    "note",
    "query",
    "kb_kind",
    "snooze_days",
    "deal_hint",
)


class ParsedMessage(Base, kw_only=True):
    intent: IntentName
    company: str | None = None
    contact_name: str | None = None
    contact_title: str | None = None
    phone: str | None = None
    email: str | None = None
    product: str | None = None
    amount: int | None = None
    stage: str | None = None
    reason: str | None = None
    due: str | None = None  # ISO 8601 with seconds and the tenant's UTC offset
    note: str | None = None
    query: str | None = None
    kb_kind: Literal["selling_point", "competitor"] | None = None
    snooze_days: int | None = None
    deal_hint: str | None = None
    # The parser's own view, not part of the labelled fields.
    confidence: float = 1.0
    clarify: str | None = None  # a question to ask before acting, when unsure
    lang: Literal["zh", "en"] = "zh"

    def to_expect(self) -> dict:
        """The labelled fields only, as the dataset's ``expect`` holds them."""
        out: dict = {"intent": self.intent}
        for name in FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


def to_json(parsed: ParsedMessage) -> bytes:
    return msgspec.json.encode(parsed)

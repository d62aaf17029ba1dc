"""Outbound messages: what the outbox stores and the WeChat Work message shapes it sends."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import msgspec


class TextMessage(msgspec.Struct, tag="text", kw_only=True):
    content: str


class MarkdownMessage(msgspec.Struct, tag="markdown", kw_only=True):
    content: str


class TemplateCardMessage(msgspec.Struct, tag="template_card", kw_only=True):
    card: dict[str, Any]  # WeChat Work's template_card object, as its API takes it


OutboundMessage = TextMessage | MarkdownMessage | TemplateCardMessage
message_decoder = msgspec.json.Decoder(OutboundMessage)


class OutboxRow(msgspec.Struct, kw_only=True):
    tenant_id: int
    outbox_id: int
    channel: Literal["wecom", "mp"]
    recipient: str
    payload: dict[str, Any]
    idempotency_key: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None = None
    created_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None

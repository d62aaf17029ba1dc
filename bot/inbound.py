"""One decrypted callback message, reduced to what the assistant needs (wechatpy's message classes
read the fields; the XML itself was parsed safely by ``bot.crypto.parse_xml``)."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from wechatpy import events as mp_events, messages as mp_messages
from wechatpy.enterprise import events as wecom_events, messages as wecom_messages
from wechatpy.messages import BaseMessage, UnknownMessage

from backend.errors import Invalid

Channel = Literal["wecom", "mp", "aibot"]  # aibot: WeChat Work's AI bot (bot.aibot)
MAX_TEXT = 2000  # longer messages are cut; WeChat itself caps text at 2048 bytes


class Inbound(msgspec.Struct, frozen=True, kw_only=True):
    channel: Channel
    sender: str  # FromUserName: a WeChat Work userid, or an Official Account openid
    to_user: str  # ToUserName: the corp id, or the Official Account's id
    msg_type: str  # text, voice, event, image …
    text: str | None = None  # typed text, or a voice message's Recognition
    event: str | None = None  # lower-cased Event for event messages
    event_key: str | None = None
    response_code: str | None = None  # a template card tap: lets the app update that card
    create_time: int = 0
    agent_id: int | None = None
    msg_key: str  # MsgId, or sender + CreateTime (+ event) for events: the exactly-once key
    media_id: str | None = None  # a voice message's audio (the self-built app sends no words)


def _message(channel: Channel, data: dict[str, Any]) -> BaseMessage:
    msg_type = str(data.get("MsgType") or "").lower()
    if msg_type == "event":
        types = wecom_events.EVENT_TYPES if channel == "wecom" else mp_events.EVENT_TYPES
        return types.get(str(data.get("Event") or "").lower(), UnknownMessage)(data)
    types = wecom_messages.MESSAGE_TYPES if channel == "wecom" else mp_messages.MESSAGE_TYPES
    return types.get(msg_type, UnknownMessage)(data)


def from_xml(channel: Channel, data: dict[str, Any]) -> Inbound:
    """Build an ``Inbound`` from the decrypted XML's fields; 400 when a required one is missing."""
    for name in ("MsgType", "FromUserName", "CreateTime"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise Invalid(f"message without {name}")
    try:
        create_time = int(data["CreateTime"])
    except ValueError:
        raise Invalid("CreateTime is not a number") from None
    msg = _message(channel, data)
    msg_type = str(data["MsgType"]).lower()
    sender = data["FromUserName"].strip()
    if len(sender) > 128:
        raise Invalid("FromUserName too long")
    text: str | None = None
    if msg_type == "text":
        text = getattr(msg, "content", None) or data.get("Content") or ""
    elif msg_type == "voice":
        text = getattr(msg, "recognition", None) or data.get("Recognition") or ""
    if text is not None:
        text = text.strip()[:MAX_TEXT]
    event = str(data.get("Event") or "").lower() or None if msg_type == "event" else None
    event_key = data.get("EventKey") if isinstance(data.get("EventKey"), str) else None
    response_code = data.get("ResponseCode") if isinstance(data.get("ResponseCode"), str) else None
    if response_code is not None and not (0 < len(response_code) <= 256):
        response_code = None
    agent = data.get("AgentID")
    try:
        agent_id = int(agent) if isinstance(agent, str) and agent.strip() else None
    except ValueError:
        raise Invalid("AgentID is not a number") from None
    media = data.get("MediaId") if msg_type == "voice" else None
    media_id = media.strip()[:256] if isinstance(media, str) and media.strip() else None
    msg_id = str(data.get("MsgId") or "").strip()
    if msg_id:
        if len(msg_id) > 64:
            raise Invalid("MsgId too long")
        msg_key = f"m:{msg_id}"
    else:
        msg_key = f"e:{sender}:{create_time}:{event or msg_type}:{(event_key or '')[:100]}"
    return Inbound(
        channel=channel, sender=sender, to_user=str(data.get("ToUserName") or ""), msg_type=msg_type,
        text=text, event=event, event_key=event_key, response_code=response_code, create_time=create_time,
        agent_id=agent_id, msg_key=msg_key, media_id=media_id,
    )

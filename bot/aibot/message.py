"""One decrypted AI bot callback (or long-connection frame body), reduced to what the assistant reads.

Text is what the rep said: ``text.content``, a voice message's transcript (``voice.content``), the
text parts of a ``mixed`` message; a ``quote`` stands in when the rep's own text is empty. In a
group the bot's @-mention is stripped. Events: ``enter_chat``, ``template_card_event`` (a tap:
``event_key`` and ``task_id``), ``feedback_event``. ``stream`` is WeChat Work asking for a stream's
latest content.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from backend.errors import Invalid

MAX_TEXT = 2000
_MENTION = re.compile(r"^\s*(?:@\S+\s*)+")


class AibotMessage(msgspec.Struct, frozen=True, kw_only=True):
    msgid: str
    aibotid: str = ""
    userid: str
    chattype: str = "single"  # single | group
    chatid: str = ""
    msgtype: str  # text, voice, mixed, image, file, stream, event …
    text: str = ""
    event: str | None = None  # enter_chat, template_card_event, feedback_event …
    event_key: str = ""
    task_id: str = ""
    stream_id: str = ""
    feedback: dict[str, Any] | None = None

    @property
    def msg_key(self) -> str:
        return f"m:{self.msgid}"

    @property
    def in_group(self) -> bool:
        return self.chattype == "group"


def _s(value: Any, limit: int = 256) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _content(part: Any) -> str:
    """The words of one message part: text, voice transcript, or the text items of a mixed one."""
    if not isinstance(part, dict):
        return ""
    kind = part.get("msgtype")
    if kind in ("text", "voice"):
        inner = part.get(kind)
        return inner.get("content", "") if isinstance(inner, dict) and isinstance(inner.get("content"), str) else ""
    if kind == "mixed":
        items = (part.get("mixed") or {}).get("msg_item") if isinstance(part.get("mixed"), dict) else None
        if not isinstance(items, list):
            return ""
        return " ".join(w for w in (_content(i).strip() for i in items) if w)
    return ""


def parse(data: dict[str, Any]) -> AibotMessage:
    """Build an ``AibotMessage``; 400 when a required field is missing or malformed."""
    msgid = _s(data.get("msgid"), 128)
    if not msgid:
        raise Invalid("message without msgid")
    sender = data.get("from")
    userid = _s(sender.get("userid"), 128) if isinstance(sender, dict) else ""
    if not userid:
        raise Invalid("message without from.userid")
    msgtype = _s(data.get("msgtype"), 40).lower()
    if not msgtype:
        raise Invalid("message without msgtype")
    chattype = _s(data.get("chattype"), 20) or "single"
    fields: dict[str, Any] = {}
    if msgtype in ("text", "voice", "mixed"):
        text = _content(data)
        if not text.strip():
            text = _content(data.get("quote"))
        if chattype == "group":
            text = _MENTION.sub("", text)
        fields["text"] = text.strip()[:MAX_TEXT]
    elif msgtype == "stream":
        stream = data.get("stream")
        fields["stream_id"] = _s(stream.get("id"), 128) if isinstance(stream, dict) else ""
    elif msgtype == "event":
        event = data.get("event")
        if not isinstance(event, dict):
            raise Invalid("event without its body")
        name = _s(event.get("eventtype"), 60)
        fields["event"] = name or None
        body = event.get(name) if name else None
        if name == "template_card_event" and isinstance(body, dict):
            fields["event_key"] = _s(body.get("event_key") or body.get("eventkey"), 256)
            fields["task_id"] = _s(body.get("task_id"), 128)
        elif name == "feedback_event" and isinstance(body, dict):
            fields["feedback"] = {k: body.get(k) for k in ("id", "type", "content") if k in body}
    return AibotMessage(msgid=msgid, aibotid=_s(data.get("aibotid")), userid=userid, chattype=chattype,
                        chatid=_s(data.get("chatid")), msgtype=msgtype, **fields)

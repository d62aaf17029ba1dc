"""A test client that talks to ``/wecom/{slug}/aibot`` exactly as WeChat Work's AI bot platform does.

JSON bodies ``{"encrypt": …}``, SHA-1 signatures over sorted (token, timestamp, nonce, encrypt),
AES-256-CBC with receive id ``""`` (101033). The cipher is the test side's own (``WxCipher``,
written from the specification with ``cryptography``, checked against WeChat's published sample
vectors in ``tests/unit/test_bot_crypto.py``), not the app's wechatpy; replies are verified
(signature, receive id) and decrypted here. Message and event bodies follow 100719.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
from dataclasses import dataclass
from typing import Any

import httpx

from backend import clock
from tests.fakes.wecom_client import WxCipher, now_ts, signature

_ids = itertools.count(int.from_bytes(os.urandom(4), "big"))


def new_msgid() -> str:
    return f"CAIQ{next(_ids):x}{secrets.token_hex(4)}="


@dataclass
class AibotReply:
    status: int
    raw: str
    body: dict[str, Any]  # the decrypted reply ({} when empty or refused)

    @property
    def stream(self) -> dict[str, Any]:
        return self.body.get("stream") or {}

    @property
    def content(self) -> str:
        if "stream" in self.body:
            return self.stream.get("content", "")
        if "text" in self.body:
            return self.body["text"].get("content", "")
        card = self.card
        return card.get("sub_title_text", "") if card else ""

    @property
    def card(self) -> dict[str, Any]:
        return self.body.get("template_card") or {}

    def button(self, index: int = 0) -> str:
        return self.card["button_list"][index]["key"]


class AibotClient:
    """WeChat Work's AI bot platform pushing to one tenant's callback."""

    def __init__(self, http: httpx.AsyncClient, slug: str, token: str, aes_key: str, bot_id: str = "aib-test") -> None:
        self.http = http
        self.path = f"/wecom/{slug}/aibot"
        self.token = token
        self.cipher = WxCipher(aes_key, "")
        self.bot_id = bot_id

    # -- building messages ------------------------------------------------------------------
    def _base(self, user: str, msgtype: str, *, chatid: str | None = None, msgid: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"msgid": msgid or new_msgid(), "aibotid": self.bot_id,
                                "chattype": "group" if chatid else "single", "from": {"userid": user},
                                "response_url": "https://example.invalid/respond", "msgtype": msgtype}
        if chatid:
            data["chatid"] = chatid
        return data

    def text_msg(self, user: str, content: str, **kw: Any) -> dict[str, Any]:
        data = self._base(user, "text", **kw)
        data["text"] = {"content": content}
        return data

    def voice_msg(self, user: str, transcript: str, **kw: Any) -> dict[str, Any]:
        data = self._base(user, "voice", **kw)
        data["voice"] = {"content": transcript}
        return data

    def mixed_msg(self, user: str, *texts: str, **kw: Any) -> dict[str, Any]:
        data = self._base(user, "mixed", **kw)
        items: list[dict[str, Any]] = []
        for text in texts:
            items.append({"msgtype": "text", "text": {"content": text}})
            items.append({"msgtype": "image", "image": {"url": "https://example.invalid/img"}})
        data["mixed"] = {"msg_item": items}
        return data

    def media_msg(self, user: str, kind: str = "image", **kw: Any) -> dict[str, Any]:
        data = self._base(user, kind, **kw)
        data[kind] = {"url": "https://example.invalid/file"}
        return data

    def refresh_msg(self, user: str, stream_id: str, **kw: Any) -> dict[str, Any]:
        data = self._base(user, "stream", **kw)
        data["stream"] = {"id": stream_id}
        return data

    def event_msg(self, user: str, eventtype: str, body: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        data = self._base(user, "event", **kw)
        data["create_time"] = int(clock.now().timestamp())
        data["event"] = {"eventtype": eventtype, **({eventtype: body} if body is not None else {})}
        return data

    def tap_msg(self, user: str, task_id: str, key: str, **kw: Any) -> dict[str, Any]:
        return self.event_msg(user, "template_card_event",
                              {"card_type": "button_interaction", "event_key": key, "task_id": task_id}, **kw)

    # -- sending ----------------------------------------------------------------------------
    def envelope(self, data: dict[str, Any] | str, *, timestamp: str | None = None, token: str | None = None,
                 cipher: WxCipher | None = None) -> tuple[bytes, dict[str, str]]:
        timestamp = timestamp or now_ts()
        nonce = secrets.token_hex(5)
        plain = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        encrypted = (cipher or self.cipher).encrypt(plain)
        params = {"msg_signature": signature(token or self.token, timestamp, nonce, encrypted),
                  "timestamp": timestamp, "nonce": nonce}
        return json.dumps({"encrypt": encrypted}).encode(), params

    async def post_raw(self, body: bytes, params: dict[str, str]) -> httpx.Response:
        return await self.http.post(self.path, params=params, content=body, headers={"Content-Type": "application/json"})

    async def post(self, data: dict[str, Any] | str, **kw: Any) -> AibotReply:
        body, params = self.envelope(data, **kw)
        return self.read(await self.post_raw(body, params))

    def read(self, response: httpx.Response) -> AibotReply:
        """Check and decrypt a passive reply (its signature and receive id included)."""
        if response.status_code != 200 or not response.text.strip():
            return AibotReply(response.status_code, response.text, {})
        outer = response.json()
        expected = signature(self.token, str(outer["timestamp"]), outer["nonce"], outer["encrypt"])
        assert outer["msgsignature"] == expected, "reply signature does not verify"
        plain, receive_id, _ = self.cipher.decrypt(outer["encrypt"])
        assert receive_id == "", "an AI bot reply carries receive id ''"
        return AibotReply(200, response.text, json.loads(plain))

    async def verify_url(self, echo: str = "aibot-echo-42", *, bad_signature: bool = False) -> httpx.Response:
        timestamp, nonce = now_ts(), secrets.token_hex(5)
        encrypted = self.cipher.encrypt(echo)
        sig = "0" * 40 if bad_signature else signature(self.token, timestamp, nonce, encrypted)
        return await self.http.get(self.path, params={"msg_signature": sig, "timestamp": timestamp, "nonce": nonce,
                                                      "echostr": encrypted})

    async def text(self, user: str, content: str, **kw: Any) -> AibotReply:
        return await self.post(self.text_msg(user, content, **kw))

    async def voice(self, user: str, transcript: str, **kw: Any) -> AibotReply:
        return await self.post(self.voice_msg(user, transcript, **kw))

    async def refresh(self, user: str, stream_id: str, **kw: Any) -> AibotReply:
        return await self.post(self.refresh_msg(user, stream_id, **kw))

    async def tap(self, user: str, task_id: str, key: str, **kw: Any) -> AibotReply:
        return await self.post(self.tap_msg(user, task_id, key, **kw))


AIBOT_TOKEN = "aibottoken"
AIBOT_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"  # 43 chars


async def aibot_chat(client: httpx.AsyncClient, factory: Any, **user: Any) -> tuple[Any, Any, AibotClient]:
    """A fresh tenant with the AI bot configured, one rep, and an AI bot client: (tenant, rep, ac)."""
    from schemas.tenants import AibotConfig

    tenant, _ = await factory.tenant(aibot=AibotConfig(token=AIBOT_TOKEN, encoding_aes_key=AIBOT_KEY,
                                                       bot_id="aib-test", secret="aibot-secret"))
    rep = await factory.user(tenant.tenant_id, **user)
    return tenant, rep, AibotClient(client, tenant.slug, AIBOT_TOKEN, AIBOT_KEY)

"""An encrypting test client that talks to our callbacks exactly as WeChat Work (and the Official
Account platform) do: SHA-1 signatures over sorted (token, timestamp, nonce, encrypt), AES-256-CBC
with the EncodingAESKey (IV = first 16 key bytes), PKCS#7 padding to 32 bytes, and the plaintext
``random(16) + len(4, big-endian) + xml + receive_id``.

Written from WeChat's specification with ``cryptography`` directly — not with wechatpy, which the
app uses — so the two implementations check each other; ``tests/unit/test_bot_crypto.py`` checks
this one against WeChat's published sample vectors.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import secrets
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from backend import clock

_BLOCK = 32
_msg_ids = itertools.count(int.from_bytes(os.urandom(5), "big") * 1000)


def signature(token: str, timestamp: str, nonce: str, encrypt: str = "") -> str:
    parts = [token, timestamp, nonce] + ([encrypt] if encrypt else [])
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class WxCipher:
    """WeChat's message cipher for one EncodingAESKey and receive id (corp id or app id)."""

    def __init__(self, aes_key: str, receive_id: str) -> None:
        self.key = base64.b64decode(aes_key + "=")
        assert len(self.key) == 32
        self.receive_id = receive_id

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, plain: str, random16: bytes | None = None) -> str:
        random16 = random16 if random16 is not None else secrets.token_hex(8).encode()
        body = plain.encode()
        data = random16 + struct.pack(">I", len(body)) + body + self.receive_id.encode()
        pad = _BLOCK - len(data) % _BLOCK
        data += bytes([pad]) * pad
        enc = self._cipher().encryptor()
        return base64.b64encode(enc.update(data) + enc.finalize()).decode()

    def decrypt(self, encrypted: str) -> tuple[str, str, bytes]:
        """(plaintext, receive id, the 16 random bytes)."""
        dec = self._cipher().decryptor()
        data = dec.update(base64.b64decode(encrypted)) + dec.finalize()
        data = data[: -data[-1]]
        length = struct.unpack(">I", data[16:20])[0]
        return data[20 : 20 + length].decode(), data[20 + length :].decode(), data[:16]


def text_xml(tag: str, value: Any) -> str:
    if isinstance(value, int):
        return f"<{tag}>{value}</{tag}>"
    return f"<{tag}><![CDATA[{value}]]></{tag}>"


def message_xml(fields: dict[str, Any]) -> str:
    return "<xml>" + "".join(text_xml(k, v) for k, v in fields.items() if v is not None) + "</xml>"


def parse(xml: str) -> dict[str, str]:
    root = ET.fromstring(xml)
    return {child.tag: child.text or "" for child in root}


@dataclass
class Reply:
    status: int
    raw: str
    fields: dict[str, str]  # the decrypted reply's fields ({} when there was none)

    @property
    def content(self) -> str:
        return self.fields.get("Content", "")


def now_ts() -> str:
    return str(int(clock.now().timestamp()))


class WecomClient:
    """A WeChat Work server pushing to ``/wecom/{slug}/callback``."""

    def __init__(self, http: httpx.AsyncClient, slug: str, corp_id: str, token: str, aes_key: str,
                 agent_id: int = 1000002) -> None:
        self.http = http
        self.path = f"/wecom/{slug}/callback"
        self.corp_id = corp_id
        self.token = token
        self.cipher = WxCipher(aes_key, corp_id)
        self.agent_id = agent_id

    @classmethod
    def for_tenant(cls, http: httpx.AsyncClient, tenant: Any) -> "WecomClient":
        w = tenant.wecom
        return cls(http, tenant.slug, w.corp_id, w.token, w.encoding_aes_key, w.agent_id)

    async def verify_url(self, echo: str = "echo-1616140317555161061", *, timestamp: str | None = None,
                         bad_signature: bool = False) -> httpx.Response:
        timestamp = timestamp or now_ts()
        nonce = secrets.token_hex(5)
        encrypted = self.cipher.encrypt(echo)
        sig = signature(self.token, timestamp, nonce, encrypted)
        if bad_signature:
            sig = "0" * 40
        params = {"msg_signature": sig, "timestamp": timestamp, "nonce": nonce, "echostr": encrypted}
        return await self.http.get(self.path, params=params)

    def envelope(self, plain_xml: str, *, timestamp: str | None = None, nonce: str | None = None,
                 cipher: WxCipher | None = None, token: str | None = None) -> tuple[str, dict[str, str]]:
        timestamp = timestamp or now_ts()
        nonce = nonce or secrets.token_hex(5)
        encrypted = (cipher or self.cipher).encrypt(plain_xml)
        body = message_xml({"ToUserName": self.corp_id, "Encrypt": encrypted, "AgentID": str(self.agent_id)})
        params = {"msg_signature": signature(token or self.token, timestamp, nonce, encrypted),
                  "timestamp": timestamp, "nonce": nonce}
        return body, params

    async def post_raw(self, body: str | bytes, params: dict[str, str]) -> httpx.Response:
        return await self.http.post(self.path, params=params, content=body,
                                    headers={"Content-Type": "text/xml"})

    async def post(self, plain_xml: str, **kw: Any) -> Reply:
        body, params = self.envelope(plain_xml, **kw)
        return self.read(await self.post_raw(body, params))

    def read(self, response: httpx.Response) -> Reply:
        """Check and decrypt a passive reply (its signature and receive id included)."""
        if response.status_code != 200 or not response.text.strip():
            return Reply(response.status_code, response.text, {})
        outer = parse(response.text)
        expected = signature(self.token, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"])
        assert outer["MsgSignature"] == expected, "reply signature does not verify"
        plain, receive_id, _ = self.cipher.decrypt(outer["Encrypt"])
        assert receive_id == self.corp_id, "reply is for another corp"
        return Reply(200, response.text, parse(plain))

    def text_xml(self, user: str, content: str, msg_id: int | None = None, create_time: int | None = None,
                 msg_type: str = "text") -> str:
        fields: dict[str, Any] = {
            "ToUserName": self.corp_id, "FromUserName": user,
            "CreateTime": create_time or int(clock.now().timestamp()), "MsgType": msg_type,
        }
        if msg_type == "voice":
            fields.update({"MediaId": "media-" + secrets.token_hex(4), "Format": "amr", "Recognition": content})
        else:
            fields["Content"] = content
        fields["MsgId"] = msg_id if msg_id is not None else next(_msg_ids)
        fields["AgentID"] = self.agent_id
        return message_xml(fields)

    async def text(self, user: str, content: str, **kw: Any) -> Reply:
        return await self.post(self.text_xml(user, content, **kw))

    async def voice(self, user: str, recognition: str, **kw: Any) -> Reply:
        return await self.post(self.text_xml(user, recognition, msg_type="voice", **kw))

    def event_xml(self, user: str, event: str, event_key: str | None = None, create_time: int | None = None,
                  **extra: Any) -> str:
        fields: dict[str, Any] = {
            "ToUserName": self.corp_id, "FromUserName": user,
            "CreateTime": create_time or int(clock.now().timestamp()), "MsgType": "event", "Event": event,
            "EventKey": event_key, "AgentID": self.agent_id, **extra,
        }
        return message_xml(fields)

    async def event(self, user: str, event: str, event_key: str | None = None, **kw: Any) -> Reply:
        return await self.post(self.event_xml(user, event, event_key, **kw))


class MpClient:
    """The Official Account platform pushing to ``/wechat/{slug}/callback`` (plain or safe mode)."""

    def __init__(self, http: httpx.AsyncClient, slug: str, appid: str, token: str, aes_key: str = "",
                 account: str = "gh_tuoke") -> None:
        self.http = http
        self.path = f"/wechat/{slug}/callback"
        self.appid = appid
        self.token = token
        self.cipher = WxCipher(aes_key, appid) if aes_key else None
        self.account = account

    def message(self, openid: str, content: str, msg_id: int | None = None) -> str:
        return message_xml({
            "ToUserName": self.account, "FromUserName": openid, "CreateTime": int(clock.now().timestamp()),
            "MsgType": "text", "Content": content, "MsgId": msg_id if msg_id is not None else next(_msg_ids),
        })

    async def verify_url(self, echo: str = "mp-echo-42", *, bad_signature: bool = False) -> httpx.Response:
        timestamp, nonce = now_ts(), secrets.token_hex(5)
        sig = "0" * 40 if bad_signature else signature(self.token, timestamp, nonce)
        return await self.http.get(self.path, params={"signature": sig, "timestamp": timestamp, "nonce": nonce,
                                                      "echostr": echo})

    async def post(self, plain_xml: str, *, encrypted: bool | None = None, bad_signature: bool = False) -> Reply:
        timestamp, nonce = now_ts(), secrets.token_hex(5)
        params = {"signature": signature(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
                  "openid": parse(plain_xml)["FromUserName"]}
        encrypted = self.cipher is not None if encrypted is None else encrypted
        body = plain_xml
        if encrypted:
            assert self.cipher is not None
            enc = self.cipher.encrypt(plain_xml)
            body = message_xml({"ToUserName": self.account, "Encrypt": enc})
            params.update({"encrypt_type": "aes", "msg_signature": signature(self.token, timestamp, nonce, enc)})
        if bad_signature:
            params["signature"] = "0" * 40
            if "msg_signature" in params:
                params["msg_signature"] = "0" * 40
        response = await self.http.post(self.path, params=params, content=body, headers={"Content-Type": "text/xml"})
        if response.status_code != 200 or not response.text.strip():
            return Reply(response.status_code, response.text, {})
        outer = parse(response.text)
        if "Encrypt" not in outer:
            return Reply(200, response.text, outer)
        assert self.cipher is not None
        assert outer["MsgSignature"] == signature(self.token, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"])
        plain, receive_id, _ = self.cipher.decrypt(outer["Encrypt"])
        assert receive_id == self.appid
        return Reply(200, response.text, parse(plain))


async def rep_chat(client: httpx.AsyncClient, factory: Any, *, tenant: Any = None, **user: Any
                   ) -> tuple[Any, Any, WecomClient]:
    """A fresh tenant (unless given), one rep in it, and a WeChat Work client for it: (tenant, rep, wc)."""
    if tenant is None:
        tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id, **user)
    return tenant, rep, WecomClient.for_tenant(client, tenant)

"""The AI bot's callback crypto: the self-built app's scheme with JSON around it and receive id ``""``.

Checks in order: size (the route caps the body), JSON shape, timestamp freshness and the SHA-1
signature, then AES-256-CBC decryption (wechatpy, the same code as the self-built app; an internal
AI bot's receive id is the empty string). Passive replies are the encrypted JSON envelope
``{"encrypt", "msgsignature", "timestamp", "nonce"}``.
"""

from __future__ import annotations

import struct
from typing import Any

import msgspec
from wechatpy.crypto import _get_signature
from wechatpy.enterprise.crypto import PrpCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException, WeChatException

from backend.errors import Forbidden, Invalid
from bot import crypto as wx

RECEIVE_ID = ""  # an internal AI bot's receive id (101033)
MAX_BODY = wx.MAX_BODY
_decoder = msgspec.json.Decoder(dict[str, Any])


def cipher(token: str, aes_key: str) -> Any:
    return wx.wecom_crypto(token, aes_key, RECEIVE_ID)


def verify_echo(token: str, aes_key: str, signature: str, timestamp: str, nonce: str, echostr: str) -> str:
    """URL verification: the decrypted ``echostr`` when the signature holds."""
    return wx.verify_echo(cipher(token, aes_key), signature, timestamp, nonce, echostr)


def parse_envelope(body: bytes) -> str:
    """The ``encrypt`` string of a callback body; 400 for anything that is not ``{"encrypt": "…"}``."""
    if not body or not body.strip():
        raise Invalid("empty body")
    if len(body) > MAX_BODY:
        raise Invalid("body too large")
    try:
        data = _decoder.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError):
        raise Invalid("malformed JSON") from None
    encrypted = data.get("encrypt")
    if not isinstance(encrypted, str) or not encrypted or len(encrypted) > MAX_BODY:
        raise Invalid("no encrypt field")
    return encrypted


def decrypt(token: str, aes_key: str, encrypted: str, signature: str, timestamp: str, nonce: str) -> dict[str, Any]:
    """Check freshness and signature, decrypt, and decode the inner JSON (400 / 403 otherwise)."""
    wx.check_fresh(timestamp)
    try:
        plain = cipher(token, aes_key).decrypt_message({"Encrypt": encrypted}, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise Forbidden("bad signature") from None
    except (InvalidAppIdException, WeChatException):
        raise Forbidden("message is not for this bot") from None
    except (ValueError, TypeError, UnicodeDecodeError, IndexError, struct.error):
        raise Invalid("message does not decrypt") from None
    try:
        data = _decoder.decode(plain.encode() if isinstance(plain, str) else plain)
    except (msgspec.DecodeError, UnicodeDecodeError):
        raise Invalid("the decrypted message is not JSON") from None
    return data


def encrypt(token: str, aes_key: str, body: dict[str, Any] | str) -> dict[str, Any]:
    """The encrypted, signed passive reply envelope for a reply body."""
    text = body if isinstance(body, str) else msgspec.json.encode(body).decode()
    c = cipher(token, aes_key)
    encrypted = PrpCrypto(c.key).encrypt(text, RECEIVE_ID)
    encrypted = encrypted.decode() if isinstance(encrypted, bytes) else encrypted
    nonce, timestamp = wx.new_nonce(), wx.now_timestamp()
    return {"encrypt": encrypted, "msgsignature": _get_signature(c.token, timestamp, nonce, encrypted),
            "timestamp": int(timestamp), "nonce": nonce}

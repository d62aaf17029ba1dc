"""Callback security: safe XML, signatures, timestamp freshness, AES (wechatpy does the crypto).

Order of checks on every callback: size (the route caps the body), then XML without any DTD
(defusedxml: no entities, so no XXE and no billion laughs), then the signature and the timestamp,
and only then decryption (which also checks that the message is for this corp id / app id).
Nothing here touches the database.
"""

from __future__ import annotations

import re

import secrets
import struct
from functools import lru_cache
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from wechatpy.crypto import WeChatCrypto as MpCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WecomCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException, WeChatException
from wechatpy.utils import check_signature as check_plain_signature

from backend import clock
from backend.errors import Forbidden, Invalid

MAX_BODY = 64 * 1024  # WeChat's callback bodies are a few KB at most
MAX_SKEW_SECONDS = 300  # a signed request older (or newer) than this is refused as a replay


def parse_xml(body: bytes | str) -> dict[str, Any]:
    """The children of a WeChat ``<xml>`` document as a dict (text, or a dict for nested nodes).

    Refuses DTDs (and so entity tricks), malformed XML and anything that is not a flat-ish
    ``<xml>`` envelope, with a 400.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not body or not body.strip():
        raise Invalid("empty body")
    if len(body) > MAX_BODY:
        raise Invalid("body too large")
    declared = _DECLARED_ENCODING.match(body)
    if declared and declared[1].lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise Invalid("WeChat's XML is UTF-8; this document declares another encoding")
    if _max_depth(body) > MAX_DEPTH:
        raise Invalid(f"XML nested deeper than {MAX_DEPTH} levels")
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise Invalid("XML with a DTD or entities is refused") from None
    except (ParseError, ValueError, UnicodeError, LookupError) as exc:
        raise Invalid(f"malformed XML: {str(exc)[:80]}") from None
    if root.tag != "xml":
        raise Invalid("expected an <xml> document")
    return _children(root)


MAX_DEPTH = 8  # WeChat's envelopes and messages nest 2–4 levels
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_TAG = re.compile(rb"<(/?)[^>!?]*?(/?)>")


def _max_depth(body: bytes) -> int:
    """How deep the elements nest, read off the tags before any parser builds a tree (a
    ``<a><a><a>…`` bomb is refused without recursion). CDATA and comments are skipped."""
    depth = deepest = 0
    for match in _TAG.finditer(_CDATA.sub(b"", body)):
        closing, self_closing = match[1], match[2]
        if closing:
            depth -= 1
        elif not self_closing:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.DOTALL)


def _children(node: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in node:
        if len(child):
            out[child.tag] = _children(child)
        else:
            out[child.tag] = child.text or ""
    return out


def check_fresh(timestamp: str) -> None:
    """Refuse a timestamp that is not a number or is too far from now (a replayed request)."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        raise Forbidden("bad timestamp") from None
    if abs(clock.now().timestamp() - ts) > MAX_SKEW_SECONDS:
        raise Forbidden("stale timestamp")


def new_nonce() -> str:
    return str(secrets.randbelow(10**10))


def now_timestamp() -> str:
    return str(int(clock.now().timestamp()))


@lru_cache(maxsize=256)
def wecom_crypto(token: str, aes_key: str, corp_id: str) -> WecomCrypto:
    return WecomCrypto(token, aes_key, corp_id)


@lru_cache(maxsize=256)
def mp_crypto(token: str, aes_key: str, appid: str) -> MpCrypto:
    return MpCrypto(token, aes_key, appid)


def verify_echo(crypto: WecomCrypto, signature: str, timestamp: str, nonce: str, echostr: str) -> str:
    """WeChat Work URL verification: check the signature, return the decrypted echo string."""
    check_fresh(timestamp)
    try:
        return crypto.check_signature(signature, timestamp, nonce, echostr)
    except InvalidSignatureException:
        raise Forbidden("bad signature") from None
    except (InvalidAppIdException, WeChatException):
        raise Forbidden("echostr is not for this corp") from None
    except (ValueError, TypeError, UnicodeDecodeError, IndexError, struct.error):
        raise Invalid("echostr does not decrypt") from None


def decrypt(crypto: WecomCrypto | MpCrypto, envelope: dict[str, Any], signature: str, timestamp: str,
            nonce: str) -> dict[str, Any]:
    """Check the message signature and freshness, decrypt, and parse the inner XML safely."""
    encrypted = envelope.get("Encrypt")
    if not isinstance(encrypted, str) or not encrypted:
        raise Invalid("no Encrypt element")
    check_fresh(timestamp)
    try:
        plain = crypto.decrypt_message({"Encrypt": encrypted}, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise Forbidden("bad signature") from None
    except (InvalidAppIdException, WeChatException):
        raise Forbidden("message is not for this corp / app") from None
    except (ValueError, TypeError, UnicodeDecodeError, IndexError, struct.error):
        raise Invalid("message does not decrypt") from None
    return parse_xml(plain)


def encrypt(crypto: WecomCrypto | MpCrypto, reply_xml: str) -> str:
    """The encrypted, signed reply envelope for a rendered reply."""
    return crypto.encrypt_message(reply_xml, new_nonce(), now_timestamp())


def verify_plain(token: str, signature: str, timestamp: str, nonce: str) -> None:
    """Official Account plain mode: sha1 of token, timestamp and nonce (the body is not signed)."""
    check_fresh(timestamp)
    try:
        check_plain_signature(token, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise Forbidden("bad signature") from None

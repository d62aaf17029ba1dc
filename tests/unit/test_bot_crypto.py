"""The test client's WeChat crypto against WeChat's published sample vectors, and against wechatpy
(which the app uses): the two independent implementations must agree byte for byte."""

from __future__ import annotations

import pytest
from wechatpy.enterprise.crypto import WeChatCrypto

from bot import crypto
from backend.errors import Forbidden, Invalid
from tests.fakes.wecom_client import WxCipher, parse, signature

# WeChat Work's sample (加解密方案说明 / WXBizMsgCrypt samples): token, corp id, EncodingAESKey.
TOKEN = "QDG6eK"
CORP_ID = "wx5823bf96d3bd56c7"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
# URL verification sample.
VERIFY_SIG, VERIFY_TS, VERIFY_NONCE = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780"
VERIFY_ECHO = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
VERIFY_PLAIN = "1616140317555161061"
# Encrypted message sample.
MSG_SIG, MSG_TS, MSG_NONCE = "477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149"
MSG_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvu"
    "JTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+Ltw"
    "Gc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2"
    "t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptD"
    "AVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)


def test_signatures_match_the_published_samples():
    assert signature(TOKEN, VERIFY_TS, VERIFY_NONCE, VERIFY_ECHO) == VERIFY_SIG
    assert signature(TOKEN, MSG_TS, MSG_NONCE, MSG_ENCRYPT) == MSG_SIG


def test_client_decrypts_the_published_samples():
    cipher = WxCipher(AES_KEY, CORP_ID)
    plain, receive_id, _ = cipher.decrypt(VERIFY_ECHO)
    assert (plain, receive_id) == (VERIFY_PLAIN, CORP_ID)
    plain, receive_id, _ = cipher.decrypt(MSG_ENCRYPT)
    fields = parse(plain)
    assert receive_id == CORP_ID
    assert fields["FromUserName"] == "mycreate" and fields["Content"] == "hello"
    assert fields["MsgId"] == "4561255354251345929" and fields["AgentID"] == "218"


def test_client_reencrypts_the_samples_byte_for_byte():
    cipher = WxCipher(AES_KEY, CORP_ID)
    for sample in (VERIFY_ECHO, MSG_ENCRYPT):
        plain, _, random16 = cipher.decrypt(sample)
        assert cipher.encrypt(plain, random16) == sample


def test_app_crypto_accepts_the_samples(monkeypatch):
    import datetime as dt

    from backend import clock

    cipher = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)
    clock.set_now(dt.datetime.fromtimestamp(int(VERIFY_TS), dt.timezone.utc))
    try:
        assert crypto.verify_echo(cipher, VERIFY_SIG, VERIFY_TS, VERIFY_NONCE, VERIFY_ECHO) == VERIFY_PLAIN
        clock.set_now(dt.datetime.fromtimestamp(int(MSG_TS), dt.timezone.utc))
        data = crypto.decrypt(cipher, {"Encrypt": MSG_ENCRYPT}, MSG_SIG, MSG_TS, MSG_NONCE)
        assert data["Content"] == "hello" and data["FromUserName"] == "mycreate"
        with pytest.raises(Forbidden):
            crypto.decrypt(cipher, {"Encrypt": MSG_ENCRYPT}, "0" * 40, MSG_TS, MSG_NONCE)
        with pytest.raises(Forbidden):  # the same message for another corp id
            crypto.decrypt(WeChatCrypto(TOKEN, AES_KEY, "wwsomeoneelse"), {"Encrypt": MSG_ENCRYPT}, MSG_SIG, MSG_TS,
                           MSG_NONCE)
        clock.set_now(dt.datetime.fromtimestamp(int(MSG_TS) + 3600, dt.timezone.utc))
        with pytest.raises(Forbidden):  # a replay an hour later
            crypto.decrypt(cipher, {"Encrypt": MSG_ENCRYPT}, MSG_SIG, MSG_TS, MSG_NONCE)
    finally:
        clock.set_now(None)


def test_app_reply_decrypts_with_the_client():
    cipher = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)
    envelope = parse(crypto.encrypt(cipher, "<xml><Content><![CDATA[你好]]></Content></xml>"))
    assert envelope["MsgSignature"] == signature(TOKEN, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"])
    plain, receive_id, _ = WxCipher(AES_KEY, CORP_ID).decrypt(envelope["Encrypt"])
    assert receive_id == CORP_ID and parse(plain)["Content"] == "你好"


@pytest.mark.parametrize("body", [
    b"",
    b"<xml><Encrypt>abc</Encrypt>",  # not closed
    b"<notxml><a>1</a></notxml>",
    b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b"<xml><Content>&b;</Content></xml>",  # billion laughs, small
    b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>',
    b"<xml>" + b"<A>x</A>" * 20000 + b"</xml>",  # over the size cap
])
def test_parse_xml_refuses_bad_input(body):
    with pytest.raises(Invalid):
        crypto.parse_xml(body)


def test_parse_xml_reads_nested_and_cdata():
    data = crypto.parse_xml("<xml><A><![CDATA[x]]y]]></A><B><C>1</C></B></xml>")
    assert data == {"A": "x]]y", "B": {"C": "1"}}

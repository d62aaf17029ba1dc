"""The AI bot's crypto (the app's, wechatpy with receive id "") against the test client's own
(checked against WeChat's published sample vectors in test_bot_crypto) and the published sample."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from backend import clock
from backend.errors import Forbidden, Invalid
from bot.aibot import crypto, message
from tests.fakes.wecom_client import WxCipher, signature
from tests.unit.test_bot_crypto import AES_KEY, MSG_ENCRYPT, MSG_NONCE, MSG_SIG, MSG_TS, TOKEN


def test_the_published_sample_verifies_but_is_for_another_receiver():
    clock.set_now(dt.datetime.fromtimestamp(int(MSG_TS), dt.timezone.utc))
    # The signature holds (same scheme); the plaintext ends with a corp id, not an AI bot's "".
    with pytest.raises(Forbidden, match="not for this bot"):
        crypto.decrypt(TOKEN, AES_KEY, MSG_ENCRYPT, MSG_SIG, MSG_TS, MSG_NONCE)
    with pytest.raises(Forbidden, match="bad signature"):
        crypto.decrypt(TOKEN, AES_KEY, MSG_ENCRYPT, "0" * 40, MSG_TS, MSG_NONCE)
    clock.set_now(None)


def test_app_and_client_agree_both_ways():
    cipher = WxCipher(AES_KEY, "")
    body = {"msgid": "m1", "from": {"userid": "u1"}, "msgtype": "voice", "voice": {"content": "新客户 顺和"}}
    encrypted = cipher.encrypt(json.dumps(body, ensure_ascii=False))
    ts = str(int(clock.now().timestamp()))
    data = crypto.decrypt(TOKEN, AES_KEY, encrypted, signature(TOKEN, ts, "n1", encrypted), ts, "n1")
    assert message.parse(data).text == "新客户 顺和"
    reply = crypto.encrypt(TOKEN, AES_KEY, {"msgtype": "stream", "stream": {"id": "s1", "finish": True, "content": "好"}})
    assert reply["msgsignature"] == signature(TOKEN, str(reply["timestamp"]), reply["nonce"], reply["encrypt"])
    plain, receive_id, _ = cipher.decrypt(reply["encrypt"])
    assert receive_id == "" and json.loads(plain)["stream"]["content"] == "好"


def test_envelopes_and_messages_that_are_refused():
    for bad in (b"", b"[]", b"{", b'{"encrypt": 1}', b'{"other": "x"}'):
        with pytest.raises(Invalid):
            crypto.parse_envelope(bad)
    with pytest.raises(Invalid):
        message.parse({"msgtype": "text", "from": {"userid": "u"}})
    with pytest.raises(Invalid):
        message.parse({"msgid": "1", "msgtype": "text", "from": "u"})
    group = message.parse({"msgid": "1", "msgtype": "text", "chattype": "group", "from": {"userid": "u"},
                           "text": {"content": "@拓客助手 查一下储能柜卖点"}})
    assert group.text == "查一下储能柜卖点" and group.in_group
    mixed = message.parse({"msgid": "2", "msgtype": "mixed", "from": {"userid": "u"}, "mixed": {"msg_item": [
        {"msgtype": "text", "text": {"content": "顺和"}}, {"msgtype": "image", "image": {"url": "x"}},
        {"msgtype": "text", "text": {"content": "进入方案"}}]}})
    assert mixed.text == "顺和 进入方案"
    tap = message.parse({"msgid": "3", "msgtype": "event", "from": {"userid": "u"}, "event": {
        "eventtype": "template_card_event", "template_card_event": {"event_key": "1:yes", "task_id": "t1"}}})
    assert (tap.event, tap.event_key, tap.task_id) == ("template_card_event", "1:yes", "t1")

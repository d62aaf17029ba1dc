"""Replies: money and dates as reps read them, both languages, WeChat's size limit, CDATA safety."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import replies
from bot.actions import activity_kind, open_stage_after
from bot.inbound import from_xml
from backend.errors import Invalid
from schemas.deals import DEFAULT_PIPELINE

CST = dt.timezone(dt.timedelta(hours=8))


def test_money():
    assert replies.money(500_000, "zh") == "50万"
    assert replies.money(120_000_000, "zh") == "1.2亿"
    assert replies.money(12_345, "zh") == "12345元"
    assert replies.money(500_000, "en") == "¥500,000"


def test_when_is_relative_in_the_tenant_timezone():
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=CST)
    assert replies.when(dt.datetime(2026, 11, 24, 15, 0, tzinfo=CST), "Asia/Shanghai", "zh", now) == "明天(周二) 15:00"
    assert replies.when(dt.datetime(2026, 11, 27, 9, 0, tzinfo=CST), "Asia/Shanghai", "zh", now) == "11月27日(周五) 09:00"
    assert replies.when(dt.datetime(2026, 11, 24, 7, 0, tzinfo=dt.timezone.utc), "Asia/Shanghai", "en", now) == "tomorrow 15:00"


def test_every_reply_has_both_languages_and_fits():
    for key, versions in replies._T.items():
        assert set(versions) == {"zh", "en"}, key
    long = replies.say("failed", "zh", detail="很长" * 2000)
    assert len(long.encode()) <= replies.REPLY_LIMIT
    assert "]]>" not in replies.fit("a]]>b")
    assert replies.say("lost", "fr", deal="X", extra="").startswith("已将")  # unknown language → Chinese
    assert "撤销" in replies.say("won", "zh", deal="X", extra="") and "undo" in replies.say("won", "en", deal="X", extra="")


def test_activity_kinds():
    assert activity_kind("今天拜访了刘总") == "visit"
    assert activity_kind("给赵工打了电话") == "call"
    assert activity_kind("sent the quote by email") == "email"
    assert activity_kind("报价单已经发过去了") == "note"


def test_next_open_stage():
    stages = {s.key: s for s in DEFAULT_PIPELINE}
    assert open_stage_after("lead", stages) == "qualified"
    assert open_stage_after("negotiation", stages) == "won"
    assert open_stage_after("won", stages) is None
    assert open_stage_after("lost", stages) is None


def test_inbound_keys_and_voice():
    base = {"ToUserName": "wwcorp", "FromUserName": "zhangsan", "CreateTime": "1795390000", "AgentID": "1000002"}
    text = from_xml("wecom", {**base, "MsgType": "text", "Content": " 你好 ", "MsgId": "123"})
    assert (text.text, text.msg_key, text.agent_id) == ("你好", "m:123", 1000002)
    voice = from_xml("wecom", {**base, "MsgType": "voice", "Recognition": "顺和签了", "MsgId": "124"})
    assert voice.text == "顺和签了"
    event = from_xml("wecom", {**base, "MsgType": "event", "Event": "template_card_event", "EventKey": "nudge:1:done"})
    assert event.msg_key == "e:zhangsan:1795390000:template_card_event:nudge:1:done"
    with pytest.raises(Invalid):
        from_xml("wecom", {**base, "MsgType": "text", "CreateTime": "yesterday"})
    with pytest.raises(Invalid):
        from_xml("wecom", {"MsgType": "text"})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_example_the_help_gives_is_understood(lang):
    from bot.intents import parse

    lines = [line.strip("· ") for line in replies.say("help", lang).splitlines()[1:]]
    examples = [part.split("（")[0].split(" (")[0].strip() for line in lines for part in line.split("/")]
    assert len(examples) >= 11
    for example in examples:
        assert parse(example).intent != "unknown", example

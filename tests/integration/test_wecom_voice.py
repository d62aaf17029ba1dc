"""The self-built app's voice messages carry only a MediaId: the audio is fetched through the media
API and transcribed when a speech-to-text endpoint is configured; otherwise the rep is told in one
line how to send voice — never silence, and nothing is written."""

from __future__ import annotations

import itertools
import os

import pytest

from backend import clock
from backend.settings import reset_settings
from tests.fakes.wecom_client import message_xml, rep_chat

_ids = itertools.count(int.from_bytes(os.urandom(4), "big"))


def voice_xml(wc, user: str, media_id: str) -> str:
    return message_xml({"ToUserName": wc.corp_id, "FromUserName": user, "CreateTime": int(clock.now().timestamp()),
                        "MsgType": "voice", "MediaId": media_id, "Format": "amr", "MsgId": next(_ids),
                        "AgentID": wc.agent_id})


@pytest.fixture
def stt(monkeypatch, fake_wechat):
    monkeypatch.setenv("TUOKE_STT_BASE_URL", fake_wechat.url + "/v1")
    monkeypatch.setenv("TUOKE_STT_MODEL", "whisper-1")
    reset_settings()
    yield fake_wechat
    monkeypatch.delenv("TUOKE_STT_BASE_URL")
    reset_settings()


async def test_voice_without_words_says_how_to_send_voice(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    r = await wc.post(voice_xml(wc, rep.wecom_userid, "media-1"))
    assert "智能机器人" in r.content and "语音输入" in r.content
    assert await db.fetchval("SELECT count(*) FROM inbound_messages WHERE tenant_id = $1", tenant.tenant_id) == 0


async def test_voice_is_transcribed_and_acts_once(client, factory, db, stt):
    tenant, rep, wc = await rep_chat(client, factory)
    stt.add_voice("media-lead", "新客户 佛山顺和陶瓷 刘总 13800138000 预算50万")
    xml = voice_xml(wc, rep.wecom_userid, "media-lead")
    r = await wc.post(xml)
    assert "顺和" in r.content and "回复1确认" in r.content  # a budget is confirmed before it is written
    again = await wc.post(xml)  # WeChat's retry: the stored reply, no second transcription
    assert again.content == r.content
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 0
    r = await wc.text(rep.wecom_userid, "1")
    assert "已新建线索" in r.content and "顺和" in r.content
    assert await db.fetchval("SELECT amount FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 500000
    assert len(stt.transcriptions()) == 1
    # Audio that cannot be fetched (expired media): the one-line how-to, nothing written.
    r = await wc.post(voice_xml(wc, rep.wecom_userid, "media-gone"))
    assert "智能机器人" in r.content
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 1

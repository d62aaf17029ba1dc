"""The WeChat Work callback trusts nothing unverified: URL verification, forged or stale signatures,
another corp's messages, malformed / oversized / entity-laden XML, unknown senders and tenants."""

from __future__ import annotations

import datetime as dt

from backend import clock
from tests.fakes.wecom_client import WxCipher, message_xml, now_ts, rep_chat, signature


async def _count(db, table, tenant_id) -> int:
    return await db.fetchval(f"SELECT count(*) FROM {table} WHERE tenant_id = $1", tenant_id)


async def test_url_verification(client, factory):
    tenant, _, wc = await rep_chat(client, factory)
    ok = await wc.verify_url("echo-5161061")
    assert ok.status_code == 200 and ok.text == "echo-5161061"
    forged = await wc.verify_url("echo-5161061", bad_signature=True)
    assert forged.status_code == 403
    stale = await wc.verify_url("echo", timestamp=str(int(clock.now().timestamp()) - 3600))
    assert stale.status_code == 403
    missing = await client.get(wc.path, params={"timestamp": now_ts(), "nonce": "1", "echostr": "x"})
    assert missing.status_code == 400
    unknown = await client.get("/wecom/no-such-tenant/callback",
                               params={"msg_signature": "0" * 40, "timestamp": now_ts(), "nonce": "1", "echostr": "x"})
    assert unknown.status_code == 404


async def test_forged_signature_changes_nothing(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    body, params = wc.envelope(wc.text_xml(rep.wecom_userid, "新客户 伪造科技 13800009999"))
    params["msg_signature"] = signature("not-the-token", params["timestamp"], params["nonce"], "x")
    r = await wc.post_raw(body, params)
    assert r.status_code == 403
    # Signed with another token entirely.
    r2 = await wc.post(wc.text_xml(rep.wecom_userid, "新客户 伪造科技 13800009999"), token="guessed-token")
    assert r2.status == 403
    assert await _count(db, "deals", tenant.tenant_id) == 0
    assert await _count(db, "inbound_messages", tenant.tenant_id) == 0


async def test_replayed_old_message_is_refused(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    old = str(int((clock.now() - dt.timedelta(hours=2)).timestamp()))
    r = await wc.post(wc.text_xml(rep.wecom_userid, "新客户 重放科技 13800008888"), timestamp=old)
    assert r.status == 403
    assert await _count(db, "deals", tenant.tenant_id) == 0


async def test_message_for_another_corp_is_refused(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    # Correct token and key, but encrypted for another corp id (the receive id inside the ciphertext).
    other = WxCipher(tenant.wecom.encoding_aes_key, "wwanothercorp0001")
    r = await wc.post(wc.text_xml(rep.wecom_userid, "新客户 别家科技 13800007777"), cipher=other)
    assert r.status == 403
    # Right corp in the ciphertext, but the inner ToUserName names another corp.
    xml = wc.text_xml(rep.wecom_userid, "新客户 别家科技 13800007777").replace(tenant.wecom.corp_id, "wwanothercorp0001")
    r = await wc.post(xml)
    assert r.status == 403
    # Another app (AgentID) of the same corp.
    xml = wc.text_xml(rep.wecom_userid, "新客户 别家科技 13800007777").replace("<AgentID>1000002</AgentID>",
                                                                            "<AgentID>1000099</AgentID>")
    assert (await wc.post(xml)).status == 403
    assert await _count(db, "deals", tenant.tenant_id) == 0


async def test_malformed_and_hostile_xml(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    ts, nonce = now_ts(), "12345"
    params = {"msg_signature": signature(wc.token, ts, nonce, ""), "timestamp": ts, "nonce": nonce}
    bodies = [
        b"<xml><Encrypt>unclosed",
        b"not xml at all",
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><Encrypt>&c;</Encrypt></xml>',
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Encrypt>&x;</Encrypt></xml>',
        b"<xml><ToUserName>x</ToUserName></xml>",  # no Encrypt
    ]
    for body in bodies:
        r = await wc.post_raw(body, params)
        assert r.status_code == 400, (body[:40], r.status_code, r.text)
    # Entities inside the *encrypted* payload are refused too (signature valid, XML hostile).
    inner = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
             f"<xml><ToUserName>{tenant.wecom.corp_id}</ToUserName><FromUserName>{rep.wecom_userid}</FromUserName>"
             "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&x;</Content><MsgId>1</MsgId></xml>")
    assert (await wc.post(inner)).status == 400
    # A decrypted message without the fields every message has.
    assert (await wc.post(message_xml({"ToUserName": tenant.wecom.corp_id, "Content": "hi"}))).status == 400
    oversized = b"<xml><Encrypt>" + b"A" * (70 * 1024) + b"</Encrypt></xml>"
    assert (await wc.post_raw(oversized, params)).status_code == 413
    assert await _count(db, "inbound_messages", tenant.tenant_id) == 0


async def test_unknown_sender_gets_a_polite_reply_and_nothing_is_written(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    r = await wc.text("stranger-001", "新客户 陌生科技 13800006666")
    assert r.status == 200 and "联系管理员" in r.content
    r = await wc.text("stranger-002", "new lead Unknown Corp")
    assert "not registered" in r.content
    for table in ("deals", "accounts", "inbound_messages", "change_log", "bot_pending"):
        assert await _count(db, table, tenant.tenant_id) == 0, table


async def test_non_text_messages_and_quiet_events(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    image = wc.text_xml(rep.wecom_userid, "x").replace("<MsgType><![CDATA[text]]></MsgType>",
                                                       "<MsgType><![CDATA[image]]></MsgType>")
    assert "文字和语音" in (await wc.post(image)).content
    r = await wc.voice(rep.wecom_userid, "")
    assert "没听清" in r.content
    r = await wc.event(rep.wecom_userid, "enter_agent")
    assert r.status == 200 and r.fields == {} and r.raw == ""
    assert await _count(db, "inbound_messages", tenant.tenant_id) == 0

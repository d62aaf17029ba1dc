"""The AI bot callback over real HTTP: URL verification, signatures, malformed input, unknown members,
messages of every kind, and each msgid acting once however often WeChat Work retries it."""

from __future__ import annotations

import asyncio
import json

from tests.fakes.aibot_client import AIBOT_KEY, AibotClient, aibot_chat
from tests.fakes.wecom_client import WxCipher
from tests.integration.test_aibot_done_when import tap_through


async def _count(db, tenant_id: int, table: str = "deals") -> int:
    return await db.fetchval(f"SELECT count(*) FROM {table} WHERE tenant_id = $1", tenant_id)


async def test_url_verification_answers_the_echo(client, factory):
    tenant, rep, ac = await aibot_chat(client, factory)
    r = await ac.verify_url("1616140317555161061")
    assert r.status_code == 200 and r.text == "1616140317555161061"
    assert (await ac.verify_url(bad_signature=True)).status_code == 403


async def test_not_set_up_is_404(client, factory):
    tenant, _ = await factory.tenant()
    ac = AibotClient(client, tenant.slug, "x", AIBOT_KEY)
    assert (await ac.verify_url()).status_code == 404
    assert (await ac.text("someone", "hi")).status == 404


async def test_voice_lead_is_written_with_phone_and_amount(client, factory, db):
    tenant, rep, ac = await aibot_chat(client, factory)
    r = await ac.voice(rep.wecom_userid, "新客户 佛山顺和陶瓷 刘总 一三八零零一三八零零零 想了解储能柜 预算五十万")
    r, _ = await tap_through(ac, rep.wecom_userid, r)  # where an amount is confirmed first, tap 确认
    assert r.status == 200 and (r.body.get("msgtype") == "stream" and r.stream["finish"] is True
                                or r.body.get("response_type") == "update_template_card")
    assert "顺和" in r.content and "撤销" in r.content
    row = await db.fetchrow("SELECT d.amount, c.phone FROM deals d JOIN contacts c USING (tenant_id, contact_id)"
                            " WHERE d.tenant_id = $1", tenant.tenant_id)
    assert row["amount"] == 500000 and row["phone"] == "13800138000"


async def test_forged_signature_stale_time_and_wrong_key_change_nothing(client, factory, db):
    tenant, rep, ac = await aibot_chat(client, factory)
    msg = ac.text_msg(rep.wecom_userid, "新客户 顺和陶瓷 刘总 13800138000")
    assert (await ac.post(msg, token="forged")).status == 403
    assert (await ac.post(msg, timestamp="1000000000")).status == 403
    wrong = WxCipher("A" * 43, "")
    assert (await ac.post(msg, cipher=wrong)).status in (400, 403)
    assert await _count(db, tenant.tenant_id) == 0
    assert await _count(db, tenant.tenant_id, "inbound_messages") == 0


async def test_malformed_and_oversized_bodies_are_refused(client, factory, db):
    tenant, rep, ac = await aibot_chat(client, factory)
    _, params = ac.envelope(ac.text_msg(rep.wecom_userid, "hi"))
    assert (await ac.post_raw(b"{not json", params)).status_code == 400
    assert (await ac.post_raw(b'{"encrypt": 5}', params)).status_code == 400
    assert (await ac.post_raw(b"", params)).status_code == 400
    assert (await ac.post_raw(b'{"encrypt": "' + b"A" * 70000 + b'"}', params)).status_code in (400, 413)
    # signed and encrypted, but the inner message is not JSON / lacks its sender
    assert (await ac.post("this is not json")).status == 400
    assert (await ac.post({"msgid": "x1", "msgtype": "text", "text": {"content": "hi"}})).status == 400
    assert await _count(db, tenant.tenant_id, "inbound_messages") == 0


async def test_unknown_member_gets_a_polite_reply_and_nothing_is_written(client, factory, db):
    tenant, rep, ac = await aibot_chat(client, factory)
    r = await ac.text("stranger", "新客户 顺和陶瓷 刘总 13800138000")
    assert r.status == 200 and "管理员" in r.content
    assert await _count(db, tenant.tenant_id) == 0
    assert await _count(db, tenant.tenant_id, "inbound_messages") == 0


async def test_a_retried_msgid_acts_once_sequential_and_concurrent(client, factory, db):
    tenant, rep, ac = await aibot_chat(client, factory)
    msg = ac.text_msg(rep.wecom_userid, "新客户 顺和陶瓷 刘总 13800138000")
    first = await ac.post(msg)
    again = await ac.post(msg)
    assert first.body == again.body
    msg2 = ac.text_msg(rep.wecom_userid, "新客户 广联招标 王总 13900139000")
    replies = await asyncio.gather(*[ac.post(msg2) for _ in range(5)])
    assert all(r.status == 200 for r in replies)
    assert len({json.dumps(r.body, sort_keys=True) for r in replies}) == 1
    assert await _count(db, tenant.tenant_id) == 2


async def test_mixed_quote_group_media_and_enter_chat(client, factory, db):
    tenant, rep, ac = await aibot_chat(client, factory)
    r = await ac.post(ac.mixed_msg(rep.wecom_userid, "新客户 顺和陶瓷 刘总 13800138000"))
    assert "顺和" in r.content and await _count(db, tenant.tenant_id) == 1
    quoted = ac.text_msg(rep.wecom_userid, "")
    quoted["quote"] = {"msgtype": "text", "text": {"content": "我的商机"}}
    assert "顺和" in (await ac.post(quoted)).content
    # In a group: @-mention stripped; the rep's deals are never listed there, nothing is written.
    r = await ac.text(rep.wecom_userid, "@拓客助手 我的商机", chatid="wrgroup1")
    assert "单聊" in r.content and "顺和" not in r.content
    r = await ac.text(rep.wecom_userid, "@拓客助手 新客户 广联招标 王总 13900139000", chatid="wrgroup1")
    assert "单聊" in r.content and await _count(db, tenant.tenant_id) == 1
    r = await ac.post(ac.media_msg(rep.wecom_userid, "image"))
    assert "语音" in r.content or "说" in r.content
    r = await ac.post(ac.event_msg(rep.wecom_userid, "enter_chat"))
    assert r.body["msgtype"] == "text" and rep.name in r.content
    r = await ac.post(ac.event_msg(rep.wecom_userid, "feedback_event", {"id": "f1", "type": 1}))
    assert r.status == 200 and r.body == {}


async def test_admin_config_is_write_only(client, factory, admin_headers):
    tenant, rep, ac = await aibot_chat(client, factory)
    r = await client.get(f"/admin/v1/tenants/{tenant.slug}", headers=admin_headers)
    cfg = r.json()["aibot"]
    assert cfg["bot_id"] == "aib-test" and cfg["secret"] == "****cret" and AIBOT_KEY not in json.dumps(r.json())
    r = await client.patch(f"/admin/v1/tenants/{tenant.slug}", headers=admin_headers,
                           json={"aibot": {"bot_id": "aib-2"}})
    assert r.status_code == 200 and r.json()["aibot"]["bot_id"] == "aib-2" and r.json()["aibot"]["secret"] == "****cret"
    assert (await ac.verify_url()).status_code == 200  # token and key kept
    r = await client.patch(f"/admin/v1/tenants/{tenant.slug}", headers=admin_headers,
                           json={"aibot": {"encoding_aes_key": "short"}})
    assert r.status_code == 400


async def test_cli_creates_and_updates_the_aibot_config(db, database_url):
    import secrets as _secrets

    from click.testing import CliRunner

    from backend.cli import main

    slug = "cli-" + _secrets.token_hex(3)
    runner = CliRunner()
    result = await asyncio.to_thread(runner.invoke, main, [
        "tenant", "create", slug, "--name", "CLI 租户", "--aibot-token", "tok1", "--aibot-aes-key", AIBOT_KEY,
        "--aibot-bot-id", "aib-cli", "--aibot-secret", "sec-12345"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)["tenant"]["aibot"]
    # Secrets shorter than 12 characters show no tail at all (as every tenant secret).
    assert shown == {"bot_id": "aib-cli", "token": "****", "encoding_aes_key": "****" + AIBOT_KEY[-4:],
                     "secret": "****"}
    result = await asyncio.to_thread(runner.invoke, main, ["tenant", "update", slug, "--set", 'aibot={"secret": "new-9999"}'])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["aibot"]["secret"] == "****"
    stored = await db.fetchval("SELECT aibot FROM tenants WHERE slug = $1", slug)
    assert stored["token"] == "tok1" and stored["secret"] == "new-9999"

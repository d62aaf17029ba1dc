"""The callback caches each tenant's configuration and stages in the process; every change made
elsewhere (admin API, plain SQL) reaches the next message, and a message that fails in a savepoint
after writing is handled again with real savepoints."""

from __future__ import annotations

from tests.fakes.wecom_client import WecomClient, rep_chat


async def test_a_stage_alias_added_through_the_admin_api_is_understood_by_the_next_message(
        client, factory, db, admin_headers):
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    first = await wc.text(rep.wecom_userid, "顺和那单进入方案")  # the stages are now cached
    assert first.content.startswith("已把")
    r = await client.patch(f"/admin/v1/tenants/{tenant.slug}/stages/bidding", headers=admin_headers,
                           json={"aliases": ["招标", "挂网"]})
    assert r.status_code == 200
    moved = await wc.text(rep.wecom_userid, "顺和那单进入挂网")
    assert moved.content.startswith("已把") and "投标" in moved.content
    assert await db.fetchval("SELECT stage FROM deals WHERE tenant_id = $1 AND deal_id = $2",
                             tenant.tenant_id, deal.deal_id) == "bidding"


async def test_a_stage_renamed_in_plain_sql_reaches_the_next_reply(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    await factory.deal(rep, "佛山顺和陶瓷有限公司")
    await wc.text(rep.wecom_userid, "顺和那单进入方案")
    await db.execute("UPDATE pipeline_stages SET name_zh = '方案设计' WHERE tenant_id = $1 AND key = 'solution'",
                     tenant.tenant_id)
    listed = await wc.text(rep.wecom_userid, "我的商机")
    assert "方案设计" in listed.content


async def test_rotated_keys_take_effect_at_once_and_the_old_ones_stop_working(client, factory, admin_headers):
    tenant, rep, wc = await rep_chat(client, factory)
    assert (await wc.text(rep.wecom_userid, "帮助")).status == 200  # the tenant is now cached
    r = await client.patch(f"/admin/v1/tenants/{tenant.slug}", headers=admin_headers,
                           json={"wecom": {"corp_id": tenant.wecom.corp_id, "agent_id": tenant.wecom.agent_id,
                                           "token": "rotatedtoken", "encoding_aes_key": tenant.wecom.encoding_aes_key,
                                           "secret": "corp-secret"}})
    assert r.status_code == 200
    fresh = WecomClient(client, tenant.slug, tenant.wecom.corp_id, "rotatedtoken", tenant.wecom.encoding_aes_key,
                        agent_id=tenant.wecom.agent_id)
    ok = await fresh.text(rep.wecom_userid, "我的商机")
    assert ok.status == 200
    old = await wc.text(rep.wecom_userid, "我的商机")
    assert old.status == 403


async def test_old_keys_are_refused_even_when_this_process_still_caches_them(client, factory, db):
    """Keys changed behind the process's back (plain SQL): a message signed with the old ones passes the
    cached check, then the round trip that starts it finds a newer config version: refused, nothing written."""
    tenant, rep, wc = await rep_chat(client, factory)
    assert (await wc.text(rep.wecom_userid, "帮助")).status == 200
    await db.execute("UPDATE tenants SET wecom = wecom || '{\"token\": \"sqltoken\"}'::jsonb WHERE tenant_id = $1",
                     tenant.tenant_id)
    old = await wc.text(rep.wecom_userid, "新客户 深圳前海星辰科技 陈经理 13600001111")
    assert old.status == 403
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 0
    assert await db.fetchval("SELECT count(*) FROM inbound_messages WHERE tenant_id = $1 AND reply IS NULL",
                             tenant.tenant_id) == 0


async def test_someone_elses_deal_is_refused_and_nothing_of_the_message_stays(client, factory, db):
    """The access check fails after the deal was read inside a savepoint: the message is handled
    again with real savepoints, answers the refusal and keeps the key with that reply."""
    tenant, rep, wc = await rep_chat(client, factory)
    other = await factory.user(tenant.tenant_id, name="李四", team="华南组")
    deal = await factory.deal(other, "佛山顺和陶瓷有限公司")
    before = await db.fetchval("SELECT count(*) FROM change_log WHERE tenant_id = $1", tenant.tenant_id)
    refused = await wc.event(rep.wecom_userid, "template_card_event", f"nudge:{deal.deal_id}:done")
    assert "不是你的" in refused.content
    assert await db.fetchval("SELECT count(*) FROM activities WHERE tenant_id = $1", tenant.tenant_id) == 0
    assert await db.fetchval("SELECT count(*) FROM change_log WHERE tenant_id = $1", tenant.tenant_id) == before
    assert await db.fetchval("SELECT count(*) FROM inbound_messages WHERE tenant_id = $1 AND reply LIKE '%不是你的%'",
                             tenant.tenant_id) == 1

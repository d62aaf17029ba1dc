"""Each intent end to end: an encrypted WeChat Work message over HTTP → the database → the reply."""

from __future__ import annotations

import datetime as dt

from backend import clock
from tests.fakes.wecom_client import rep_chat

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday


async def _deal_rows(db, tenant_id):
    return await db.fetch(
        "SELECT d.*, a.name AS company, c.name AS contact_name, c.phone FROM deals d"
        " LEFT JOIN accounts a USING (tenant_id, account_id) LEFT JOIN contacts c USING (tenant_id, contact_id)"
        " WHERE d.tenant_id = $1 ORDER BY deal_id", tenant_id)


async def test_create_lead_writes_deal_account_and_contact(client, factory, db):
    clock.set_now(NOW)
    tenant, rep, wc = await rep_chat(client, factory)
    r = await wc.text(rep.wecom_userid, "新客户 佛山顺和陶瓷有限公司 刘总 13800138000 想了解储能柜 预算50万")
    assert r.status == 200
    assert "预算50万" in r.content and "回复1确认" in r.content  # a stated amount is confirmed first
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 0
    r = await wc.text(rep.wecom_userid, "1")
    assert "已新建线索" in r.content and "撤销" in r.content
    rows = await _deal_rows(db, tenant.tenant_id)
    assert len(rows) == 1
    deal = rows[0]
    assert deal["stage"] == "lead" and deal["source"] == "chat" and deal["owner_id"] == rep.user_id
    assert deal["amount"] == 500_000 and deal["product"] == "储能柜"
    assert deal["company"] == "佛山顺和陶瓷有限公司" and deal["contact_name"] == "刘总" and deal["phone"] == "13800138000"
    # The same customer again: the rep is asked first (an open deal exists), then the account and the
    # contact are reused (de-dup by name and phone).
    r = await wc.text(rep.wecom_userid, "新客户 佛山顺和陶瓷 刘总 13800138000 想了解EMS云平台")
    assert "你已有进行中的商机" in r.content, r.content
    await wc.text(rep.wecom_userid, "1")
    rows = await _deal_rows(db, tenant.tenant_id)
    assert len(rows) == 2
    assert rows[0]["account_id"] == rows[1]["account_id"] and rows[0]["contact_id"] == rows[1]["contact_id"]


async def test_voice_recognition_is_read_like_text(client, factory, db):
    clock.set_now(NOW)
    tenant, rep, wc = await rep_chat(client, factory)
    r = await wc.voice(rep.wecom_userid, "嗯那个新客户苏州凯拓电子材料联系人赵工电话一三九一二三四五六七八")
    assert "已新建线索" in r.content, r.content
    rows = await _deal_rows(db, tenant.tenant_id)
    assert [(d["company"], d["contact_name"], d["phone"]) for d in rows] == [("苏州凯拓电子材料", "赵工", "13912345678")]


async def test_stage_won_lost_and_paid(client, factory, db):
    clock.set_now(NOW)
    tenant, rep, wc = await rep_chat(client, factory)
    shunhe = await factory.deal(rep, "佛山顺和陶瓷有限公司", product="储能柜")
    kaituo = await factory.deal(rep, "苏州凯拓电子材料有限公司")
    r = await wc.text(rep.wecom_userid, "顺和陶瓷那单进入商务谈判了")
    assert "谈判" in r.content and "撤销" in r.content
    r = await wc.text(rep.wecom_userid, "顺和签了 合同额80万")
    assert "签约" in r.content and "80万" in r.content and "回复1确认" in r.content
    r = await wc.text(rep.wecom_userid, "1")
    assert "恭喜签约" in r.content and "80万" in r.content
    r = await wc.text(rep.wecom_userid, "凯拓电子丢单了 原因是价格太高")
    assert "输单" in r.content and "回复1确认" in r.content
    r = await wc.text(rep.wecom_userid, "是")
    assert "已将" in r.content and "输单" in r.content
    r = await wc.text(rep.wecom_userid, "顺和的款到了")
    assert "回款" in r.content
    deals = {d["deal_id"]: d for d in await _deal_rows(db, tenant.tenant_id)}
    assert deals[shunhe.deal_id]["stage"] == "paid" and deals[shunhe.deal_id]["amount"] == 800_000
    assert deals[kaituo.deal_id]["stage"] == "lost" and "价格太高" in deals[kaituo.deal_id]["lost_reason"]
    history = await db.fetch("SELECT to_stage FROM deal_stage_history WHERE tenant_id = $1 AND deal_id = $2"
                             " ORDER BY history_id", tenant.tenant_id, shunhe.deal_id)
    assert [h["to_stage"] for h in history] == ["lead", "negotiation", "won", "paid"]


async def test_activity_followup_and_snooze(client, factory, db):
    clock.set_now(NOW)
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    r = await wc.text(rep.wecom_userid, "今天拜访了顺和陶瓷刘总，聊了储能柜的方案")
    assert "已记录" in r.content, r.content
    r = await wc.text(rep.wecom_userid, "明天下午3点回访顺和陶瓷")
    assert "明天" in r.content and "15:00" in r.content, r.content
    r = await wc.text(rep.wecom_userid, "顺和陶瓷那单10天后再提醒我")
    assert "10 天" in r.content, r.content
    acts = await db.fetch("SELECT kind, body, due_at FROM activities WHERE tenant_id = $1 AND deal_id = $2"
                          " ORDER BY activity_id", tenant.tenant_id, deal.deal_id)
    assert acts[0]["kind"] == "visit" and "储能柜" in acts[0]["body"]
    assert acts[1]["kind"] == "followup"
    assert acts[1]["due_at"] == dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    snoozed = await db.fetchval("SELECT snoozed_until FROM deals WHERE tenant_id = $1 AND deal_id = $2",
                                tenant.tenant_id, deal.deal_id)
    assert snoozed == NOW + dt.timedelta(days=10)
    # The stage did not move: a 方案 inside an activity is not a stage change.
    assert await db.fetchval("SELECT stage FROM deals WHERE tenant_id = $1 AND deal_id = $2",
                             tenant.tenant_id, deal.deal_id) == "lead"


async def test_followup_in_the_past_is_refused_and_writes_nothing(client, factory, db):
    clock.set_now(NOW)
    tenant, rep, wc = await rep_chat(client, factory)
    await factory.deal(rep, "佛山顺和陶瓷有限公司")
    r = await wc.text(rep.wecom_userid, "今天上午8点回访顺和陶瓷")
    assert "过去" in r.content, r.content
    assert await db.fetchval("SELECT count(*) FROM activities WHERE tenant_id = $1", tenant.tenant_id) == 0


async def test_list_my_deals_most_urgent_first_and_only_mine(client, factory, db):
    clock.set_now(NOW)
    tenant, rep, wc = await rep_chat(client, factory)
    other = await factory.user(tenant.tenant_id, name="李四")
    await factory.deal(rep, "新鲜客户有限公司", entered_days_ago=1)
    await factory.deal(rep, "很急客户有限公司", entered_days_ago=9)  # lead SLA is 3 days
    await factory.deal(other, "别人的客户有限公司")
    r = await wc.text(rep.wecom_userid, "我的商机")
    lines = r.content.splitlines()
    assert "2" in lines[0]
    assert lines[1].startswith("1. 很急客户") and "超期6天" in lines[1]
    assert lines[2].startswith("2. 新鲜客户")
    assert "别人的客户" not in r.content


async def test_help_bind_unknown_and_english(client, factory, db):
    clock.set_now(NOW)
    tenant, rep, wc = await rep_chat(client, factory)
    assert "拓客助手" in (await wc.text(rep.wecom_userid, "帮助")).content
    r = await wc.text(rep.wecom_userid, "绑定")
    code = await db.fetchval("SELECT code FROM bind_codes WHERE tenant_id = $1 AND user_id = $2",
                             tenant.tenant_id, rep.user_id)
    assert code and code in r.content and "10分钟" in r.content
    r = await wc.text(rep.wecom_userid, "今天天气不错")
    assert "没太听懂" in r.content
    r = await wc.text(rep.wecom_userid, "new lead Northgate Robotics, contact Emily Chen, phone 13700001111")
    assert r.content.startswith("New lead:"), r.content
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 1


async def test_undo_reverts_the_last_change_only(client, factory, db):
    clock.set_now(NOW)
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    await wc.text(rep.wecom_userid, "顺和陶瓷进入方案阶段")
    await wc.text(rep.wecom_userid, "顺和陶瓷进入投标")
    r = await wc.text(rep.wecom_userid, "撤销")
    assert "已撤销" in r.content and "方案" in r.content, r.content
    assert await db.fetchval("SELECT stage FROM deals WHERE tenant_id = $1 AND deal_id = $2",
                             tenant.tenant_id, deal.deal_id) == "solution"
    await wc.text(rep.wecom_userid, "新客户 苏州凯拓电子材料 赵工 13912345678")
    r = await wc.text(rep.wecom_userid, "undo")
    assert "凯拓" in r.content, r.content
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 1

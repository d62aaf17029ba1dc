"""Conversations that take more than one message: which deal (1/2/3), confirmations, a missing
company, "这单", and the buttons of nudge cards."""

from __future__ import annotations

from tests.fakes.wecom_client import rep_chat


async def _stage(db, tenant_id, deal_id) -> str:
    return await db.fetchval("SELECT stage FROM deals WHERE tenant_id = $1 AND deal_id = $2", tenant_id, deal_id)


async def _pending(db, tenant_id, user_id):
    return await db.fetchrow("SELECT kind, options FROM bot_pending WHERE tenant_id = $1 AND user_id = $2",
                             tenant_id, user_id)


async def test_disambiguation_round_trip(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    a = await factory.deal(rep, "华为技术有限公司", product="储能柜")
    b = await factory.deal(rep, "华为数字能源有限公司", product="EMS云平台")
    await factory.deal(rep, "佛山顺和陶瓷有限公司")
    r = await wc.text(rep.wecom_userid, "华为那单进入投标")
    assert "哪一单" in r.content and "1." in r.content and "2." in r.content and "顺和" not in r.content
    pending = await _pending(db, tenant.tenant_id, rep.user_id)
    assert pending["kind"] == "pick_deal" and set(pending["options"]) == {a.deal_id, b.deal_id}
    assert {await _stage(db, tenant.tenant_id, d.deal_id) for d in (a, b)} == {"lead"}  # nothing written yet
    chosen = pending["options"][1]
    r = await wc.text(rep.wecom_userid, "2")
    assert "投标" in r.content and "撤销" in r.content
    assert await _stage(db, tenant.tenant_id, chosen) == "bidding"
    other = a.deal_id if chosen == b.deal_id else b.deal_id
    assert await _stage(db, tenant.tenant_id, other) == "lead"
    assert await _pending(db, tenant.tenant_id, rep.user_id) is None
    # With the product named there is no question.
    r = await wc.text(rep.wecom_userid, "华为储能柜那单进入谈判")
    assert "谈判" in r.content and "哪一单" not in r.content
    assert await _stage(db, tenant.tenant_id, a.deal_id) == "negotiation"


async def test_answer_by_name_and_question_replaced_by_a_new_request(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    a = await factory.deal(rep, "华为技术有限公司")
    b = await factory.deal(rep, "华为数字能源有限公司")
    await wc.text(rep.wecom_userid, "华为那单丢了")
    r = await wc.text(rep.wecom_userid, "我的商机")  # not an answer: the question is dropped, the list shown
    assert "进行中的商机" in r.content
    assert await _pending(db, tenant.tenant_id, rep.user_id) is None
    await wc.text(rep.wecom_userid, "华为那单丢了")
    r = await wc.text(rep.wecom_userid, "数字能源")  # which deal: then, a loss is confirmed first
    assert "华为数字能源" in r.content and "回复1确认" in r.content
    r = await wc.text(rep.wecom_userid, "1")
    assert "输单" in r.content
    assert await _stage(db, tenant.tenant_id, b.deal_id) == "lost"
    assert await _stage(db, tenant.tenant_id, a.deal_id) == "lead"


async def test_no_match_offers_recent_deals_and_cancel(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    await factory.deal(rep, "佛山顺和陶瓷有限公司")
    r = await wc.text(rep.wecom_userid, "阿里巴巴那单进入方案")
    assert "没找到" in r.content and "顺和" in r.content
    r = await wc.text(rep.wecom_userid, "取消")
    assert "已取消" in r.content
    assert await _pending(db, tenant.tenant_id, rep.user_id) is None
    assert await db.fetchval("SELECT count(*) FROM deal_stage_history WHERE tenant_id = $1 AND to_stage = 'solution'",
                             tenant.tenant_id) == 0


async def test_this_deal_means_the_one_touched_last(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    a = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    b = await factory.deal(rep, "苏州凯拓电子材料有限公司")
    await wc.text(rep.wecom_userid, "顺和陶瓷进入验证阶段")
    r = await wc.text(rep.wecom_userid, "这单进入方案")
    assert "顺和" in r.content
    assert await _stage(db, tenant.tenant_id, a.deal_id) == "solution"
    assert await _stage(db, tenant.tenant_id, b.deal_id) == "lead"


async def test_unsure_amount_is_asked_before_writing(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "华为技术有限公司")
    r = await wc.text(rep.wecom_userid, "华为签了 一百二十")
    assert "120" in r.content and "？" in r.content
    assert await _stage(db, tenant.tenant_id, deal.deal_id) == "lead"
    r = await wc.text(rep.wecom_userid, "120万")
    assert "签约" in r.content and "120万" in r.content, r.content
    row = await db.fetchrow("SELECT stage, amount FROM deals WHERE tenant_id = $1 AND deal_id = $2",
                            tenant.tenant_id, deal.deal_id)
    assert (row["stage"], row["amount"]) == ("won", 1_200_000)


async def test_lead_without_company_asks_for_it(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    r = await wc.text(rep.wecom_userid, "新客户 联系人王总 13800001111")
    assert "公司" in r.content
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 0
    r = await wc.text(rep.wecom_userid, "宁波海天塑机")
    assert "已新建线索" in r.content and "宁波海天塑机" in r.content
    row = await db.fetchrow("SELECT a.name, c.name AS contact, c.phone FROM deals d JOIN accounts a USING (tenant_id, account_id)"
                            " JOIN contacts c USING (tenant_id, contact_id) WHERE d.tenant_id = $1", tenant.tenant_id)
    assert tuple(row) == ("宁波海天塑机", "王总", "13800001111")


async def test_nudge_buttons(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司", stage="negotiation")
    r = await wc.event(rep.wecom_userid, "template_card_event", f"nudge:{deal.deal_id}:done")
    assert "已记录跟进" in r.content
    assert await db.fetchval("SELECT body FROM activities WHERE tenant_id = $1 AND deal_id = $2",
                             tenant.tenant_id, deal.deal_id) == "已跟进"
    r = await wc.event(rep.wecom_userid, "template_card_event", f"nudge:{deal.deal_id}:snooze3", create_time=1795390001)
    assert "3 天" in r.content
    assert await db.fetchval("SELECT snoozed_until IS NOT NULL FROM deals WHERE tenant_id = $1 AND deal_id = $2",
                             tenant.tenant_id, deal.deal_id)
    r = await wc.event(rep.wecom_userid, "template_card_event", f"nudge:{deal.deal_id}:next", create_time=1795390002)
    assert "签约" in r.content
    assert await _stage(db, tenant.tenant_id, deal.deal_id) == "won"
    r = await wc.event(rep.wecom_userid, "template_card_event", f"nudge:{deal.deal_id}:next", create_time=1795390003)
    assert "没有下一个阶段" in r.content  # won → paid is a payment, not a button
    # Someone else's deal, a deal that does not exist, a key that is not ours.
    other = await factory.user(tenant.tenant_id, name="李四", team="华南组")
    theirs = await factory.deal(other, "别人的客户有限公司")
    r = await wc.event(rep.wecom_userid, "template_card_event", f"nudge:{theirs.deal_id}:done", create_time=1795390004)
    assert "不是你的" in r.content
    r = await wc.event(rep.wecom_userid, "template_card_event", "nudge:999999999:done", create_time=1795390005)
    assert "不存在" in r.content
    r = await wc.event(rep.wecom_userid, "template_card_event", f"nudge:{deal.deal_id}:delete", create_time=1795390006)
    assert "失效" in r.content
    assert await db.fetchval("SELECT count(*) FROM activities WHERE tenant_id = $1 AND deal_id = $2",
                             tenant.tenant_id, theirs.deal_id) == 0


async def test_manager_may_act_on_the_team_but_reps_not_on_each_other(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory, team="华东一组")
    peer = await factory.user(tenant.tenant_id, name="李四", team="华东一组")
    manager = await factory.user(tenant.tenant_id, name="王经理", role="manager", team="华东一组")
    deal = await factory.deal(peer, "佛山顺和陶瓷有限公司")
    r = await wc.text(rep.wecom_userid, "顺和陶瓷进入方案")
    assert "方案" not in r.content or "没找到" in r.content or "没有进行中" in r.content
    assert await _stage(db, tenant.tenant_id, deal.deal_id) == "lead"
    r = await wc.text(manager.wecom_userid, "顺和陶瓷进入方案")
    assert "已把" in r.content
    assert await _stage(db, tenant.tenant_id, deal.deal_id) == "solution"

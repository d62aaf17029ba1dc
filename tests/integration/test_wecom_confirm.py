"""Confirm before a consequential write, end to end through the encrypted WeChat Work callback:
nothing is written before the rep answers 1 (or taps 确认), 2 cancels, a card tap acts once, an
expired confirmation writes nothing, a duplicate lead names the other rep, plain moves go through."""

from __future__ import annotations

import datetime as dt
import secrets

from backend import clock
from backend.services import outbox
from tests.fakes.wecom_client import WecomClient, rep_chat


async def _deal(db, tenant_id, deal_id):
    return await db.fetchrow("SELECT stage, amount, lost_reason FROM deals WHERE tenant_id = $1 AND deal_id = $2",
                             tenant_id, deal_id)


async def _history(db, tenant_id, deal_id) -> list[str]:
    rows = await db.fetch("SELECT to_stage FROM deal_stage_history WHERE tenant_id = $1 AND deal_id = $2"
                          " ORDER BY history_id", tenant_id, deal_id)
    return [r["to_stage"] for r in rows]


async def _pending(db, tenant_id, user_id):
    return await db.fetchrow("SELECT kind FROM bot_pending WHERE tenant_id = $1 AND user_id = $2", tenant_id, user_id)


async def _cards(pool, fake, tenant_id, user) -> list[dict]:
    await outbox.deliver_until_idle(pool, tenant_id=tenant_id)
    return [m["template_card"] for m in fake.sent(user) if m.get("msgtype") == "template_card"
            and m["template_card"]["task_id"].startswith("confirm-")]


async def _tap(wc: WecomClient, user: str, card: dict, text: str, create_time: int, response_code: str):
    key = next(b["key"] for b in card["button_list"] if b["text"] == text)
    xml = wc.event_xml(user, "template_card_event", key, create_time=create_time, TaskId=card["task_id"],
                       CardType="button_interaction", ResponseCode=response_code)
    return await wc.post(xml)


def _card_updates(fake) -> list[dict]:
    return [r.body for r in fake.received if r.path == "/cgi-bin/message/update_template_card" and r.query.get("_ok")]


async def test_a_win_with_an_amount_asks_first_and_writes_on_1(client, factory, db, pool, fake_wechat):
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司", stage="negotiation")
    r = await wc.text(rep.wecom_userid, "顺和签了 合同额80万")
    assert "签约" in r.content and "80万" in r.content and "回复1确认" in r.content and "2取消" in r.content, r.content
    assert "佛山顺和陶瓷" in r.content  # the deal found, named in the question
    assert tuple(await _deal(db, tenant.tenant_id, deal.deal_id))[:2] == ("negotiation", None)
    assert (await _pending(db, tenant.tenant_id, rep.user_id))["kind"] == "confirm"
    # The card with 确认 / 取消 went out through the outbox.
    cards = await _cards(pool, fake_wechat, tenant.tenant_id, rep.wecom_userid)
    assert len(cards) == 1 and [b["text"] for b in cards[0]["button_list"]] == ["确认", "取消"]
    assert "80万" in cards[0]["main_title"]["desc"]
    r = await wc.text(rep.wecom_userid, "1")
    assert "恭喜签约" in r.content and "80万" in r.content and "撤销" in r.content, r.content
    assert tuple(await _deal(db, tenant.tenant_id, deal.deal_id))[:2] == ("won", 800_000)
    assert await _pending(db, tenant.tenant_id, rep.user_id) is None
    # "1" again is a new message, not a second confirmation.
    r = await wc.text(rep.wecom_userid, "1")
    assert await _history(db, tenant.tenant_id, deal.deal_id) == ["lead", "negotiation", "won"]


async def test_2_cancels_and_writes_nothing(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "苏州凯拓电子材料有限公司")
    r = await wc.text(rep.wecom_userid, "凯拓电子丢单了 原因是价格太高")
    assert "输单" in r.content and "回复1确认" in r.content, r.content
    r = await wc.text(rep.wecom_userid, "２")  # full-width, as some keyboards type it
    assert "已取消" in r.content
    row = await _deal(db, tenant.tenant_id, deal.deal_id)
    assert row["stage"] == "lead" and row["lost_reason"] is None
    assert await _pending(db, tenant.tenant_id, rep.user_id) is None
    assert await db.fetchval("SELECT count(*) FROM change_log WHERE tenant_id = $1", tenant.tenant_id) == 1  # the lead


async def test_english_confirmation(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "Northgate Robotics")
    r = await wc.text(rep.wecom_userid, "Northgate closed, 350k")
    assert "Reply 1 to confirm / 2 to cancel" in r.content, r.content
    assert (await _deal(db, tenant.tenant_id, deal.deal_id))["stage"] == "lead"
    r = await wc.text(rep.wecom_userid, "yes")
    assert "won" in r.content
    assert tuple(await _deal(db, tenant.tenant_id, deal.deal_id))[:2] == ("won", 350_000)


async def test_a_card_tap_confirms_exactly_once_even_when_replayed(client, factory, db, pool, fake_wechat):
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司", stage="negotiation")
    await wc.text(rep.wecom_userid, "顺和签了 合同额80万")
    card = (await _cards(pool, fake_wechat, tenant.tenant_id, rep.wecom_userid))[0]
    at = int(clock.now().timestamp()) + 5
    first = await _tap(wc, rep.wecom_userid, card, "确认", at, "rc-confirm-1")
    assert "恭喜签约" in first.content, first.content
    replay = await _tap(wc, rep.wecom_userid, card, "确认", at, "rc-confirm-1")  # WeChat retries the same event
    assert replay.content == first.content
    again = await _tap(wc, rep.wecom_userid, card, "确认", at + 3, "rc-confirm-2")  # a second tap, later
    assert "没有再次写入" in again.content, again.content
    assert await _history(db, tenant.tenant_id, deal.deal_id) == ["lead", "negotiation", "won"]
    assert tuple(await _deal(db, tenant.tenant_id, deal.deal_id))[:2] == ("won", 800_000)
    await outbox.deliver_until_idle(pool, tenant_id=tenant.tenant_id)
    updates = _card_updates(fake_wechat)
    assert {"userids": [rep.wecom_userid], "agentid": 1000002, "response_code": "rc-confirm-1",
            "button": {"replace_name": "已确认"}} in updates
    assert [u["button"]["replace_name"] for u in updates if u["response_code"] == "rc-confirm-1"] == ["已确认"]
    assert [u["button"]["replace_name"] for u in updates if u["response_code"] == "rc-confirm-2"] == ["已失效"]


async def test_a_cancel_tap_and_the_card_of_a_replaced_confirmation(client, factory, db, pool, fake_wechat):
    tenant, rep, wc = await rep_chat(client, factory)
    a = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    b = await factory.deal(rep, "苏州凯拓电子材料有限公司")
    await wc.text(rep.wecom_userid, "顺和签了 合同额80万")
    old = (await _cards(pool, fake_wechat, tenant.tenant_id, rep.wecom_userid))[0]
    await wc.text(rep.wecom_userid, "凯拓丢单了")  # a new request replaces the first confirmation
    new = [c for c in await _cards(pool, fake_wechat, tenant.tenant_id, rep.wecom_userid) if c["task_id"] != old["task_id"]][0]
    at = int(clock.now().timestamp()) + 5
    r = await _tap(wc, rep.wecom_userid, old, "确认", at, "rc-old")
    assert "没有再次写入" in r.content
    assert (await _deal(db, tenant.tenant_id, a.deal_id))["stage"] == "lead"
    r = await _tap(wc, rep.wecom_userid, new, "取消", at + 1, "rc-new")
    assert "已取消" in r.content
    assert (await _deal(db, tenant.tenant_id, b.deal_id))["stage"] == "lead"
    await outbox.deliver_until_idle(pool, tenant_id=tenant.tenant_id)
    labels = {u["response_code"]: u["button"]["replace_name"] for u in _card_updates(fake_wechat)}
    assert labels == {"rc-old": "已失效", "rc-new": "已取消"}


async def test_an_expired_confirmation_writes_nothing(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    await wc.text(rep.wecom_userid, "顺和签了 合同额80万")
    clock.set_now(clock.now() + dt.timedelta(minutes=11))
    r = await wc.text(rep.wecom_userid, "1")
    assert "已失效" in r.content and "没有写入" in r.content, r.content
    assert (await _deal(db, tenant.tenant_id, deal.deal_id))["stage"] == "lead"
    assert await _pending(db, tenant.tenant_id, rep.user_id) is None
    # Within the time it goes through (the TTL is a setting).
    await wc.text(rep.wecom_userid, "顺和签了 合同额80万")
    clock.set_now(clock.now() + dt.timedelta(minutes=9))
    r = await wc.text(rep.wecom_userid, "1")
    assert "恭喜签约" in r.content
    assert await _history(db, tenant.tenant_id, deal.deal_id) == ["lead", "won"]


async def test_the_time_to_answer_is_a_setting(client, factory, db, monkeypatch):
    monkeypatch.setenv("TUOKE_CONFIRM_TTL_MINUTES", "2")
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    await wc.text(rep.wecom_userid, "顺和丢单了")
    clock.set_now(clock.now() + dt.timedelta(minutes=3))
    r = await wc.text(rep.wecom_userid, "是")
    assert "超过2分钟" in r.content, r.content
    assert (await _deal(db, tenant.tenant_id, deal.deal_id))["stage"] == "lead"


async def test_a_late_tap_on_an_expired_card_says_so(client, factory, db, pool, fake_wechat):
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    await wc.text(rep.wecom_userid, "顺和签了 合同额80万")
    card = (await _cards(pool, fake_wechat, tenant.tenant_id, rep.wecom_userid))[0]
    clock.set_now(clock.now() + dt.timedelta(minutes=10, seconds=5))
    r = await _tap(wc, rep.wecom_userid, card, "确认", int(clock.now().timestamp()), "rc-late")
    assert "已失效" in r.content and "没有写入" in r.content, r.content
    assert (await _deal(db, tenant.tenant_id, deal.deal_id))["stage"] == "lead"
    await outbox.deliver_until_idle(pool, tenant_id=tenant.tenant_id)
    assert [u["button"]["replace_name"] for u in _card_updates(fake_wechat)] == ["已过期"]


async def test_a_duplicate_lead_asks_and_names_the_other_rep(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    other = await factory.user(tenant.tenant_id, name="李四", team="华南组")
    theirs = await factory.deal(other, "佛山顺和陶瓷有限公司", product="储能柜", amount=2_000_000, contact_name="刘建国")
    r = await wc.text(rep.wecom_userid, "新客户 佛山顺和陶瓷 刘总 13800138000")
    assert "李四" in r.content and "回复1确认" in r.content, r.content
    # Nothing else of 李四's deal is shown: not its product, amount, stage or contact.
    assert not any(word in r.content for word in ("储能柜", "200万", "刘建国", "线索阶段"))
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 1
    r = await wc.text(rep.wecom_userid, "1")
    assert "已新建线索" in r.content, r.content
    rows = await db.fetch("SELECT owner_id, account_id FROM deals WHERE tenant_id = $1 ORDER BY deal_id", tenant.tenant_id)
    assert [r["owner_id"] for r in rows] == [other.user_id, rep.user_id] and rows[0]["account_id"] == rows[1]["account_id"]
    assert (await _deal(db, tenant.tenant_id, theirs.deal_id))["stage"] == "lead"


async def test_a_duplicate_by_phone_of_my_own_deal_names_it(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    await factory.deal(rep, "苏州凯拓电子材料有限公司", contact_name="赵工", phone="13912345678")
    r = await wc.text(rep.wecom_userid, "新客户 凯拓新材料 赵工 13912345678")
    assert "同一电话" in r.content and "苏州凯拓电子材料" in r.content and "你已有" in r.content, r.content
    r = await wc.text(rep.wecom_userid, "取消")
    assert "已取消" in r.content
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 1
    # A lead for a customer whose deals are closed is not a duplicate: it is written at once.
    await db.execute("UPDATE deals SET stage = 'lost' WHERE tenant_id = $1", tenant.tenant_id)
    r = await wc.text(rep.wecom_userid, "新客户 凯拓新材料 赵工 13912345678")
    assert "已新建线索" in r.content, r.content


async def test_a_plain_stage_move_goes_straight_through_with_undo(client, factory, db, pool, fake_wechat):
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    r = await wc.text(rep.wecom_userid, "顺和陶瓷那单进入方案")
    assert "已把" in r.content and "方案" in r.content and "撤销" in r.content and "确认" not in r.content, r.content
    assert (await _deal(db, tenant.tenant_id, deal.deal_id))["stage"] == "solution"
    assert await _pending(db, tenant.tenant_id, rep.user_id) is None
    assert await _cards(pool, fake_wechat, tenant.tenant_id, rep.wecom_userid) == []
    r = await wc.text(rep.wecom_userid, "撤销")
    assert "已撤销" in r.content
    assert (await _deal(db, tenant.tenant_id, deal.deal_id))["stage"] == "lead"


async def test_moving_back_asks_first(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司", stage="negotiation")
    r = await wc.text(rep.wecom_userid, "顺和陶瓷退回到方案阶段")
    assert "往回退" in r.content and "谈判" in r.content and "回复1确认" in r.content, r.content
    assert (await _deal(db, tenant.tenant_id, deal.deal_id))["stage"] == "negotiation"
    r = await wc.text(rep.wecom_userid, "确认")
    assert "方案" in r.content and "撤销" in r.content
    assert (await _deal(db, tenant.tenant_id, deal.deal_id))["stage"] == "solution"


async def test_a_new_request_replaces_the_confirmation(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    await wc.text(rep.wecom_userid, "顺和签了 合同额80万")
    r = await wc.text(rep.wecom_userid, "我的商机")
    assert "进行中的商机" in r.content
    await wc.text(rep.wecom_userid, "1")
    assert (await _deal(db, tenant.tenant_id, deal.deal_id))["stage"] == "lead"


async def test_confirmations_are_per_rep(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    peer = await factory.user(tenant.tenant_id, name="李四")
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    await wc.text(rep.wecom_userid, "顺和签了 合同额80万")
    r = await wc.text(peer.wecom_userid, "1")  # the peer has nothing pending: "1" confirms nothing
    assert "did not get that" in r.content or "没太听懂" in r.content
    assert (await _deal(db, tenant.tenant_id, deal.deal_id))["stage"] == "lead"
    assert (await _pending(db, tenant.tenant_id, rep.user_id))["kind"] == "confirm"


async def test_a_forged_tap_for_another_reps_confirmation_does_nothing(client, factory, db, pool, fake_wechat):
    tenant, rep, wc = await rep_chat(client, factory)
    peer = await factory.user(tenant.tenant_id, name="李四")
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    await wc.text(rep.wecom_userid, "顺和签了 合同额80万")
    card = (await _cards(pool, fake_wechat, tenant.tenant_id, rep.wecom_userid))[0]
    r = await _tap(wc, peer.wecom_userid, card, "确认", int(clock.now().timestamp()), "rc-" + secrets.token_hex(3))
    assert "没有再次写入" in r.content
    assert (await _deal(db, tenant.tenant_id, deal.deal_id))["stage"] == "lead"


async def test_the_official_account_confirms_by_text_without_a_card(client, factory, db, pool, fake_wechat):
    from tests.integration.test_wechat_mp import _bind, _client, _tenant_with_mp

    tenant = await _tenant_with_mp(factory, pool, safe=True)
    rep = await factory.user(tenant.tenant_id, name="赵六")
    mp = _client(client, tenant)
    openid = "o" + secrets.token_hex(10)
    assert "绑定成功" in await _bind(mp, pool, rep, openid)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    r = await mp.post(mp.message(openid, "顺和签了 合同额80万"))
    assert "回复1确认 / 2取消" in r.content and "卡片" not in r.content, r.content
    assert (await _deal(db, tenant.tenant_id, deal.deal_id))["stage"] == "lead"
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE tenant_id = $1 AND payload->>'msgtype' = 'template_card'",
                             tenant.tenant_id) == 0
    r = await mp.post(mp.message(openid, "1"))
    assert "恭喜签约" in r.content
    assert tuple(await _deal(db, tenant.tenant_id, deal.deal_id))[:2] == ("won", 800_000)

"""Hot signals: a customer's inquiry / repeat view / forward reaches the rep at once, once."""

from __future__ import annotations

import datetime as dt
import secrets

from backend import clock
from backend.services import outbox
from backend.services.nudges import rules
from backend.services.nudges.signals import notify_hot_signal
from schemas.nudges import NudgeRulesUpdate

SH = dt.timezone(dt.timedelta(hours=8))


async def _setup(factory):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id, "李雷", wecom_userid="lilei-" + secrets.token_hex(3))
    deal = await factory.deal(rep, "华为技术有限公司", stage="negotiation", contact_name="张总",
                              phone="13800138000", amount=500000, product="储能柜")
    return tenant, rep, deal


async def test_inquiry_is_sent_at_once_and_once_per_key(factory, pool, db, fake_wechat):
    clock.set_now(dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH))
    tenant, rep, deal = await _setup(factory)
    args = dict(rep_id=rep.user_id, kind="inquiry", contact_id=None, deal_id=deal.deal_id,
                visitor_name="张总", detail="留言：想了解储能柜报价", key="evt-1")
    first = await notify_hot_signal(db, tenant.tenant_id, **args)
    again = await notify_hot_signal(db, tenant.tenant_id, **args)
    assert first is not None and again is None
    await outbox.deliver_until_idle(pool)
    sent = fake_wechat.sent(rep.wecom_userid)
    assert len(sent) == 1
    text = sent[0]["text"]["content"]
    assert "张总给你留言了" in text and "想了解储能柜报价" in text
    assert "谈判" in text and "50万" in text


async def test_quiet_hours_hold_a_signal_until_morning(factory, pool, db, fake_wechat):
    clock.set_now(dt.datetime(2026, 3, 10, 22, 30, tzinfo=SH))
    tenant, rep, deal = await _setup(factory)
    oid = await notify_hot_signal(db, tenant.tenant_id, rep_id=rep.user_id, kind="forward", contact_id=None,
                                  deal_id=deal.deal_id, visitor_name=None, detail="", key="evt-night")
    assert oid is not None
    await outbox.deliver_until_idle(pool)
    assert fake_wechat.sent(rep.wecom_userid) == []
    at = await db.fetchval("SELECT next_attempt_at FROM outbox WHERE tenant_id = $1 AND outbox_id = $2",
                           tenant.tenant_id, oid)
    assert at == dt.datetime(2026, 3, 11, 8, 0, tzinfo=SH)
    clock.set_now(dt.datetime(2026, 3, 11, 7, 59, tzinfo=SH))
    await outbox.deliver_until_idle(pool)
    assert fake_wechat.sent(rep.wecom_userid) == []
    clock.set_now(dt.datetime(2026, 3, 11, 8, 0, tzinfo=SH))
    await outbox.deliver_until_idle(pool)
    assert len(fake_wechat.sent(rep.wecom_userid)) == 1


async def test_repeat_view_counts_todays_views_and_rule_can_be_switched_off(factory, db):
    clock.set_now(dt.datetime(2026, 3, 10, 15, 0, tzinfo=SH))
    tenant, rep, deal = await _setup(factory)
    contact_id = await db.fetchval("SELECT contact_id FROM deals WHERE tenant_id = $1 AND deal_id = $2",
                                   tenant.tenant_id, deal.deal_id)
    for hours in (1, 2, 3, 20):  # three views today, one yesterday (local time)
        await db.execute(
            "INSERT INTO card_events (tenant_id, rep_id, contact_id, kind, created_at) VALUES ($1, $2, $3, 'view', $4)",
            tenant.tenant_id, rep.user_id, contact_id, clock.now() - dt.timedelta(hours=hours))
    oid = await notify_hot_signal(db, tenant.tenant_id, rep_id=rep.user_id, kind="repeat_view", contact_id=contact_id,
                                  deal_id=deal.deal_id, visitor_name=None, detail="", key="v-3")
    payload = await db.fetchval("SELECT payload FROM outbox WHERE tenant_id = $1 AND outbox_id = $2", tenant.tenant_id, oid)
    assert "张总今天第 3 次看你的名片" in payload["text"]["content"]
    await rules.update_rules(db, tenant.tenant_id, NudgeRulesUpdate(hot_signal=False))
    assert await notify_hot_signal(db, tenant.tenant_id, rep_id=rep.user_id, kind="repeat_view", contact_id=contact_id,
                                   deal_id=deal.deal_id, visitor_name=None, detail="", key="v-4") is None


async def test_unknown_rep_or_foreign_deal_is_quiet(factory, db):
    tenant, rep, deal = await _setup(factory)
    other, _ = await factory.tenant()
    # a rep id of another tenant, and a deal id of another tenant, say nothing about them
    assert await notify_hot_signal(db, other.tenant_id, rep_id=rep.user_id, kind="inquiry", contact_id=None,
                                   deal_id=deal.deal_id, visitor_name="x", detail="", key="k1") is None
    rep2 = await factory.user(other.tenant_id, "韩梅梅", wecom_userid="hmm")
    oid = await notify_hot_signal(db, other.tenant_id, rep_id=rep2.user_id, kind="inquiry", contact_id=None,
                                  deal_id=deal.deal_id, visitor_name="访客", detail="留言：你好", key="k2")
    payload = await db.fetchval("SELECT payload FROM outbox WHERE tenant_id = $1 AND outbox_id = $2", other.tenant_id, oid)
    assert "华为" not in payload["text"]["content"] and "商机" not in payload["text"]["content"]


async def test_another_reps_deal_is_not_shown(factory, db):
    tenant, rep, deal = await _setup(factory)
    other = await factory.user(tenant.tenant_id, "韩梅梅", wecom_userid="hmm-" + secrets.token_hex(3))
    oid = await notify_hot_signal(db, tenant.tenant_id, rep_id=other.user_id, kind="forward", contact_id=None,
                                  deal_id=deal.deal_id, visitor_name="访客", detail="", key="k3")
    payload = await db.fetchval("SELECT payload FROM outbox WHERE tenant_id = $1 AND outbox_id = $2", tenant.tenant_id, oid)
    assert payload["text"]["content"].startswith("🔥 访客转发了你的名片") and "华为" not in payload["text"]["content"]

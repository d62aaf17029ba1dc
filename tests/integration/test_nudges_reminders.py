"""Due follow-ups reach the rep at their due time through the outbox, each once."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets

from backend import clock
from backend.services import deals, outbox
from backend.services.nudges import rules
from backend.services.nudges.reminders import send_due_followups
from schemas.nudges import NudgeRulesUpdate

SH = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


async def _rep(factory):
    clock.set_now(T0)
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id, "李雷", wecom_userid="lilei-" + secrets.token_hex(3))
    deal = await factory.deal(rep, "华为技术有限公司", stage="solution")
    return tenant, rep, deal


async def _mine(db, tenant_id):
    return await db.fetch("SELECT payload, next_attempt_at FROM outbox WHERE tenant_id = $1 AND idempotency_key LIKE 'followup:%'",
                          tenant_id)


async def test_a_followup_is_sent_at_its_due_time_once(factory, db, pool, fake_wechat):
    tenant, rep, deal = await _rep(factory)
    due = dt.datetime(2026, 3, 3, 15, 0, tzinfo=SH)
    await deals.schedule_followup(db, rep, deal.deal_id, "给张总打电话确认报价", due)
    clock.set_now(due - dt.timedelta(minutes=1))
    await send_due_followups(db)
    assert await _mine(db, tenant.tenant_id) == []
    clock.set_now(due)
    counts = await asyncio.gather(*(_claim(pool) for _ in range(3)))
    assert sum(counts) >= 1
    rows = await _mine(db, tenant.tenant_id)
    assert len(rows) == 1 and rows[0]["next_attempt_at"] == due
    text = rows[0]["payload"]["text"]["content"]
    assert text.startswith("⏰ 跟进提醒：给张总打电话确认报价") and "华为技术有限公司" in text and "方案" in text
    clock.set_now(due + dt.timedelta(minutes=5))
    await send_due_followups(db)
    await outbox.deliver_until_idle(pool)
    assert len(fake_wechat.sent(rep.wecom_userid)) == 1


async def _claim(pool):
    async with pool.acquire() as conn:
        return await send_due_followups(conn)


async def test_late_reminders_say_so_stale_ones_and_switched_off_ones_are_not_sent(factory, db):
    tenant, rep, deal = await _rep(factory)
    await deals.schedule_followup(db, rep, deal.deal_id, "发方案", T0 + dt.timedelta(hours=1))
    await deals.schedule_followup(db, rep, deal.deal_id, "很久以前的事", T0 + dt.timedelta(hours=2))
    clock.set_now(T0 + dt.timedelta(days=8, hours=1, minutes=30))  # the worker was down: 发方案 is 8 days late
    await send_due_followups(db)
    assert await _mine(db, tenant.tenant_id) == []  # more than 7 days overdue: dropped, not sent
    await deals.schedule_followup(db, rep, deal.deal_id, "回访", clock.now() - dt.timedelta(hours=3))
    await rules.update_rules(db, tenant.tenant_id, NudgeRulesUpdate(followup=False))
    await send_due_followups(db)
    assert await _mine(db, tenant.tenant_id) == []
    await rules.update_rules(db, tenant.tenant_id, NudgeRulesUpdate(followup=True))
    await send_due_followups(db)
    rows = await _mine(db, tenant.tenant_id)
    assert len(rows) == 1 and "跟进提醒（原定今天）：回访" in rows[0]["payload"]["text"]["content"]


async def test_a_followup_done_or_undone_before_it_is_due_sends_nothing(factory, db):
    tenant, rep, deal = await _rep(factory)
    done = await deals.schedule_followup(db, rep, deal.deal_id, "已经做了", T0 + dt.timedelta(hours=1))
    await db.execute("UPDATE activities SET done_at = $3 WHERE tenant_id = $1 AND activity_id = $2",
                     tenant.tenant_id, done.activity_id, T0)
    await deals.schedule_followup(db, rep, deal.deal_id, "说错了", T0 + dt.timedelta(hours=1))
    await deals.undo_last(db, rep)
    clock.set_now(T0 + dt.timedelta(hours=2))
    await send_due_followups(db)  # the job serves every tenant: look at this one's outbox
    assert await _mine(db, tenant.tenant_id) == []

"""End to end: a scan's card reaches WeChat Work, the rep taps a button, WeChat Work calls our
callback (real signature and AES), the deal changes, and the next scans follow the change."""

from __future__ import annotations

import datetime as dt
import secrets

from backend import clock
from backend.services import outbox
from backend.services.nudges import rules
from backend.services.nudges.scan import scan
from schemas.nudges import NudgeRulesUpdate
from tests.fakes.wecom_client import WecomClient

SH = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)
DAY = dt.timedelta(days=1)


def _card(fake, user: str, deal_id: int) -> dict:
    cards = [m["template_card"] for m in fake.sent(user) if m.get("msgtype") == "template_card"]
    return next(c for c in cards if c["button_list"][0]["key"].startswith(f"nudge:{deal_id}:"))


async def _click(wc: WecomClient, user: str, card: dict, text: str, create_time: int, response_code: str | None = None):
    key = next(b["key"] for b in card["button_list"] if b["text"] == text)
    return await wc.event(user, "template_card_event", key, create_time=create_time,
                          TaskId=card["task_id"], CardType="button_interaction",
                          ResponseCode=response_code or "rc-" + secrets.token_hex(4))


async def test_tapping_next_stage_and_done_on_a_nudge_card(client, factory, db, pool, fake_wechat):
    clock.set_now(T0)
    tenant, _ = await factory.tenant()
    tag = secrets.token_hex(3)
    await factory.user(tenant.tenant_id, "王经理", role="manager", team="一组", wecom_userid=f"boss-{tag}")
    rep = await factory.user(tenant.tenant_id, "李雷", team="一组", wecom_userid=f"lilei-{tag}")
    await rules.update_rules(db, tenant.tenant_id, NudgeRulesUpdate(idle=True, stalled=True, close_passed=False, unpaid=False))
    stuck = await factory.deal(rep, "格力电器", stage="qualified", amount=300_000)   # SLA 7
    quiet = await factory.deal(rep, "美的集团", stage="won", amount=100_000)         # idle does not apply to won
    wc = WecomClient.for_tenant(client, tenant)

    clock.set_now(T0 + 7 * DAY)
    assert [(n.deal_id, n.rule) for n in (await scan(db, tenant_id=tenant.tenant_id, wait=True)).nudges] == [
        (stuck.deal_id, "stalled")]
    await outbox.deliver_until_idle(pool)
    card = _card(fake_wechat, rep.wecom_userid, stuck.deal_id)
    assert card["task_id"].startswith(f"nudge-{tenant.tenant_id}-{stuck.deal_id}-stalled-1-")

    reply = await _click(wc, rep.wecom_userid, card, "下一阶段", int(clock.now().timestamp()), response_code="rc-next-1")
    assert reply.status == 200 and "立项" in reply.content
    assert await db.fetchval("SELECT stage FROM deals WHERE tenant_id = $1 AND deal_id = $2",
                             tenant.tenant_id, stuck.deal_id) == "initiated"
    # The tapped card itself changes: its buttons give way to what was done (update_template_card).
    await outbox.deliver_until_idle(pool, tenant_id=tenant.tenant_id)
    updates = [r.body for r in fake_wechat.received if r.path == "/cgi-bin/message/update_template_card" and r.query.get("_ok")]
    assert updates == [{"userids": [rep.wecom_userid], "agentid": 1000002, "response_code": "rc-next-1",
                        "button": {"replace_name": "已推进到下一阶段"}}]
    # a new stage entry: quiet until its own SLA (立项, 14 days) runs out, then nudged again
    clock.set_now(T0 + 21 * DAY - dt.timedelta(minutes=1))
    assert (await scan(db, tenant_id=tenant.tenant_id, wait=True)).nudges == []
    clock.set_now(T0 + 21 * DAY)  # 14 days in 立项, and 14 days since the move (the last touch)
    found = (await scan(db, tenant_id=tenant.tenant_id, wait=True)).nudges
    assert sorted((n.deal_id, n.rule, n.level) for n in found) == [(stuck.deal_id, "idle", 1), (stuck.deal_id, "stalled", 1)]
    await outbox.deliver_until_idle(pool)

    # 已跟进 logs an activity: the idle clock starts again from the tap
    idle_card = next(c for c in (m["template_card"] for m in fake_wechat.sent(rep.wecom_userid)
                                 if m.get("msgtype") == "template_card") if "没有跟进记录" in c["main_title"]["desc"])
    reply = await _click(wc, rep.wecom_userid, idle_card, "已跟进", int(clock.now().timestamp()))
    assert reply.status == 200 and "跟进" in reply.content
    clock.set_now(T0 + 35 * DAY - dt.timedelta(minutes=1))
    assert (await scan(db, tenant_id=tenant.tenant_id, wait=True)).nudges == []
    clock.set_now(T0 + 35 * DAY)  # 14 days after the tap; 2× the 立项 SLA: the manager hears of it
    found = (await scan(db, tenant_id=tenant.tenant_id, wait=True)).nudges
    assert sorted((n.rule, n.level) for n in found) == [("idle", 1), ("stalled", 2)]
    assert quiet.deal_id not in {n.deal_id for n in found}

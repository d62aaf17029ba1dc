"""The nudge scan against the real PostgreSQL with a frozen clock: each rule fires exactly when
it should (not a minute before), once, to the right person, at the right time of day."""

from __future__ import annotations

import asyncio
import secrets
import datetime as dt

from backend import clock
from backend.services import deals, outbox
from backend.services.nudges import rules
from backend.services.nudges.scan import scan
from schemas.nudges import NudgeRulesUpdate

SH = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # a Monday morning in Shanghai
DAY = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)


async def _team(factory, db, *, only: set[str] | None = None):
    """A tenant with a rep and the rep's manager; only the named rules switched on."""
    clock.set_now(T0)
    tenant, _ = await factory.tenant()
    tag = secrets.token_hex(3)  # the fake WeChat is shared by the run: members unique per test
    manager = await factory.user(tenant.tenant_id, "王经理", role="manager", team="华东一组", wecom_userid=f"boss-{tag}")
    rep = await factory.user(tenant.tenant_id, "李雷", team="华东一组", wecom_userid=f"lilei-{tag}")
    if only is not None:
        all_rules = {"stalled", "idle", "close_passed", "unpaid"}
        await rules.update_rules(db, tenant.tenant_id, NudgeRulesUpdate(**{r: r in only for r in all_rules}))
    return tenant, manager, rep


async def _outbox(db, tenant_id):
    """The tenant's outbox rows, each payload as the sender sends it (a nudge card is rendered then)."""
    rows = await db.fetch(
        "SELECT recipient, payload, idempotency_key, next_attempt_at FROM outbox WHERE tenant_id = $1 ORDER BY outbox_id",
        tenant_id)
    return [{**r, "payload": await outbox.rendered(db, tenant_id, r["idempotency_key"], r["payload"])} for r in rows]


async def _scan(db, tenant):
    return await scan(db, tenant_id=tenant.tenant_id, wait=True)


async def test_stalled_fires_at_the_sla_not_a_minute_before_and_escalates_past_twice(factory, db, pool, fake_wechat):
    tenant, manager, rep = await _team(factory, db, only={"stalled"})
    deal = await factory.deal(rep, "华为技术有限公司", stage="bidding", amount=800000, contact_name="张总",
                              phone="13900000001", next_step="约技术交流")
    clock.set_now(T0 + 21 * DAY - MINUTE)
    assert (await _scan(db, tenant)).found == 0
    clock.set_now(T0 + 21 * DAY)
    result = await _scan(db, tenant)
    assert [(n.rule, n.level, n.recipient) for n in result.nudges] == [("stalled", 1, rep.wecom_userid)]
    rows = await _outbox(db, tenant.tenant_id)
    assert len(rows) == 1 and rows[0]["recipient"] == rep.wecom_userid
    card = rows[0]["payload"]["template_card"]
    assert rows[0]["payload"]["msgtype"] == "template_card" and card["card_type"] == "button_interaction"
    assert "这单已在投标21天（时限21天）" in card["main_title"]["desc"]
    assert [b["key"] for b in card["button_list"]] == [
        f"nudge:{deal.deal_id}:done", f"nudge:{deal.deal_id}:snooze3", f"nudge:{deal.deal_id}:next"]
    assert [b["text"] for b in card["button_list"]] == ["已跟进", "推迟3天", "下一阶段"]
    fields = {f["keyname"]: f["value"] for f in card["horizontal_content_list"]}
    assert fields["金额"] == "80万" and fields["下一步"] == "约技术交流" and fields["阶段"] == "投标 · 第21/21天"

    # the next scans, the next day too, send nothing new until 2× SLA
    for at in (T0 + 21 * DAY + MINUTE, T0 + 30 * DAY, T0 + 42 * DAY - MINUTE):
        clock.set_now(at)
        assert (await _scan(db, tenant)).found == 0
    clock.set_now(T0 + 42 * DAY)
    result = await _scan(db, tenant)
    assert [(n.rule, n.level, n.recipient) for n in result.nudges] == [("stalled", 2, manager.wecom_userid)]
    esc = (await _outbox(db, tenant.tenant_id))[-1]["payload"]["template_card"]
    assert "李雷的这单已在投标42天" in esc["main_title"]["desc"]
    assert {"keyname": "负责人", "value": "李雷"} in esc["horizontal_content_list"]
    await outbox.deliver_until_idle(pool)
    assert len(fake_wechat.sent(rep.wecom_userid)) == 1 and len(fake_wechat.sent(manager.wecom_userid)) == 1


async def test_a_deal_first_seen_past_twice_the_sla_tells_rep_and_manager(factory, db):
    tenant, manager, rep = await _team(factory, db, only={"stalled"})
    await factory.deal(rep, "格力电器", stage="qualified", entered_days_ago=15)  # SLA 7
    result = await _scan(db, tenant)
    assert sorted((n.level, n.recipient) for n in result.nudges) == [(1, rep.wecom_userid), (2, manager.wecom_userid)]


async def test_a_stage_change_resets_the_stall_clock(factory, db):
    tenant, manager, rep = await _team(factory, db, only={"stalled"})
    deal = await factory.deal(rep, "美的集团", stage="solution")  # SLA 14
    clock.set_now(T0 + 14 * DAY)
    assert (await _scan(db, tenant)).found == 1
    await deals.move_stage(db, rep, deal.deal_id, "bidding")  # SLA 21 from now
    clock.set_now(T0 + 14 * DAY + 21 * DAY - MINUTE)
    assert (await _scan(db, tenant)).found == 0
    clock.set_now(T0 + 35 * DAY)
    result = await _scan(db, tenant)
    assert [(n.rule, n.level) for n in result.nudges] == [("stalled", 1)]
    # moved back into a stage it was in before: a new stage entry, a new nudge in time
    await deals.move_stage(db, rep, deal.deal_id, "solution")
    clock.set_now(T0 + 49 * DAY)
    assert [(n.rule, n.level) for n in (await _scan(db, tenant)).nudges] == [("stalled", 1)]


async def test_idle_fires_after_14_days_without_activity_and_an_activity_resets_it(factory, db):
    tenant, manager, rep = await _team(factory, db, only={"idle"})
    deal = await factory.deal(rep, "比亚迪", stage="initiated")
    clock.set_now(T0 + 14 * DAY - MINUTE)
    assert (await _scan(db, tenant)).found == 0
    clock.set_now(T0 + 14 * DAY)
    result = await _scan(db, tenant)
    assert [(n.rule, n.reason) for n in result.nudges] == [("idle", "已14天没有跟进记录")]
    clock.set_now(T0 + 20 * DAY)
    await deals.log_activity(db, rep, deal.deal_id, "call", "电话沟通了预算")
    clock.set_now(T0 + 34 * DAY - MINUTE)
    assert (await _scan(db, tenant)).found == 0
    clock.set_now(T0 + 34 * DAY)
    result = await _scan(db, tenant)
    assert [n.rule for n in result.nudges] == ["idle"]
    card = (await _outbox(db, tenant.tenant_id))[-1]["payload"]["template_card"]
    fields = {f["keyname"]: f["value"] for f in card["horizontal_content_list"]}
    assert fields["最近跟进"] == "14天前 电话：电话沟通了预算"


async def test_a_customer_who_keeps_engaging_is_not_nagged_as_dead(factory, db):
    tenant, manager, rep = await _team(factory, db, only={"idle"})
    deal = await factory.deal(rep, "宁德时代", stage="initiated", contact_name="陈总", phone="13900000002")
    contact_id = await db.fetchval("SELECT contact_id FROM deals WHERE tenant_id = $1 AND deal_id = $2",
                                   tenant.tenant_id, deal.deal_id)
    await db.execute("INSERT INTO card_events (tenant_id, rep_id, contact_id, kind, created_at) VALUES ($1, $2, $3, 'view', $4)",
                     tenant.tenant_id, rep.user_id, contact_id, T0 + 10 * DAY)
    clock.set_now(T0 + 14 * DAY)
    assert (await _scan(db, tenant)).found == 0  # the customer looked 4 days ago
    clock.set_now(T0 + 24 * DAY - MINUTE)
    assert (await _scan(db, tenant)).found == 0
    clock.set_now(T0 + 24 * DAY)  # 14 days of silence on both sides
    assert [n.rule for n in (await _scan(db, tenant)).nudges] == ["idle"]


async def test_close_date_passed_fires_at_local_midnight(factory, db):
    tenant, manager, rep = await _team(factory, db, only={"close_passed"})
    await factory.deal(rep, "海尔智家", stage="negotiation", expected_close=dt.date(2026, 3, 5))
    clock.set_now(dt.datetime(2026, 3, 5, 23, 59, tzinfo=SH))
    assert (await _scan(db, tenant)).found == 0
    clock.set_now(dt.datetime(2026, 3, 6, 0, 0, tzinfo=SH))  # in quiet hours: recorded now, sent at 08:00
    result = await _scan(db, tenant)
    assert [n.rule for n in result.nudges] == ["close_passed"]
    assert result.nudges[0].send_at == dt.datetime(2026, 3, 6, 8, 0, tzinfo=SH)
    assert "预计成交日03月05日已过" in result.nudges[0].reason


async def test_won_but_unpaid_past_the_won_sla(factory, db):
    tenant, manager, rep = await _team(factory, db, only={"unpaid", "stalled"})
    await factory.deal(rep, "三一重工", stage="won", amount=1200000)
    clock.set_now(T0 + 30 * DAY - MINUTE)
    assert (await _scan(db, tenant)).found == 0
    clock.set_now(T0 + 30 * DAY)
    result = await _scan(db, tenant)
    assert [(n.rule, n.level) for n in result.nudges] == [("unpaid", 1)]
    assert result.nudges[0].reason == "签约已30天仍未回款（时限30天）"


async def test_a_snoozed_deal_stays_quiet_until_the_snooze_ends(factory, db):
    tenant, manager, rep = await _team(factory, db, only={"stalled"})
    deal = await factory.deal(rep, "中兴通讯", stage="lead")  # SLA 3
    clock.set_now(T0 + 2 * DAY)
    await deals.snooze(db, rep, deal.deal_id, 3)  # until T0 + 5 days
    clock.set_now(T0 + 3 * DAY)
    assert (await _scan(db, tenant)).found == 0
    clock.set_now(T0 + 5 * DAY - MINUTE)
    assert (await _scan(db, tenant)).found == 0
    clock.set_now(T0 + 5 * DAY)
    assert [(n.rule, n.level) for n in (await _scan(db, tenant)).nudges] == [("stalled", 1)]


async def test_quiet_hours_hold_nudges_until_morning(factory, db, pool, fake_wechat):
    tenant, manager, rep = await _team(factory, db, only={"stalled"})
    await factory.deal(rep, "联想集团", stage="lead")
    clock.set_now(dt.datetime(2026, 3, 5, 22, 0, tzinfo=SH))
    result = await _scan(db, tenant)
    assert result.queued == 1
    rows = await _outbox(db, tenant.tenant_id)
    assert rows[0]["next_attempt_at"] == dt.datetime(2026, 3, 6, 8, 0, tzinfo=SH)
    clock.set_now(dt.datetime(2026, 3, 6, 7, 59, tzinfo=SH))
    await outbox.deliver_until_idle(pool)
    assert fake_wechat.sent(rep.wecom_userid) == []
    clock.set_now(dt.datetime(2026, 3, 6, 8, 0, tzinfo=SH))
    await outbox.deliver_until_idle(pool)
    assert len(fake_wechat.sent(rep.wecom_userid)) == 1


async def test_five_a_day_the_most_valuable_first_the_rest_in_one_summary_line(factory, db, pool, fake_wechat):
    tenant, manager, rep = await _team(factory, db, only={"stalled"})
    amounts = [100_000, 900_000, 300_000, 700_000, 200_000, 800_000, 50_000]
    made = {}
    for i, amount in enumerate(amounts):
        d = await factory.deal(rep, f"客户{i}有限公司", stage="initiated", amount=amount)  # SLA 14, p 0.25
        made[d.deal_id] = amount
    clock.set_now(T0 + 14 * DAY)
    result = await _scan(db, tenant)
    assert (result.queued, result.summarised, result.summaries) == (5, 2, 1)
    assert [made[n.deal_id] for n in result.nudges] == [900_000, 800_000, 700_000, 300_000, 200_000]
    assert [(line.count, line.titles) for line in result.lines] == [(2, ["客户0有限公司", "客户6有限公司"])]
    rows = await _outbox(db, tenant.tenant_id)
    assert len(rows) == 6
    summary = rows[-1]["payload"]["text"]["content"]
    assert summary.startswith("另有 2 单今天没有逐条提醒（每天最多 5 条）") and "客户0有限公司" in summary
    # later the same day another deal stalls: the cap is reached and today's summary went out
    clock.set_now(T0 + 14 * DAY + dt.timedelta(hours=2))
    late = await factory.deal(rep, "迟到的客户", stage="lead", entered_days_ago=3)
    fresh = await factory.deal(rep, "第二天的客户", stage="lead")
    result = await _scan(db, tenant)
    assert (result.queued, result.summarised, result.summaries, result.enqueued) == (0, 0, 0, 0)
    # a later day the cap starts over: what waited comes up again, the most valuable first
    clock.set_now(T0 + 17 * DAY + dt.timedelta(hours=2))
    result = await _scan(db, tenant)
    mine = [n.deal_id for n in result.nudges if n.recipient == rep.wecom_userid]
    assert sorted(made.get(d, 0) for d in mine) == [0, 0, 50_000, 100_000]
    assert {late.deal_id, fresh.deal_id} <= set(mine) and result.summaries == 0
    assert [(n.deal_id, n.level) for n in result.nudges if n.recipient == manager.wecom_userid] == [(late.deal_id, 2)]
    await outbox.deliver_until_idle(pool)
    assert len(fake_wechat.sent(rep.wecom_userid)) == 10  # 5 + summary, then 4


async def test_a_stalled_deal_whose_customer_just_engaged_ranks_first_and_says_so(factory, db):
    tenant, manager, rep = await _team(factory, db, only={"stalled"})
    for i in range(5):
        await factory.deal(rep, f"大客户{i}", stage="bidding", amount=5_000_000)
    small = await factory.deal(rep, "小客户", stage="bidding", amount=100_000, contact_name="张总", phone="13900000003")
    contact_id = await db.fetchval("SELECT contact_id FROM deals WHERE tenant_id = $1 AND deal_id = $2",
                                   tenant.tenant_id, small.deal_id)
    clock.set_now(T0 + 26 * DAY)
    for hours in (1, 2, 3):
        await db.execute("INSERT INTO card_events (tenant_id, rep_id, contact_id, kind, created_at) VALUES ($1, $2, $3, 'view', $4)",
                         tenant.tenant_id, rep.user_id, contact_id, clock.now() - dt.timedelta(hours=hours))
    result = await _scan(db, tenant)
    first = result.nudges[0]
    assert first.deal_id == small.deal_id and first.engaged
    assert first.reason == "张总今天看了你的名片 3 次，这单已在投标26天（时限21天）"
    assert len(result.nudges) == 5 and result.summarised == 1  # a big one waits, not the engaged one


async def test_a_rescan_enqueues_nothing_and_a_dry_run_records_nothing(factory, db):
    tenant, manager, rep = await _team(factory, db)
    await factory.deal(rep, "腾讯", stage="lead", entered_days_ago=30)
    dry = await scan(db, tenant_id=tenant.tenant_id, dry_run=True, wait=True)
    assert dry.found >= 2 and dry.enqueued >= 2
    assert await db.fetchval("SELECT count(*) FROM nudges WHERE tenant_id = $1", tenant.tenant_id) == 0
    assert await _outbox(db, tenant.tenant_id) == []
    real = await _scan(db, tenant)
    assert (real.found, real.enqueued) == (dry.found, dry.enqueued)
    again = await _scan(db, tenant)
    assert (again.found, again.enqueued) == (0, 0)


async def test_two_scanners_at_once_send_each_nudge_once(factory, pool, db, fake_wechat):
    tenant, manager, rep = await _team(factory, db, only={"stalled"})
    for i in range(4):
        await factory.deal(rep, f"并发客户{i}", stage="lead", entered_days_ago=7)  # past 2×: rep and manager

    async def one(wait: bool):
        async with pool.acquire() as conn:
            return await scan(conn, tenant_id=tenant.tenant_id, wait=wait)

    results = await asyncio.gather(one(False), one(False), one(True), one(True))
    assert sum(r.found for r in results) == 8 and sum(r.enqueued for r in results) == 8
    await outbox.deliver_until_idle(pool)
    assert len(fake_wechat.sent(rep.wecom_userid)) == 4 and len(fake_wechat.sent(manager.wecom_userid)) == 4


async def test_a_scan_that_dies_before_commit_leaves_nothing_and_a_restart_sends_once(factory, pool, db, fake_wechat):
    tenant, manager, rep = await _team(factory, db, only={"stalled"})
    for i in range(3):
        await factory.deal(rep, f"重启客户{i}", stage="lead", entered_days_ago=4)
    conn = await pool.acquire()
    tx = conn.transaction()
    await tx.start()
    dying = await scan(conn, tenant_id=tenant.tenant_id, wait=True)
    assert dying.enqueued == 3
    await pool.release(conn)  # the worker dies mid-pass: its transaction never commits
    assert await db.fetchval("SELECT count(*) FROM nudges WHERE tenant_id = $1", tenant.tenant_id) == 0
    first = await _scan(db, tenant)
    second = await _scan(db, tenant)
    assert (first.enqueued, second.enqueued) == (3, 0)
    # even with the nudge records lost, the outbox keys stop a double
    await db.execute("DELETE FROM nudges WHERE tenant_id = $1", tenant.tenant_id)
    third = await _scan(db, tenant)
    assert (third.found, third.enqueued) == (3, 0)
    await outbox.deliver_until_idle(pool)
    assert len(fake_wechat.sent(rep.wecom_userid)) == 3


async def test_scanning_one_tenant_leaves_the_others_alone(factory, db):
    tenant, manager, rep = await _team(factory, db, only={"stalled"})
    other, _, other_rep = await _team(factory, db, only={"stalled"})
    clock.set_now(T0)
    await factory.deal(rep, "甲公司", stage="lead", entered_days_ago=4)
    await factory.deal(other_rep, "乙公司", stage="lead", entered_days_ago=4)
    result = await _scan(db, tenant)
    assert {n.tenant_id for n in result.nudges} == {tenant.tenant_id}
    assert await _outbox(db, other.tenant_id) == []


async def test_a_deal_is_one_card_however_many_rules_fire(factory, db, pool, fake_wechat):
    tenant, manager, rep = await _team(factory, db)
    await factory.deal(rep, "海信集团", stage="lead", expected_close=dt.date(2026, 3, 1), entered_days_ago=15,
                       amount=200_000)
    result = await _scan(db, tenant)
    assert sorted((n.rule, n.level) for n in result.nudges) == [
        ("close_passed", 1), ("idle", 1), ("stalled", 1), ("stalled", 2)]
    assert (result.queued, result.cards, result.enqueued) == (4, 2, 2)
    await outbox.deliver_until_idle(pool)
    [card] = [m["template_card"] for m in fake_wechat.sent(rep.wecom_userid)]
    assert card["main_title"]["desc"].startswith("这单已在线索15天（时限3天）；预计成交日03月01日已过")
    assert "已15天没有跟进记录" in card["sub_title_text"]
    assert len(fake_wechat.sent(manager.wecom_userid)) == 1
    # the cap counts cards: four more deals fill the rep's day, a fifth waits
    for i in range(5):
        await factory.deal(rep, f"海信{i}号", stage="lead", entered_days_ago=15, amount=100_000 - i)
    result = await _scan(db, tenant)
    assert (result.cards, result.summarised, result.summaries) == (8, 2, 2)  # rep and manager: 4 more each, 1 waits
    assert sorted((line.recipient, line.titles) for line in result.lines) == sorted(
        [(rep.wecom_userid, ["海信4号"]), (manager.wecom_userid, ["海信4号"])])


async def test_a_nudge_held_overnight_is_dropped_when_the_deal_moves_or_is_snoozed_before_morning(
    factory, db, pool, fake_wechat
):
    tenant, manager, rep = await _team(factory, db, only={"stalled"})
    moved = await factory.deal(rep, "联想集团", stage="lead")
    snoozed = await factory.deal(rep, "海尔集团", stage="lead")
    kept = await factory.deal(rep, "美的集团", stage="lead")
    clock.set_now(dt.datetime(2026, 3, 5, 22, 0, tzinfo=SH))
    assert (await _scan(db, tenant)).queued == 3
    clock.set_now(dt.datetime(2026, 3, 5, 23, 0, tzinfo=SH))
    await deals.move_stage(db, rep, moved.deal_id, "qualified")  # the rep moved it late at night
    await deals.snooze(db, rep, snoozed.deal_id, 3)
    clock.set_now(dt.datetime(2026, 3, 6, 8, 0, tzinfo=SH))
    counts = await outbox.deliver_until_idle(pool, tenant_id=tenant.tenant_id)
    sent = fake_wechat.sent(rep.wecom_userid)
    assert len(sent) == 1 and counts["cancelled"] == 2
    assert "美的集团" in str(sent[0])
    statuses = sorted(r["status"] for r in await db.fetch("SELECT status FROM outbox WHERE tenant_id = $1", tenant.tenant_id))
    assert statuses == ["cancelled", "cancelled", "sent"]
    assert kept.deal_id

"""The LTC domain services against the real PostgreSQL: de-duplication, stage rules, scoping, undo."""

from __future__ import annotations

import datetime as dt

import pytest

from backend import clock
from backend.errors import Forbidden, Invalid, NotFound
from backend.services import deals
from schemas.deals import DealUpdate, LeadCreate


async def test_lead_dedupes_account_by_normalised_name_and_contact_by_phone(factory, db):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    a = await deals.create_lead(db, rep, LeadCreate(company="佛山顺和陶瓷有限公司", contact_name="刘建国", phone="138-2647-1935"))
    b = await deals.create_lead(db, rep, LeadCreate(company="佛山 顺和陶瓷", contact_name="刘总", phone="+86 13826471935", product="储能柜"))
    c = await deals.create_lead(db, rep, LeadCreate(company="佛山順和陶瓷有限公司", email="Liu@ShunHe.cn"))
    d = await deals.create_lead(db, rep, LeadCreate(company="别的公司", email="liu@shunhe.cn"))
    rows = await db.fetch("SELECT deal_id, account_id, contact_id FROM deals WHERE tenant_id = $1 ORDER BY deal_id", tenant.tenant_id)
    assert len({r["account_id"] for r in rows[:3]}) == 1, "same normalised company → same account"
    assert rows[3]["account_id"] != rows[0]["account_id"]
    assert rows[0]["contact_id"] == rows[1]["contact_id"], "same phone → same contact"
    assert rows[2]["contact_id"] == rows[3]["contact_id"], "same e-mail (any case) → same contact"
    assert a.phone == "13826471935" and b.contact_name == "刘建国"
    assert c.stage == "lead" and d.source == "api"
    history = await deals.deal_history(db, rep, a.deal_id)
    assert [(h.from_stage, h.to_stage) for h in history] == [(None, "lead")]


async def test_stage_moves_keep_history_and_won_lost_rules(factory, db):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    t0 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)
    clock.set_now(t0 - dt.timedelta(hours=1))
    deal = await factory.deal(rep, "宁波梅山湾港务集团", amount=1_000_000)
    clock.set_now(t0)
    moved = await deals.move_stage(db, rep, deal.deal_id, "bidding")
    assert moved.stage == "bidding" and moved.stage_entered_at == t0
    clock.set_now(t0 + dt.timedelta(days=3))
    same = await deals.move_stage(db, rep, deal.deal_id, "bidding", amount=1_100_000)
    assert same.stage_entered_at == t0, "staying in a stage keeps its clock"
    won = await deals.move_stage(db, rep, deal.deal_id, "won")
    assert won.amount == 1_100_000, "won keeps the amount"
    lost_deal = await factory.deal(rep, "天津滨海港机")
    lost = await deals.move_stage(db, rep, lost_deal.deal_id, "lost", reason="客户选了宁能科技")
    assert lost.lost_reason == "客户选了宁能科技" and lost.amount is None
    history = await deals.deal_history(db, rep, deal.deal_id)
    assert [h.to_stage for h in history] == ["lead", "bidding", "won"]
    with pytest.raises(Invalid) as err:
        await deals.move_stage(db, rep, deal.deal_id, "nonsense")
    assert err.value.field == "stage"


async def test_role_scoping_rep_manager_admin(factory, db):
    tenant, _ = await factory.tenant()
    rep_a = await factory.user(tenant.tenant_id, "甲", team="一组")
    rep_b = await factory.user(tenant.tenant_id, "乙", team="一组")
    rep_c = await factory.user(tenant.tenant_id, "丙", team="二组")
    manager = await factory.user(tenant.tenant_id, "经理", role="manager", team="一组")
    admin = await factory.user(tenant.tenant_id, "管理员", role="admin", team=None)
    deal_b = await factory.deal(rep_b, "乙的客户")
    deal_c = await factory.deal(rep_c, "丙的客户")
    with pytest.raises(Forbidden):
        await deals.get_deal(db, rep_a, deal_b.deal_id)
    with pytest.raises(Forbidden):
        await deals.move_stage(db, rep_a, deal_b.deal_id, "qualified")
    with pytest.raises(Forbidden):
        await deals.log_activity(db, rep_a, deal_b.deal_id, "note", "偷看")
    assert (await deals.list_deals(db, rep_a)).total == 0
    assert {d.deal_id for d in (await deals.list_deals(db, manager)).items} == {deal_b.deal_id}
    with pytest.raises(Forbidden):
        await deals.move_stage(db, manager, deal_c.deal_id, "qualified")
    await deals.move_stage(db, manager, deal_b.deal_id, "qualified")
    assert (await deals.list_deals(db, admin)).total == 2
    # Another tenant's deal is simply not there.
    other, _ = await factory.tenant()
    outsider = await factory.user(other.tenant_id, role="admin")
    with pytest.raises(NotFound):
        await deals.get_deal(db, outsider, deal_b.deal_id)
    unchanged = await db.fetchval("SELECT stage FROM deals WHERE tenant_id = $1 AND deal_id = $2", tenant.tenant_id, deal_b.deal_id)
    assert unchanged == "qualified"


async def test_activities_followups_and_listing_order(factory, db):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    fresh = await factory.deal(rep, "新鲜客户", stage="bidding", entered_days_ago=1)
    stale = await factory.deal(rep, "老客户", stage="qualified", entered_days_ago=30)
    activity = await deals.log_activity(db, rep, fresh.deal_id, "visit", "拜访了刘总")
    assert activity.kind == "visit" and activity.user_id == rep.user_id
    due = clock.now() + dt.timedelta(days=1)
    followup = await deals.schedule_followup(db, rep, fresh.deal_id, "打电话确认付款方式", due)
    assert followup.kind == "followup" and followup.due_at == due
    page = await deals.list_deals(db, rep)
    assert [d.deal_id for d in page.items] == [stale.deal_id, fresh.deal_id], "furthest over SLA first"
    with pytest.raises(Invalid):
        await deals.log_activity(db, rep, fresh.deal_id, "note", "   ")
    with pytest.raises(Invalid):
        await deals.schedule_followup(db, rep, fresh.deal_id, "x", dt.datetime(2026, 12, 1, 9))


async def test_undo_reverts_the_users_last_change_only(factory, db):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    other = await factory.user(tenant.tenant_id, "别人")
    deal = await factory.deal(rep, "湘江机械", amount=500_000)
    before = await deals.get_deal(db, rep, deal.deal_id)
    await deals.move_stage(db, rep, deal.deal_id, "lost", reason="预算冻结")
    await factory.deal(other, "别人的客户")
    undone = await deals.undo_last(db, rep)
    assert undone.op == "move_stage"
    after = await deals.get_deal(db, rep, deal.deal_id)
    assert (after.stage, after.lost_reason, after.stage_entered_at) == ("lead", None, before.stage_entered_at)
    assert [h.to_stage for h in await deals.deal_history(db, rep, deal.deal_id)] == ["lead"]
    await deals.update_deal(db, rep, deal.deal_id, DealUpdate(amount=700_000, next_step="发报价"))
    assert (await deals.get_deal(db, rep, deal.deal_id)).amount == 700_000
    await deals.undo_last(db, rep)
    assert (await deals.get_deal(db, rep, deal.deal_id)).amount == 500_000
    # Next undo removes the lead the rep created.
    assert (await deals.undo_last(db, rep)).op == "create_lead"
    with pytest.raises(NotFound):
        await deals.get_deal(db, rep, deal.deal_id)
    assert await deals.undo_last(db, rep) is None
    # The other user's lead is still there.
    assert (await deals.list_deals(db, other)).total == 1


async def test_list_total_is_the_count_whatever_the_page(factory, db):
    """The total is every visible deal, whether the page ends before the limit (then it is read off
    the page) or not (then it is counted)."""
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    for name in ("甲公司", "乙公司", "丙公司", "丁公司", "戊公司"):
        await factory.deal(rep, name)
    cases = [(50, 0), (5, 0), (4, 0), (2, 2), (2, 4), (2, 5), (3, 9), (0, 0)]
    for limit, offset in cases:
        page = await deals.list_deals(db, rep, limit=limit, offset=offset)
        assert page.total == 5, (limit, offset)
        assert len(page.items) == max(0, min(limit, 5 - offset)), (limit, offset)
    other = await factory.user(tenant.tenant_id)
    assert (await deals.list_deals(db, other)).total == 0
    assert (await deals.list_deals(db, other, offset=3)).total == 0

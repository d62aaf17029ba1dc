"""A deal's writes in fewer round trips, with the rules they had.

deal_create_lead (migration 0018): a new lead in one round trip, with the rules of the six statements
it replaced (backend/services/accounts.py) — the deal read back as deal_get reads it, contacts found
by phone / e-mail or by name within the account, an identifier owned by another contact left alone,
no undo record for a lead the user did not make, a failure that leaves the caller's transaction
usable. deal_move_stage (deals.sql): a stage move's update, history, undo record and read-back in one
statement after the locking read."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from backend import clock

from backend.db.queries import queries
from backend.services import deals
from schemas.deals import LeadCreate


async def test_the_deal_comes_back_as_deal_get_reads_it(factory, db):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    deal = await deals.create_lead(db, rep, LeadCreate(company="佛山顺和陶瓷有限公司", contact_name="刘建国",
                                                       contact_title="采购总监", phone="13826471935",
                                                       product="储能柜", amount=500_000))
    read = await queries.deal_get(db, tenant_id=tenant.tenant_id, deal_id=deal.deal_id)
    created = await db.fetchrow("SELECT * FROM deal_create_lead($1, $2, $2, '别的公司', '别的', NULL, NULL, NULL, NULL,"
                                " '别的公司', NULL, NULL, NULL, NULL, 'api', false, now(), false)",
                                tenant.tenant_id, rep.user_id)
    assert list(created.keys()) == list(read.keys()), "the function's columns are deal_get's, in its order"
    assert deal == await deals.get_deal(db, rep, deal.deal_id)
    assert (deal.company, deal.contact_name, deal.contact_title, deal.phone, deal.owner, deal.stage) == \
        ("佛山顺和陶瓷有限公司", "刘建国", "采购总监", "13826471935", rep.name, "lead")


async def test_contacts_by_name_within_the_account_and_identifiers_of_another_contact(factory, db):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    a = await deals.create_lead(db, rep, LeadCreate(company="宁波港务", contact_name="王海涛"))
    b = await deals.create_lead(db, rep, LeadCreate(company="宁波港务有限公司", contact_name="王海涛", product="吊机"))
    c = await deals.create_lead(db, rep, LeadCreate(company="舟山港务", contact_name="王海涛"))
    ids = {r["deal_id"]: r["contact_id"] for r in await db.fetch(
        "SELECT deal_id, contact_id FROM deals WHERE tenant_id = $1", tenant.tenant_id)}
    assert ids[a.deal_id] == ids[b.deal_id], "same name in the same account: the same contact"
    assert ids[c.deal_id] != ids[a.deal_id], "same name in another account: another contact"

    # One contact has the phone, another the e-mail: a lead giving both finds the phone's contact and
    # does not move the e-mail onto it (that would violate contacts_email): both stay as they are.
    p = await deals.create_lead(db, rep, LeadCreate(company="甲公司", contact_name="甲", phone="13900000001"))
    e = await deals.create_lead(db, rep, LeadCreate(company="乙公司", contact_name="乙", email="yi@example.cn"))
    both = await deals.create_lead(db, rep, LeadCreate(company="丙公司", phone="139 0000 0001", email="YI@example.cn"))
    assert both.contact_name == "甲" and both.phone == "13900000001" and both.email is None
    emails = await db.fetch("SELECT contact_id FROM contacts WHERE tenant_id = $1 AND email = 'yi@example.cn'",
                            tenant.tenant_id)
    assert len(emails) == 1 and p.contact_name == "甲" and e.email == "yi@example.cn"


async def test_undoable_false_writes_history_but_no_undo_record(factory, db):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    deal = await deals.create_lead(db, rep, LeadCreate(company="卡片询价公司", phone="13700000000"), undoable=False)
    kept = await deals.create_lead(db, rep, LeadCreate(company="自己录入公司"))
    ops = await db.fetch("SELECT deal_id, op FROM change_log WHERE tenant_id = $1", tenant.tenant_id)
    assert [(r["deal_id"], r["op"]) for r in ops] == [(kept.deal_id, "create_lead")]
    history = await deals.deal_history(db, rep, deal.deal_id)
    assert [(h.from_stage, h.to_stage) for h in history] == [(None, "lead")]


async def test_a_failure_inside_a_transaction_leaves_it_usable(factory, db):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    async with db.transaction():
        first = await deals.create_lead(db, rep, LeadCreate(company="先到公司"))
        with pytest.raises(asyncpg.CheckViolationError):
            # (a Struct's constructor does not validate: a source the table's CHECK refuses)
            await deals.create_lead(db, rep, LeadCreate(company="后到公司", source="nowhere"))
        second = await deals.create_lead(db, rep, LeadCreate(company="再来公司"))
    names = [r["name"] for r in await db.fetch("SELECT name FROM accounts WHERE tenant_id = $1 ORDER BY account_id",
                                               tenant.tenant_id)]
    assert names == ["先到公司", "再来公司"], "the failed lead's account was rolled back with it"
    assert first.deal_id < second.deal_id


async def test_a_stage_move_writes_history_and_undo_record_and_reads_the_deal_back(factory, db):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    t0 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)
    clock.set_now(t0)
    deal = await deals.create_lead(db, rep, LeadCreate(company="宁波梅山湾港务集团", contact_name="陈工", amount=800_000))
    clock.set_now(t0 + dt.timedelta(hours=2))
    moved = await deals.move_stage(db, rep, deal.deal_id, "bidding", reason="招标公告已发")
    assert moved == await deals.get_deal(db, rep, deal.deal_id)
    assert (moved.stage, moved.amount, moved.contact_name, moved.stage_entered_at) == \
        ("bidding", 800_000, "陈工", t0 + dt.timedelta(hours=2))
    clock.set_now(t0 + dt.timedelta(hours=3))
    same = await deals.move_stage(db, rep, deal.deal_id, "bidding", amount=900_000)
    assert (same.amount, same.stage_entered_at) == (900_000, t0 + dt.timedelta(hours=2)), "same stage: the clock runs on"
    history = await deals.deal_history(db, rep, deal.deal_id)
    assert [(h.from_stage, h.to_stage, h.reason) for h in history] == [(None, "lead", None), ("lead", "bidding", "招标公告已发")]
    logs = await db.fetch("SELECT op, data FROM change_log WHERE tenant_id = $1 ORDER BY change_id", tenant.tenant_id)
    assert [r["op"] for r in logs] == ["create_lead", "move_stage", "move_stage"]
    assert logs[1]["data"]["history_id"] == history[1].history_id and logs[1]["data"]["before"]["stage"] == "lead"
    assert logs[2]["data"]["history_id"] is None and logs[2]["data"]["before"]["amount"] == 800_000
    await deals.undo_last(db, rep)
    await deals.undo_last(db, rep)
    back = await deals.get_deal(db, rep, deal.deal_id)
    assert (back.stage, back.amount, back.stage_entered_at) == ("lead", 800_000, t0)
    assert [h.to_stage for h in await deals.deal_history(db, rep, deal.deal_id)] == ["lead"]


async def test_the_citus_setup_names_the_functions_by_their_real_signatures(db):
    from backend.db import citus

    for statement in citus.setup_sql(["users", "deals"]):
        if "create_distributed_function" in statement:
            signature = statement.split("'")[1]
            assert await db.fetchval("SELECT $1::regprocedure::text", signature)


async def test_unless_duplicates_writes_nothing_when_the_duplicate_check_would_find_a_deal(factory, db):
    """The bot's lead: unless_duplicates=True writes only when confirm_lead_duplicates finds nothing."""
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    other = await factory.user(tenant.tenant_id)
    open_deal = await deals.create_lead(db, other, LeadCreate(company="佛山顺和陶瓷有限公司", contact_name="刘建国",
                                                              phone="13826471935", email="liu@shunhe.cn"))
    closed = await deals.create_lead(db, other, LeadCreate(company="宁波港务有限公司"))
    await deals.move_stage(db, other, closed.deal_id, "lost", reason="预算取消")

    async def both(lead: LeadCreate) -> tuple[bool, bool]:
        """(the duplicate query finds a deal, the guarded create wrote nothing)"""
        from backend.services import accounts

        found = await queries.confirm_lead_duplicates(
            db, tenant_id=tenant.tenant_id, user_id=rep.user_id, norm_name=accounts.normalise_company(lead.company),
            phone=accounts.normalise_phone(lead.phone), email=lead.email.strip().lower() if lead.email else None)
        before = await db.fetchval("SELECT count(*) FROM accounts WHERE tenant_id = $1", tenant.tenant_id)
        async with db.transaction():
            made = await deals.create_lead(db, rep, lead, unless_duplicates=True)
            after = await db.fetchval("SELECT count(*) FROM accounts WHERE tenant_id = $1", tenant.tenant_id)
            if made is not None:
                raise _RollBack((bool(found), False))  # undo the new lead: the next case must not see it
        return bool(found), made is None and after == before

    cases = [
        LeadCreate(company="佛山 顺和陶瓷"),                              # the same account
        LeadCreate(company="别的公司", phone="+86 138-2647-1935"),        # the contact's phone
        LeadCreate(company="别的公司", email="LIU@shunhe.cn"),            # the contact's e-mail, any case
        LeadCreate(company="宁波港务"),                                   # a closed deal only
        LeadCreate(company="全新公司", phone="13900000000"),              # nothing
    ]
    seen = []
    for lead in cases:
        try:
            seen.append(await both(lead))
        except _RollBack as wrote:
            seen.append(wrote.args[0])
    assert seen == [(True, True), (True, True), (True, True), (False, False), (False, False)]
    assert open_deal.stage == "lead"


class _RollBack(Exception):
    pass


async def test_a_stage_move_keeps_undos_snapshot_as_python_wrote_it_and_refuses_as_before(factory, db):
    from backend.errors import Forbidden, NotFound
    from schemas.deals import DealUpdate

    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    stranger = await factory.user(tenant.tenant_id)
    clock.set_now(dt.datetime(2026, 11, 23, 2, 0, 0, 123400, tzinfo=dt.timezone.utc))  # microseconds, as real clocks
    deal = await deals.create_lead(db, rep, LeadCreate(company="杭州西溪湿地文旅", product="导览屏", amount=300_000))
    await deals.update_deal(db, rep, deal.deal_id, DealUpdate(next_step="报价", expected_close=dt.date(2027, 1, 15)))
    clock.set_now(dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.timezone.utc))
    await deals.snooze(db, rep, deal.deal_id, 3)
    for stage in ("qualified", "qualified", "lost", "solution"):
        row = await queries.deal_get_for_update(db, tenant_id=tenant.tenant_id, deal_id=deal.deal_id)
        expected = deals._snapshot(row)
        await deals.move_stage(db, rep, deal.deal_id, stage, reason="客户预算冻结" if stage == "lost" else None)
        data = await db.fetchval("SELECT data FROM change_log WHERE tenant_id = $1 ORDER BY change_id DESC LIMIT 1",
                                 tenant.tenant_id)
        assert data["before"] == expected, stage
    back = await deals.get_deal(db, rep, deal.deal_id)
    assert (back.stage, back.lost_reason, back.snoozed_until) == ("solution", None, None)
    with pytest.raises(Forbidden):
        await deals.move_stage(db, stranger, deal.deal_id, "bidding")
    with pytest.raises(NotFound):
        await deals.move_stage(db, rep, deal.deal_id + 1000, "bidding")
    assert (await deals.get_deal(db, rep, deal.deal_id)).stage == "solution"

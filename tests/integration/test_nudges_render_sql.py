"""The scan writes its summary lines in SQL (nudges.sql, migration 0024) and, per card, a small
outbox row whose key names the nudges it carries, rendered when sent (cards.render_card, from the deal as of
the scan); what the sender sends must be what messages.py renders from the scan's own rows
(scan.render), payload for payload, key for key, recipient and send time too — over deals that exercise every branch of the card: each rule
and their combinations, an escalation, engagement of each kind, amounts at the edges of the
rounding, titles with whitespace, newlines and more characters than fit, a company named in the
title or not, an activity or none, no next step, and more deals than the daily cap."""

from __future__ import annotations

import datetime as dt
import json
import secrets

from backend import clock
from backend.db.queries import queries
from backend.services import outbox
from backend.services.nudges import rules
from backend.services.nudges.scan import SLOTS, _find_and_record, render, tenant_params
from schemas.nudges import NudgeRulesUpdate

SH = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)
DAY = dt.timedelta(days=1)

# (title, amount, stage, days in stage, days since the last activity, close date in days, next step)
DEALS = [
    ("  华为技术有限公司 储能柜二期\n扩容项目（含运维）及配套的消防与监控系统改造  ", 800000, "bidding", 43, 20, -3, "约技术交流"),
    ("格力电器", None, "qualified", 15, 15, None, None),
    ("美的集团 空调产线", 12345, "solution", 14.5, 30, -1, "   "),
    ("比亚迪", 99995000, "initiated", 2, 16, 10, "报价\n单"),
    ("宁德时代", 150000000, "won", 61, 3, None, "催回款"),
    ("小米", 999950000000000, "negotiation", 29.99, 1, -40, "谈判"),
    ("顺和陶瓷", 8000, "lead", 3, 14, None, None),
    ("海尔", 10000, "lead", 7, 2, -2, None),
    ("联想", 99999, "bidding", 22, 40, None, "投标"),
    ("中兴", 123456789, "won", 31, 31, None, None),
]


async def test_the_cards_sent_are_the_cards_messages_py_renders_at_the_scan(factory, db):
    clock.set_now(T0)
    tenant, _ = await factory.tenant()
    tid = tenant.tenant_id
    tag = secrets.token_hex(3)
    await factory.user(tid, "王经理", role="manager", team="华东一组", wecom_userid=f"boss-{tag}")
    rep = await factory.user(tid, "李雷", team="华东一组", wecom_userid=f"lilei-{tag}")
    await rules.update_rules(db, tid, NudgeRulesUpdate(escalate_factor=1.5, daily_cap=7))
    for i, (title, amount, stage, in_stage, quiet, close, step) in enumerate(DEALS):
        deal = await factory.deal(rep, "华为技术有限公司" if i == 0 else f"客户公司{i}", stage=stage,
                                  contact_name=f"张总{i}" if i % 3 == 0 else None, phone=f"139000000{i:02d}")
        await db.execute(
            "UPDATE deals SET title = $3, amount = $4, stage_entered_at = $5, last_activity_at = $6, created_at = $5,"
            " expected_close = $7, next_step = $8 WHERE tenant_id = $1 AND deal_id = $2",
            tid, deal.deal_id, title, amount, T0 - in_stage * DAY, T0 - quiet * DAY,
            None if close is None else (T0 + close * DAY).date(), step)
        if i in (1, 5):
            await db.execute(
                "INSERT INTO activities (tenant_id, deal_id, user_id, kind, body, created_at)"
                " VALUES ($1, $2, $3, $4, $5, $6)",
                tid, deal.deal_id, rep.user_id, "visit" if i == 1 else "meeting",
                "  上门拜访，客户对二期扩容很感兴趣，\n约了下周再谈价格  ", T0 - (quiet + 0.5) * DAY)
        contact_id = await db.fetchval("SELECT contact_id FROM deals WHERE tenant_id = $1 AND deal_id = $2",
                                       tid, deal.deal_id)
        events = {0: ["view", "view"], 3: ["forward"], 6: ["inquiry", "view"], 9: ["view"]}.get(i, [])
        for j, kind in enumerate(events):
            at = T0 - dt.timedelta(hours=1 + j) if i != 9 else T0 - 2 * DAY
            await db.execute(
                "INSERT INTO card_events (tenant_id, rep_id, contact_id, kind, created_at) VALUES ($1, $2, $3, $4, $5)",
                tid, rep.user_id, contact_id, kind, at)

    now = clock.now()
    async with db.transaction():
        tenant_rows = await queries.nudge_scan_tenants(db, tenant_id=tid, slot=None, slots=SLOTS)
        rows = await _find_and_record(db, tenant_params(tenant_rows, now), now, collect=True)
        counts = rows.pop()
        stored = await db.fetch(
            "SELECT recipient, payload, idempotency_key, next_attempt_at FROM outbox WHERE tenant_id = $1", tid)
    expected = render(rows, now)
    # the cards are sent later (the clock moved on, the customer looked at the card again, the rep
    # logged a call): what goes out is still what the scan saw
    clock.set_now(T0 + 2 * DAY)
    contact_id = await db.fetchval("SELECT contact_id FROM deals WHERE tenant_id = $1 AND title LIKE '%华为%'", tid)
    await db.execute("INSERT INTO card_events (tenant_id, rep_id, contact_id, kind, created_at) VALUES ($1, $2, $3, 'view', $4)",
                     tid, rep.user_id, contact_id, clock.now())
    await db.execute("INSERT INTO activities (tenant_id, deal_id, user_id, kind, body, created_at)"
                     " SELECT tenant_id, deal_id, owner_id, 'call', '晚到的电话', $2 FROM deals WHERE tenant_id = $1", tid, clock.now())
    assert all(len(str(r["payload"])) < 200 for r in stored if r["idempotency_key"].startswith("nudge:"))
    written = [{**r, "payload": await outbox.rendered(db, tid, r["idempotency_key"], r["payload"])} for r in stored]

    kinds = {r["kind"] for r in rows}
    rules_fired = {(r["rule"], r["level"]) for r in rows if r["kind"] == "nudge"}
    assert kinds == {"nudge", "summary"}, "more deals than the daily cap: a summary line too"
    assert {("stalled", 1), ("stalled", 2), ("idle", 1), ("close_passed", 1), ("unpaid", 1)} <= rules_fired
    assert any(r["engaged"] for r in rows if r["kind"] == "nudge")
    assert counts["enqueued"] == len(written) == len(expected["keys"])
    assert counts["cards"] + counts["summaries"] == len(written)
    assert all(type(counts[k]) is int for k in ("queued", "cards", "summaries", "summarised", "enqueued"))

    by_key = {r["idempotency_key"]: r for r in written}
    assert set(by_key) == set(expected["keys"])
    for i, key in enumerate(expected["keys"]):
        row = by_key[key]
        assert row["recipient"] == expected["recipients"][i]
        assert row["next_attempt_at"] == expected["not_before"][i]
        assert row["payload"] == json.loads(expected["payloads"][i]), key
    amounts = {f["value"] for r in written if r["payload"]["msgtype"] == "template_card"
               for f in r["payload"]["template_card"]["horizontal_content_list"] if f["keyname"] == "金额"}
    assert {"未填金额", "8000元", "1.234万", "10万", "1e+07亿"} <= amounts  # the edges of the rounding

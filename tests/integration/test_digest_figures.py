"""The daily digest and the weekly review against hand-computed figures on a small fixed data set,
sent once at the tenant's digest time, and the H5 page behind the link."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import secrets
import xml.etree.ElementTree as ET

import pytest

from backend import clock
from backend.services import deals
from backend.services.digests import figures as figs
from backend.services.digests import send
from backend.services.digests.markdown import LIMIT
from schemas.deals import LeadCreate

SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 11, 8, 30, tzinfo=SH)  # Wednesday; "yesterday" is 2026-03-10
Y = dt.date(2026, 3, 10)


def at(day: dt.date | int, hour: int = 10, minute: int = 0) -> dt.datetime:
    if isinstance(day, int):
        day = Y + dt.timedelta(days=day)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


async def _lead(db, actor, when, company, amount=None, source="api"):
    clock.set_now(when)
    return await deals.create_lead(db, actor, LeadCreate(company=company, amount=amount, source=source))


async def _move(db, actor, deal, when, stage, **kw):
    clock.set_now(when)
    return await deals.move_stage(db, actor, deal.deal_id, stage, **kw)


async def build(factory, db):
    """The fixed data set (see the expected figures in the tests)."""
    clock.set_now(at(-40))
    tenant, _ = await factory.tenant()
    tag = secrets.token_hex(3)
    tid = tenant.tenant_id
    mgr = await factory.user(tid, "王经理", role="manager", team="华东一组", wecom_userid=f"wang-{tag}")
    lei = await factory.user(tid, "李雷", team="华东一组", wecom_userid=f"lilei-{tag}")
    han = await factory.user(tid, "韩梅梅", team="华东一组", wecom_userid=f"han-{tag}")
    zhang = await factory.user(tid, "张伟", team="华东一组", wecom_userid=f"zhang-{tag}")
    zhao = await factory.user(tid, "赵六", team="华南组", wecom_userid=f"zhao-{tag}")

    f = await _lead(db, lei, at(-40), "比亚迪", 800_000)
    await _move(db, lei, f, at(-35), "negotiation")
    h = await _lead(db, zhang, at(-29, 8, 30), "海尔", 100_000)           # stalled in lead: 27 days over
    i = await _lead(db, lei, at(-26, 8, 30), "TCL", 600_000)
    await _move(db, lei, i, at(-25, 8, 30), "bidding")                     # stalled in bidding: 26 days, 5 over
    a = await _lead(db, lei, at(-19), "华为", 1_000_000)
    b = await _lead(db, han, at(-19), "格力", 200_000)
    await _move(db, lei, a, at(-14), "qualified")
    await _move(db, han, b, at(-14), "qualified")
    await _move(db, lei, a, at(-11), "initiated")
    # yesterday
    await _lead(db, lei, at(0), "美的", 300_000, source="chat")
    d = await _lead(db, han, at(0), "小米", 50_000, source="card")
    await _lead(db, lei, at(0, 10, 5), "联想", None, source="chat")
    await _move(db, lei, a, at(0, 11), "solution")
    await _move(db, han, b, at(0, 11), "lost", reason="价格太高")
    await _move(db, lei, f, at(0, 14), "won", amount=800_000)
    clock.set_now(at(0, 15))
    await deals.log_activity(db, han, d.deal_id, "call", "电话确认需求")
    g = await _lead(db, zhao, at(0), "另一组的客户", 9_000_000)            # another team: never in 王经理's digest
    await _move(db, zhao, g, at(0, 12), "won")
    events = [(lei, 1, "view", 0, 9), (lei, 1, "view", 0, 10), (lei, 2, "view", 0, 11), (lei, 2, "forward", 0, 11),
              (lei, 3, "inquiry", 0, 12), (lei, 1, "dwell", 120, 9), (lei, 2, "dwell", 60, 11),
              (lei, 1, "view", 0, -14), (zhao, 9, "view", 0, 10), (zhao, 9, "view", 0, 11)]
    for rep, visitor, kind, dwell, hour in events:
        when = at(-1, 20 + hour) if hour < 0 else at(0, hour)  # hour -14: the day before yesterday
        await db.execute(
            "INSERT INTO card_events (tenant_id, rep_id, visitor_id, kind, dwell_seconds, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6)", tid, rep.user_id, visitor, kind, dwell, when)
    return tenant, mgr, {"a": a, "b": b, "f": f, "h": h, "i": i}


@pytest.fixture
async def dataset(factory, db):
    return await build(factory, db)


async def test_daily_figures_match_the_hand_computed_ones(dataset, db):
    tenant, mgr, d = dataset
    clock.set_now(NOW)
    f = await figs.daily(db, tenant, await figs.manager_row(db, tenant.tenant_id, mgr.user_id), NOW)
    assert f.day == dt.date(2026, 3, 11) and f.team == "华东一组"
    assert [(s.source, s.count, s.amount) for s in f.new_leads] == [("chat", 2, 300_000), ("card", 1, 50_000)]
    assert f.new_leads_total == 3
    assert [(m.from_stage, m.to_stage, m.count) for m in f.stage_moves] == [("initiated", "solution", 1)]
    assert [(w.title, w.owner, w.amount) for w in f.won] == [("比亚迪", "李雷", 800_000)]
    assert [(w.title, w.owner, w.amount, w.reason) for w in f.lost] == [("格力", "韩梅梅", 200_000, "价格太高")]
    assert f.stalled_total == 2
    assert [(s.title, s.owner, s.stage_name, s.amount, s.days_over) for s in f.stalled_top] == [
        ("TCL", "李雷", "投标", 600_000, 5), ("海尔", "张伟", "线索", 100_000, 27)]
    # open: 华为 solution 1,000,000×0.40 + TCL bidding 600,000×0.55 + leads (300,000 + 50,000 + 100,000)×0.05
    assert (f.open_count, f.open_amount, f.weighted_pipeline) == (6, 2_050_000, 752_500)
    conv = {c.stage: (c.entered, c.advanced) for c in f.conversion}
    assert conv == {"lead": (7, 3), "qualified": (2, 1), "initiated": (1, 1), "solution": (1, 0),
                    "bidding": (1, 0), "negotiation": (0, 0), "won": (1, 0)}
    assert [c.rate for c in f.conversion][:2] == [3 / 7, 0.5]
    e = f.engagement
    assert (e.views, e.visitors, e.forwards, e.inquiries, e.tap_phone, e.dwell_minutes) == (3, 2, 1, 1, 0, 3)
    assert f.idle_reps == ["张伟"]
    assert [(t.day, t.leads, t.moves, t.won, t.won_amount, t.views) for t in f.trend if t.leads or t.moves or t.views] == [
        (dt.date(2026, 2, 27), 0, 1, 0, 0, 0), (dt.date(2026, 3, 9), 0, 0, 0, 0, 1), (Y, 3, 2, 1, 800_000, 3)]
    assert len(f.trend) == 14 and f.trend[0].day == dt.date(2026, 2, 25) and f.trend[-1].day == Y
    assert {fs.stage: fs.count for fs in f.funnel} == {
        "lead": 4, "qualified": 0, "initiated": 0, "solution": 1, "bidding": 1, "negotiation": 0, "won": 1}


async def test_weekly_review_compares_last_week_with_the_week_before(dataset, db):
    tenant, mgr, d = dataset
    monday = dt.datetime(2026, 3, 16, 8, 30, tzinfo=SH)
    clock.set_now(monday)
    w = await figs.weekly(db, tenant, await figs.manager_row(db, tenant.tenant_id, mgr.user_id), monday)
    assert w.week_start == dt.date(2026, 3, 9)
    t = w.this_week
    assert (t.leads, t.advances, t.won, t.won_amount, t.lost, t.activities, t.views) == (3, 1, 1, 800_000, 1, 1, 4)
    p = w.last_week
    assert (p.leads, p.advances, p.won, p.lost, p.views) == (0, 0, 0, 0, 0)
    assert {s.stage: s.count for s in w.funnel_now} == {
        "lead": 4, "qualified": 0, "initiated": 0, "solution": 1, "bidding": 1, "negotiation": 0, "won": 1}
    assert {s.stage: s.count for s in w.funnel_week_ago} == {
        "lead": 1, "qualified": 1, "initiated": 1, "solution": 0, "bidding": 1, "negotiation": 1, "won": 0}


async def test_the_digest_goes_out_once_at_the_digest_time_and_its_page_renders(dataset, db, pool, client, fake_wechat):
    tenant, mgr, d = dataset
    clock.set_now(NOW - dt.timedelta(minutes=1))
    await send.send_due_digests(pool)
    assert await db.fetchval("SELECT count(*) FROM digests WHERE tenant_id = $1", tenant.tenant_id) == 0
    clock.set_now(NOW)
    counts = await asyncio.gather(send.send_due_digests(pool), send.send_due_digests(pool))
    assert await db.fetchval("SELECT count(*) FROM digests WHERE tenant_id = $1", tenant.tenant_id) == 1
    clock.set_now(NOW + dt.timedelta(hours=3))
    await send.send_due_digests(pool)
    rows = await db.fetch("SELECT recipient, payload FROM outbox WHERE tenant_id = $1 AND idempotency_key LIKE 'digest:%'",
                          tenant.tenant_id)
    assert len(rows) == 1 and rows[0]["recipient"] == mgr.wecom_userid
    text = rows[0]["payload"]["markdown"]["content"]
    assert len(text.encode()) <= LIMIT
    for part in ("王经理，早上好：3月11日销售简报", "**新线索 3 条**：对话 2 · 名片 1", "立项→方案 1",
                 "**赢单 1 单 <font color=\"info\">80万</font>**", "格力（韩梅梅，20万，价格太高）",
                 "**加权管道 <font color=\"warning\">75.25万</font>**（在途 6 单，合计 205万）",
                 "> TCL · 投标超 5 天 · 60万 · 李雷", "线索→验证 43%", "浏览 3 次（2 人）· 转发 1 · 留言 1",
                 "**昨日无跟进**：<font color=\"comment\">张伟</font>"):
        assert part in text, part
    assert "另一组的客户" not in text and "9000" not in text
    token = re.search(r"/d/([A-Za-z0-9_-]+)\)", text).group(1)
    page = await client.get(f"/d/{token}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert html.count("<svg") == 2 and "近14天趋势" in html and "卡住的大单（共 2 单）" in html
    assert "TCL" in html and "海尔" in html and "价格太高" in html and "另一组的客户" not in html
    assert "<script" not in html
    charts = [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", html, re.S)]
    labels = [{t.text for t in chart.iter() if t.tag.endswith("text") and t.text} for chart in charts]
    assert {"线索", "方案", "投标", "签约"} <= labels[0]                    # the funnel's stages
    assert {"新线索", "阶段推进", "赢单", "名片浏览", "3/10"} <= labels[1]   # the 14-day trend, ending yesterday
    assert (await client.get("/d/" + "x" * 32)).status_code == 404
    assert (await client.get("/d/short")).status_code == 404
    clock.set_now(NOW + dt.timedelta(days=7, minutes=1))
    assert (await client.get(f"/d/{token}")).status_code == 410


async def test_on_monday_the_weekly_review_comes_too(dataset, db, pool, client):
    tenant, mgr, d = dataset
    clock.set_now(dt.datetime(2026, 3, 16, 9, 0, tzinfo=SH))
    assert await send.send_due_digests(pool) >= 2
    rows = await db.fetch("SELECT idempotency_key, payload FROM outbox WHERE tenant_id = $1 AND idempotency_key LIKE 'digest:%'"
                          " ORDER BY outbox_id", tenant.tenant_id)
    assert [r["idempotency_key"].split(":")[1] for r in rows] == ["daily", "weekly"]
    weekly = rows[1]["payload"]["markdown"]["content"]
    assert "周一漏斗复盘：3月9日那一周" in weekly and "**新线索**：3（<font color=\"info\">↑3</font>）" in weekly
    token = re.search(r"/d/([A-Za-z0-9_-]+)\)", weekly).group(1)
    page = await client.get(f"/d/{token}")
    assert page.status_code == 200 and "本周末 vs 上周末" in page.text and "<svg" in page.text


async def test_quiet_hours_hold_a_late_digest_until_morning(dataset, db, pool):
    tenant, mgr, d = dataset
    clock.set_now(dt.datetime(2026, 3, 11, 22, 0, tzinfo=SH))  # the worker was down all day
    await send.send_due_digests(pool)
    at_ = await db.fetchval("SELECT next_attempt_at FROM outbox WHERE tenant_id = $1 AND idempotency_key LIKE 'digest:%'",
                            tenant.tenant_id)
    assert at_ == dt.datetime(2026, 3, 12, 8, 0, tzinfo=SH)


async def test_the_digests_of_many_managers_at_once_are_each_their_own(factory, db):
    """One statement per figure for many managers (the digest job's path) gives each manager
    exactly what its own digest says: nothing of another team or tenant leaks in."""
    tenant, mgr, _ = await build(factory, db)
    other_tenant, other_mgr, _ = await build(factory, db)
    south = await factory.user(tenant.tenant_id, "南区经理", role="manager", team="华南组")
    clock.set_now(NOW)
    batch = [(tenant, await figs.manager_row(db, tenant.tenant_id, mgr.user_id)),
             (tenant, await figs.manager_row(db, tenant.tenant_id, south.user_id)),
             (other_tenant, await figs.manager_row(db, other_tenant.tenant_id, other_mgr.user_id))]
    together = await figs.daily_many(db, batch, NOW)
    alone = [await figs.daily(db, t, m, NOW) for t, m in batch]
    assert together == alone
    assert [f.manager_id for f in together] == [mgr.user_id, south.user_id, other_mgr.user_id]
    assert [w.title for w in together[1].won] == ["另一组的客户"] and together[0].won != together[1].won
    assert together[0].new_leads_total == together[2].new_leads_total == 3

"""Streams and cards of the AI bot: the 3-in-flight and 6-minute limits, a refresh answered by any
process, stale and foreign taps doing nothing."""

from __future__ import annotations

import datetime as dt

from backend import clock
from bot.aibot import routes as aibot_routes, streams
from tests.fakes.aibot_client import aibot_chat
from tests.integration.test_aibot_done_when import watch_stream


async def _not_now(pool, tenant_id, stream_id):  # the process that took the message died before working
    return False


async def test_three_in_flight_six_minutes_and_any_process_finishes(client, factory, db, monkeypatch):
    tenant, rep, ac = await aibot_chat(client, factory)
    u = rep.wecom_userid
    monkeypatch.setattr(aibot_routes.streams, "run", _not_now)
    firsts = [await ac.text(u, f"查一下{w}的卖点") for w in ("储能柜", "逆变器", "光伏板")]
    assert all(r.stream["finish"] is False for r in firsts)
    fourth = await ac.text(u, "查一下电池的卖点")
    assert fourth.stream["finish"] is True and "3" in fourth.content
    assert await db.fetchval("SELECT count(*) FROM aibot_streams WHERE tenant_id = $1", tenant.tenant_id) == 3
    # Another process answers the refresh: the work was never started, so the refresh starts it.
    monkeypatch.undo()
    seen = await watch_stream(ac, u, firsts[0])
    assert seen[-1]["stream"]["finish"] is True
    # Past 6 minutes a stream ends with an apology instead of refreshing forever.
    monkeypatch.setattr(aibot_routes.streams, "run", _not_now)
    clock.set_now(clock.now() + dt.timedelta(minutes=7))
    late = await ac.refresh(u, firsts[1].stream["id"])
    assert late.stream["finish"] is True and "再问" in late.content
    # A refresh of someone else's stream shows nothing of it.
    other = await factory.user(tenant.tenant_id, name="李四")
    r = await ac.refresh(other.wecom_userid, firsts[0].stream["id"])
    assert r.stream["finish"] is True and "液冷" not in r.content


async def test_a_long_list_streams_in_full(client, factory):
    tenant, rep, ac = await aibot_chat(client, factory)
    for i in range(12):
        await factory.deal(rep, f"客户{i:02d}有限公司")
    r = await ac.text(rep.wecom_userid, "我的商机")
    assert r.stream["finish"] is False and "客户" in r.content
    seen = await watch_stream(ac, rep.wecom_userid, r)
    assert seen[-1]["stream"]["content"].count("有限公司") == 12


async def test_stale_and_foreign_taps_do_nothing(client, factory, db):
    tenant, rep, ac = await aibot_chat(client, factory)
    u = rep.wecom_userid
    await factory.deal(rep, "顺和陶瓷有限公司", stage="negotiation")
    await factory.deal(rep, "顺和物流有限公司", stage="negotiation")
    r = await ac.text(u, "顺和签了 32万")
    task_id, key = r.card["task_id"], r.button(0)
    other = await factory.user(tenant.tenant_id, name="李四")
    foreign = await ac.tap(other.wecom_userid, task_id, key)
    assert foreign.body["response_type"] == "update_template_card" and foreign.body["userids"] == [other.wecom_userid]
    await ac.text(u, "我的商机")  # a new request replaces the open question
    stale = await ac.tap(u, task_id, key)
    assert "过期" in stale.content or "替代" in stale.content
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1 AND stage = 'won'", tenant.tenant_id) == 0
    # Cancelling from a fresh card does nothing either.
    r = await ac.text(u, "顺和签了 32万")
    cancel = [b["key"] for b in r.card["button_list"] if b["key"].endswith(":no")][0]
    done = await ac.tap(u, r.card["task_id"], cancel)
    assert "取消" in done.content
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1 AND stage = 'won'", tenant.tenant_id) == 0

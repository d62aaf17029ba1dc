"""The shared lead pool (公海) through the encrypted WeChat Work callback: release, list, claim, the
races and refusals, the recycle job with its warning and one-tap keep, and the admin views."""

from __future__ import annotations

import datetime as dt

from backend import clock
from backend.services.outbox import deliver_due
from backend.services.pool import recycle
from tests.fakes.wecom_client import rep_chat


async def _owner(db, tenant_id, deal_id):
    return await db.fetchval("SELECT owner_id FROM deals WHERE tenant_id = $1 AND deal_id = $2", tenant_id, deal_id)


async def _admin_deal(client, admin_headers, slug, deal_id):
    r = await client.get(f"/admin/v1/tenants/{slug}/deals", headers=admin_headers)
    assert r.status_code == 200, r.text
    return next(d for d in r.json() if d["id"] == deal_id)


async def test_release_shows_in_the_pool_and_a_teammate_claims_it(client, factory, db, admin_headers):
    tenant, rep, wc = await rep_chat(client, factory, name="张三", team="华东一组")
    peer = await factory.user(tenant.tenant_id, name="李四", team="华东一组")
    stranger = await factory.user(tenant.tenant_id, name="王五", team="华南组")
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司", product="储能柜", amount=500_000, stage="solution")
    small = await factory.deal(rep, "苏州凯拓电子材料有限公司", amount=80_000)

    r = await wc.text(rep.wecom_userid, "顺和那单放回公海，客户今年没预算")
    assert "已把「佛山顺和陶瓷有限公司」放回公海" in r.content and "没预算" in r.content, r.content
    assert await _owner(db, tenant.tenant_id, deal.deal_id) is None
    listed = await _admin_deal(client, admin_headers, tenant.slug, deal.deal_id)
    assert listed["owner_id"] is None and listed["owner"] is None and listed["pooled_at"]
    r = await wc.text(rep.wecom_userid, "凯拓放回公海")
    assert "放回公海" in r.content
    r = await wc.text(rep.wecom_userid, "撤销")  # undo gives it back …
    assert "回到你手上" in r.content, r.content
    assert await _owner(db, tenant.tenant_id, small.deal_id) == rep.user_id
    r = await wc.text(rep.wecom_userid, "凯拓放回公海")  # … and it goes again
    assert "放回公海" in r.content

    # The teammate sees the team's pool, most valuable first; the other team's rep does not.
    r = await wc.text(peer.wecom_userid, "公海")
    assert "公海里有 2 单" in r.content, r.content
    assert r.content.index("顺和") < r.content.index("凯拓")
    r = await wc.text(stranger.wecom_userid, "公海")
    assert "没有单子" in r.content
    r = await wc.text(peer.wecom_userid, "领取 1")
    assert "已领取「佛山顺和陶瓷有限公司」" in r.content and "方案" in r.content, r.content
    assert await _owner(db, tenant.tenant_id, deal.deal_id) == peer.user_id
    listed = await _admin_deal(client, admin_headers, tenant.slug, deal.deal_id)
    assert listed["owner_id"] == peer.user_id and listed["owner"] == "李四"

    # Who owned it and why is kept.
    r = await client.get(f"/admin/v1/tenants/{tenant.slug}/pool/events", params={"deal_id": deal.deal_id},
                         headers=admin_headers)
    kinds = [(e["kind"], e["owner"], e["reason"]) for e in r.json()]
    assert kinds == [("claim", "李四", None), ("release", "张三", "客户今年没预算")]

    # The previous owner waits out the cool-down; another team cannot claim; by name works.
    r = await wc.text(rep.wecom_userid, "认领 凯拓")
    assert "之后才能再领回" in r.content and "11月30日" in r.content, r.content
    r = await wc.text(stranger.wecom_userid, f"领取 #{small.deal_id}")
    assert "别的组" in r.content
    r = await wc.text(peer.wecom_userid, "认领凯拓")
    assert "已领取「苏州凯拓电子材料有限公司」" in r.content
    assert await _owner(db, tenant.tenant_id, small.deal_id) == peer.user_id
    r = await wc.text(peer.wecom_userid, "撤销")  # undo puts it back as it was
    assert "放回了公海" in r.content, r.content
    row = await db.fetchrow("SELECT owner_id, prev_owner_id, pool_team_id FROM deals WHERE tenant_id = $1"
                            " AND deal_id = $2", tenant.tenant_id, small.deal_id)
    assert row["owner_id"] is None and row["prev_owner_id"] == rep.user_id and row["pool_team_id"] is not None
    r = await wc.text(peer.wecom_userid, "撤销")  # and the claim before it
    assert "「佛山顺和陶瓷有限公司」放回了公海" in r.content, r.content
    assert await _owner(db, tenant.tenant_id, deal.deal_id) is None
    r = await wc.text(peer.wecom_userid, "撤销")  # nothing of the pool's left: the usual undo answers
    assert "没有可以撤销" in r.content, r.content


async def test_races_and_refusals(client, factory, db, admin_headers):
    tenant, rep, wc = await rep_chat(client, factory, name="张三", team="华东一组")
    a = await factory.user(tenant.tenant_id, name="李四", team="华东一组")
    b = await factory.user(tenant.tenant_id, name="赵六", team="华东一组")
    deals = [await factory.deal(rep, f"{name}有限公司", amount=100_000 * (i + 1))
             for i, name in enumerate(["宁波海天塑机", "杭州恒川机电", "无锡德威机器人"])]
    for name in ["海天", "恒川", "德威"]:
        r = await wc.text(rep.wecom_userid, f"{name}放回公海")
        assert "放回公海" in r.content, r.content

    # Releasing someone else's deal is refused, saying whose it is.
    theirs = await factory.deal(a, "广州广联招标代理有限公司")
    r = await wc.text(rep.wecom_userid, "广联放回公海")
    assert "是李四的" in r.content, r.content
    assert await _owner(db, tenant.tenant_id, theirs.deal_id) == a.user_id

    # Two reps list the pool; 李四 claims first, 赵六 asks a moment later: told who has it.
    await wc.text(a.wecom_userid, "公海")
    await wc.text(b.wecom_userid, "公海")
    r = await wc.text(a.wecom_userid, "领取 1")
    assert "已领取「无锡德威机器人有限公司」" in r.content, r.content
    r = await wc.text(b.wecom_userid, "领取 1")
    assert "已被李四领取" in r.content, r.content
    r = await wc.text(b.wecom_userid, "认领 德威")
    assert "已被李四领取" in r.content, r.content

    # The daily cap: past it, the answer says when it resets (the tenant's midnight).
    r = await client.patch(f"/admin/v1/tenants/{tenant.slug}/pool-rules", json={"claim_cap": 1}, headers=admin_headers)
    assert r.status_code == 200 and r.json()["claim_cap"] == 1
    r = await wc.text(a.wecom_userid, "领取 恒川")
    assert "每日上限" in r.content and "11月24日 00:00" in r.content, r.content
    r = await wc.text(b.wecom_userid, "领取 恒川")
    assert "已领取" in r.content
    # Bad rules are refused whole.
    r = await client.patch(f"/admin/v1/tenants/{tenant.slug}/pool-rules", json={"tier_a": 10, "tier_b": 50},
                           headers=admin_headers)
    assert r.status_code == 400
    r = await client.patch(f"/admin/v1/tenants/{tenant.slug}/pool-rules", json={"claim_cap": 0}, headers=admin_headers)
    assert r.status_code == 400
    # English works too.
    r = await wc.text(b.wecom_userid, "claim 99")
    assert "not on the pool list" in r.content


async def test_claims_at_once_take_each_deal_once(pool, factory):
    """Two connections claim the same deal concurrently: one wins, the other is told who."""
    import asyncio

    from backend.services.pool import service

    tenant, _ = await factory.tenant()
    owner = await factory.user(tenant.tenant_id, name="张三")
    reps = [await factory.user(tenant.tenant_id, name=n) for n in ("李四", "赵六")]
    deal = await factory.deal(owner, "宁波海天塑机有限公司")
    async with pool.acquire() as conn:
        await service.release(conn, owner, deal.deal_id, "test")

    async def take(actor):
        async with pool.acquire() as conn:
            try:
                await service.claim(conn, actor, deal.deal_id)
                return "won"
            except service.AlreadyClaimed as exc:
                return exc.owner

    results = await asyncio.gather(*(take(r) for r in reps))
    assert sorted(results, key=str) in (["won", "李四"], ["won", "赵六"], ["李四", "won"], ["赵六", "won"])
    assert results.count("won") == 1
    async with pool.acquire() as conn:
        claims = await conn.fetchval("SELECT count(*) FROM deal_pool_events WHERE tenant_id = $1 AND kind = 'claim'",
                                     tenant.tenant_id)
    assert claims == 1


async def test_recycle_warns_first_then_returns_the_idle_deal(client, factory, db, pool, fake_wechat, admin_headers):
    tenant, rep, wc = await rep_chat(client, factory, name="张三", team="华东一组")
    t0 = clock.now()
    idle = await factory.deal(rep, "佛山顺和陶瓷有限公司", stage="solution", amount=300_000)
    busy = await factory.deal(rep, "苏州凯拓电子材料有限公司", stage="solution")
    # Defaults: 30 days without activity (lead: 14), warned 3 days before.
    clock.set_now(t0 + dt.timedelta(days=28))
    async with db.transaction():
        await db.execute("UPDATE deals SET last_activity_at = $3 WHERE tenant_id = $1 AND deal_id = $2",
                         tenant.tenant_id, busy.deal_id, clock.now())
    result = await recycle.recycle(db, tenant_id=tenant.tenant_id, wait=True)
    assert (result.warned, result.recycled) == (1, 0) and result.warned_deals == [idle.deal_id]
    assert await _owner(db, tenant.tenant_id, idle.deal_id) == rep.user_id
    await deliver_due(pool, tenant_id=tenant.tenant_id)
    cards = [m for m in fake_wechat.sent(rep.wecom_userid) if m.get("msgtype") == "template_card"]
    assert len(cards) == 1
    card = cards[0]["template_card"]
    assert "将回收到公海" in card["main_title"]["desc"] and "12月" in card["main_title"]["desc"]
    assert [b["key"] for b in card["button_list"]] == [f"pool:{idle.deal_id}:keep", f"pool:{idle.deal_id}:release"]
    # A second pass (another worker) warns nobody again.
    again = await recycle.recycle(db, tenant_id=tenant.tenant_id, wait=True)
    assert (again.warned, again.recycled) == (0, 0)

    # Past the deadline: the idle deal returns to the team's pool, the touched one stays.
    clock.set_now(t0 + dt.timedelta(days=31))
    result = await recycle.recycle(db, tenant_id=tenant.tenant_id, wait=True)
    assert result.recycled == 1 and result.deals == [idle.deal_id]
    assert await _owner(db, tenant.tenant_id, idle.deal_id) is None
    assert await _owner(db, tenant.tenant_id, busy.deal_id) == rep.user_id
    listed = await _admin_deal(client, admin_headers, tenant.slug, idle.deal_id)
    assert listed["owner_id"] is None
    r = await client.get(f"/admin/v1/tenants/{tenant.slug}/pool/events", params={"deal_id": idle.deal_id},
                         headers=admin_headers)
    events = r.json()
    assert [e["kind"] for e in events] == ["recycle", "warn"]
    assert events[0]["owner"] == "张三" and events[0]["idle_days"] == 30 and "30 days" in events[0]["reason"]
    again = await recycle.recycle(db, tenant_id=tenant.tenant_id, wait=True)
    assert again.recycled == 0
    r = await wc.text(rep.wecom_userid, "公海")
    assert "顺和" in r.content


async def test_keep_from_the_warning_asks_a_reason_and_limits_keeps(client, factory, db, pool, admin_headers):
    tenant, rep, wc = await rep_chat(client, factory, name="张三", team="华东一组")
    manager = await factory.user(tenant.tenant_id, name="王经理", role="manager", team="华东一组")
    t0 = clock.now()
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司", stage="bidding")
    clock.set_now(t0 + dt.timedelta(days=28))
    await recycle.recycle(db, tenant_id=tenant.tenant_id, wait=True)
    r = await wc.event(rep.wecom_userid, "template_card_event", f"pool:{deal.deal_id}:keep")
    assert "需要一个理由" in r.content, r.content
    r = await wc.text(rep.wecom_userid, "我的商机")  # another request, not the reason
    assert "进行中的商机" in r.content, r.content
    r = await wc.text(rep.wecom_userid, "客户在走采购流程，下周二拜访")
    assert "已保留" in r.content and "采购流程" in r.content, r.content
    # The warning card, still waiting in the outbox, no longer applies: cancelled, not sent.
    await deliver_due(pool, tenant_id=tenant.tenant_id)
    assert await db.fetchval("SELECT status FROM outbox WHERE tenant_id = $1 AND idempotency_key LIKE 'pool-warn:%'",
                             tenant.tenant_id) == "cancelled"
    # The clock restarted: days later nothing is recycled, the old warning does not count.
    clock.set_now(t0 + dt.timedelta(days=32))
    result = await recycle.recycle(db, tenant_id=tenant.tenant_id, wait=True)
    assert result.recycled == 0 and await _owner(db, tenant.tenant_id, deal.deal_id) == rep.user_id
    # Keeping again without any follow-up: allowed twice in a row (max_keeps 2), then a manager must.
    r = await wc.text(rep.wecom_userid, "保留 顺和 还在等招标结果")
    assert "已保留" in r.content, r.content
    r = await wc.text(rep.wecom_userid, "保留 顺和 还在等")
    assert "连续保留2次" in r.content, r.content
    r = await wc.text(manager.wecom_userid, "保留 顺和 大客户，我来盯")
    assert "已保留" in r.content, r.content
    r = await wc.text(rep.wecom_userid, "保留 顺和 招标推迟到下月")
    assert "已保留" in r.content, r.content
    # Released from the card's other button.
    r = await wc.event(rep.wecom_userid, "template_card_event", f"pool:{deal.deal_id}:release", create_time=1795390001)
    assert "放回公海" in r.content
    assert await _owner(db, tenant.tenant_id, deal.deal_id) is None
    r = await client.get(f"/admin/v1/tenants/{tenant.slug}/pool/events", params={"deal_id": deal.deal_id},
                         headers=admin_headers)
    assert [e["kind"] for e in r.json()] == ["release", "keep", "keep", "keep", "keep", "warn"]


async def test_two_workers_recycle_each_deal_once(factory, pool):
    import asyncio

    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id, name="张三")
    t0 = clock.now()
    deals = [await factory.deal(rep, f"客户{i}有限公司", stage="solution") for i in range(5)]
    clock.set_now(t0 + dt.timedelta(days=28))
    async with pool.acquire() as conn:
        await recycle.recycle(conn, tenant_id=tenant.tenant_id, wait=True)
    clock.set_now(t0 + dt.timedelta(days=31))

    async def worker(wait: bool):
        async with pool.acquire() as conn:
            return await recycle.recycle(conn, tenant_id=tenant.tenant_id, wait=wait)

    results = await asyncio.gather(worker(True), worker(True), worker(False), worker(True))
    assert sum(r.recycled for r in results) == 5
    async with pool.acquire() as conn:
        events = await conn.fetchval("SELECT count(*) FROM deal_pool_events WHERE tenant_id = $1 AND kind = 'recycle'",
                                     tenant.tenant_id)
        owned = await conn.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1 AND owner_id IS NOT NULL",
                                    tenant.tenant_id)
    assert (events, owned) == (5, 0)
    assert len({d.deal_id for d in deals}) == 5


async def test_many_warnings_are_five_cards_and_one_line(factory, db, pool, fake_wechat):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id, name="张三")
    t0 = clock.now()
    for i in range(7):
        await factory.deal(rep, f"客户{i}有限公司", stage="solution", amount=(i + 1) * 100_000)
    clock.set_now(t0 + dt.timedelta(days=28))
    result = await recycle.recycle(db, tenant_id=tenant.tenant_id, wait=True)
    assert result.warned == 7
    await deliver_due(pool, tenant_id=tenant.tenant_id)
    sent = fake_wechat.sent(rep.wecom_userid)
    cards = [m["template_card"]["main_title"]["title"] for m in sent if m.get("msgtype") == "template_card"]
    texts = [m["text"]["content"] for m in sent if m.get("msgtype") == "text"]
    assert sorted(cards) == sorted(f"客户{i}有限公司" for i in (6, 5, 4, 3, 2))  # the most valuable five
    assert len(texts) == 1 and "另有 2 单" in texts[0] and "客户1" in texts[0] and "客户0" in texts[0], texts
    # All seven were warned: all seven are recycled when due.
    clock.set_now(t0 + dt.timedelta(days=31))
    assert (await recycle.recycle(db, tenant_id=tenant.tenant_id, wait=True)).recycled == 7

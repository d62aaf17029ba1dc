"""Account tiers (scores worked out by hand from the README's formula, recomputed on change and on
demand, overridden by a manager, setting recycle days) and the manager's questions in chat."""

from __future__ import annotations

import datetime as dt

from backend import clock
from backend.services.pool import recycle, tiers
from tests.fakes.wecom_client import rep_chat


async def _accounts(client, admin_headers, slug):
    r = await client.get(f"/admin/v1/tenants/{slug}/accounts", headers=admin_headers)
    assert r.status_code == 200, r.text
    return {a["name"]: a for a in r.json()}, int(r.headers["x-total-count"])


async def test_scores_and_tiers_from_the_data(client, factory, db, pool, admin_headers):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id, name="张三", team="华东一组")
    manager = await factory.user(tenant.tenant_id, name="王经理", role="manager", team="华东一组")
    # 顺和: won ¥1M and paid on time → W = log10(101)/3 = .668, P = 1, N = .2 → 46 (B)
    paid = await factory.deal(rep, "佛山顺和陶瓷有限公司", amount=1_000_000, stage="won")
    async with pool.acquire() as conn:
        from backend.services import deals

        await deals.move_stage(conn, rep, paid.deal_id, "paid")
    # 凯拓: won ¥500k 40 days ago, unpaid past the 30-day SLA → W .569, P 0, N .2 → 23 − 10 = 13 (C)
    await factory.deal(rep, "苏州凯拓电子材料有限公司", amount=500_000, stage="won", entered_days_ago=40)
    # 海天: ¥10M paid on time, two ¥5M deals in negotiation → 35 + 20 + 19.2 + 9 = 83 (A)
    big = await factory.deal(rep, "宁波海天塑机有限公司", amount=10_000_000, stage="won")
    async with pool.acquire() as conn:
        await deals.move_stage(conn, rep, big.deal_id, "paid")
    open_big = await factory.deal(rep, "宁波海天塑机有限公司", amount=5_000_000, stage="negotiation", product="A线")
    await factory.deal(rep, "宁波海天塑机有限公司", amount=5_000_000, stage="negotiation", product="B线")
    # 恒川: a ¥2M deal in negotiation → O = log10(151)/3 = .726 → 14.5 + 3 = 18 (C)
    idle_c = await factory.deal(rep, "杭州恒川机电有限公司", amount=2_000_000, stage="negotiation")

    marked = await db.fetchval("SELECT count(*) FROM accounts WHERE tenant_id = $1 AND score_dirty", tenant.tenant_id)
    assert marked == 4  # the deals' changes marked their accounts
    done = await tiers.rescore_pass(pool)  # the worker's pass
    assert done["marked"] >= 4
    assert await db.fetchval("SELECT count(*) FROM accounts WHERE tenant_id = $1 AND score_dirty", tenant.tenant_id) == 0
    accounts, total = await _accounts(client, admin_headers, tenant.slug)
    assert total == 4
    got = {name: (a["score"], a["tier"]) for name, a in accounts.items()}
    assert got == {"佛山顺和陶瓷有限公司": (46, "B"), "苏州凯拓电子材料有限公司": (13, "C"),
                   "宁波海天塑机有限公司": (83, "A"), "杭州恒川机电有限公司": (18, "C")}, got
    haitian = accounts["宁波海天塑机有限公司"]
    assert (haitian["won_amount"], haitian["deal_count"], haitian["paid_on_time"]) == (10_000_000, 3, 1)
    assert accounts["苏州凯拓电子材料有限公司"]["overdue"] == 1
    r = await client.get(f"/admin/v1/tenants/{tenant.slug}/accounts", params={"tier": "A"}, headers=admin_headers)
    assert [a["name"] for a in r.json()] == ["宁波海天塑机有限公司"]
    # Nothing changed: a second pass has nothing marked; a full rescore changes nothing.
    assert (await tiers.rescore_pass(pool))["marked"] == 0
    r = await client.post(f"/admin/v1/tenants/{tenant.slug}/accounts/rescore", headers=admin_headers)
    assert r.status_code == 200 and r.json()["accounts"] == 4 and r.json()["changed"] == 0

    # Thresholds are the tenant's: tier_a 40 makes 顺和 an A.
    await client.patch(f"/admin/v1/tenants/{tenant.slug}/pool-rules", json={"tier_a": 40}, headers=admin_headers)
    await client.post(f"/admin/v1/tenants/{tenant.slug}/accounts/rescore", headers=admin_headers)
    accounts, _ = await _accounts(client, admin_headers, tenant.slug)
    assert accounts["佛山顺和陶瓷有限公司"]["tier"] == "A"
    await client.patch(f"/admin/v1/tenants/{tenant.slug}/pool-rules", json={"tier_a": 60}, headers=admin_headers)
    await client.post(f"/admin/v1/tenants/{tenant.slug}/accounts/rescore", headers=admin_headers)

    # A manager's override, with a reason; a rep may not; no reason is refused.
    hengchuan = accounts["杭州恒川机电有限公司"]["id"]
    r = await client.patch(f"/admin/v1/tenants/{tenant.slug}/accounts/{hengchuan}/tier",
                           json={"tier": "A", "reason": "集团战略客户", "manager_id": manager.user_id}, headers=admin_headers)
    assert r.status_code == 200, r.text
    assert (r.json()["tier"], r.json()["computed_tier"], r.json()["tier_reason"]) == ("A", "C", "集团战略客户")
    r = await client.patch(f"/admin/v1/tenants/{tenant.slug}/accounts/{hengchuan}/tier",
                           json={"tier": "B", "reason": "试试", "manager_id": rep.user_id}, headers=admin_headers)
    assert r.status_code == 400
    r = await client.patch(f"/admin/v1/tenants/{tenant.slug}/accounts/{hengchuan}/tier",
                           json={"tier": "B", "reason": ""}, headers=admin_headers)
    assert r.status_code == 400

    # Tiers set recycle days: A accounts get twice the days (tier_factor A = 2.0).
    t0 = clock.now()
    clock.set_now(t0 + dt.timedelta(days=28))
    result = await recycle.recycle(db, tenant_id=tenant.tenant_id, wait=True)
    assert idle_c.deal_id not in result.warned_deals  # 恒川 is A by override now: 60 days
    assert open_big.deal_id not in result.warned_deals
    # The deal listing carries the tier.
    r = await client.get(f"/admin/v1/tenants/{tenant.slug}/deals/{open_big.deal_id}", headers=admin_headers)
    assert r.json()["tier"] == "A"


async def test_manager_asks_for_the_team_funnel_in_chat(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory, name="张三", team="华东一组")
    peer = await factory.user(tenant.tenant_id, name="李四", team="华东一组")
    other = await factory.user(tenant.tenant_id, name="王五", team="华南组")
    manager = await factory.user(tenant.tenant_id, name="王经理", role="manager", team="华东一组")
    await factory.deal(rep, "佛山顺和陶瓷有限公司", amount=500_000)
    await factory.deal(rep, "苏州凯拓电子材料有限公司", amount=300_000, stage="solution")
    await factory.deal(peer, "宁波海天塑机有限公司", amount=2_000_000, stage="solution", entered_days_ago=20)
    await factory.deal(peer, "杭州恒川机电有限公司", amount=800_000, stage="won")
    await factory.deal(peer, "无锡德威机器人有限公司", amount=100_000, stage="lost")
    await factory.deal(other, "广州广联招标代理有限公司", amount=9_000_000, stage="negotiation")

    r = await wc.text(manager.wecom_userid, "团队漏斗")
    text = r.content
    assert text.startswith("团队漏斗（进行中 3 单"), text
    assert "线索：1单" in text and "方案：2单" in text and "谈判：0单" in text and "签约：1单" in text, text
    assert "广联" not in text and "9000000" not in text and "900万" not in text
    assert "赢单 1（80万）" in text and "输单 1" in text, text
    r = await wc.text(manager.wecom_userid, "本周漏斗")
    assert "本周（11月23日起）" in r.content
    r = await wc.text(manager.wecom_userid, "team funnel")
    assert r.content.startswith("Team funnel (3 open"), r.content

    # A rep asking gets their own figures, never the team's.
    r = await wc.text(rep.wecom_userid, "团队漏斗")
    assert r.content.startswith("你的漏斗（进行中 2 单"), r.content
    r = await wc.text(rep.wecom_userid, "李四的商机")
    assert "只能看自己的" in r.content

    r = await wc.text(manager.wecom_userid, "李四的商机")
    assert r.content.startswith("李四的漏斗（进行中 1 单"), r.content
    assert "海天" in r.content
    r = await wc.text(manager.wecom_userid, "王五的商机")
    assert "团队里没有" in r.content
    r = await wc.text(manager.wecom_userid, "停滞的大单")
    assert "超期的大单（共 1 单" in r.content and "宁波海天塑机" in r.content and "李四" in r.content, r.content
    r = await wc.text(manager.wecom_userid, "本周战报")
    assert "赢单 1 单 80万" in r.content and "输单 1 单 10万" in r.content, r.content
    clock.set_now(clock.now() + dt.timedelta(days=8))
    r = await wc.text(manager.wecom_userid, "谁没跟进")
    assert "张三：2/2" in r.content and "李四：1/1" in r.content and "王五" not in r.content, r.content
    r = await wc.text(manager.wecom_userid, "who hasn't followed up")
    assert "张三: 2/2" in r.content, r.content
    # A manager sets a customer's tier in chat, with a reason; a rep may not.
    r = await wc.text(manager.wecom_userid, "海天设为A类客户")
    assert "需要理由" in r.content, r.content
    r = await wc.text(manager.wecom_userid, "把海天设为A类客户，理由：集团统一采购")
    assert "已把「宁波海天塑机有限公司」设为A类客户" in r.content, r.content
    row = await db.fetchrow("SELECT tier_override, tier_reason, tier_set_by FROM accounts WHERE tenant_id = $1"
                            " AND name = '宁波海天塑机有限公司'", tenant.tenant_id)
    assert tuple(row) == ("A", "集团统一采购", manager.user_id)
    r = await wc.text(rep.wecom_userid, "顺和设为A类客户，理由：我觉得")
    assert "由经理调整" in r.content
    r = await wc.text(manager.wecom_userid, "海天设为自动，恢复")
    assert "恢复自动分级" in r.content, r.content
    # "我的商机" is still the list intent, "顺和的商机" is not a person.
    r = await wc.text(rep.wecom_userid, "我的商机")
    assert "进行中的商机" in r.content


async def test_tiers_order_nudges_and_the_digest_counts_the_pool(client, factory, db, pool, admin_headers):
    from backend.services.pool import service

    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id, name="张三", team="华东一组")
    peer = await factory.user(tenant.tenant_id, name="李四", team="华东一组")
    manager = await factory.user(tenant.tenant_id, name="王经理", role="manager", team="华东一组")
    big = await factory.deal(rep, "广州广联招标代理有限公司", amount=9_000_000, stage="bidding", entered_days_ago=30)
    small = await factory.deal(rep, "佛山顺和陶瓷有限公司", amount=100_000, stage="bidding", entered_days_ago=30)
    account = await db.fetchval("SELECT account_id FROM deals WHERE tenant_id = $1 AND deal_id = $2",
                                tenant.tenant_id, small.deal_id)
    r = await client.patch(f"/admin/v1/tenants/{tenant.slug}/accounts/{account}/tier",
                           json={"tier": "A", "reason": "集团客户"}, headers=admin_headers)
    assert r.status_code == 200
    await client.patch(f"/admin/v1/tenants/{tenant.slug}/nudge-rules", json={"daily_cap": 1}, headers=admin_headers)
    r = await client.post(f"/admin/v1/tenants/{tenant.slug}/nudges/scan", params={"dry_run": "false"},
                          headers=admin_headers)
    assert r.status_code == 200, r.text
    r = await client.get(f"/admin/v1/tenants/{tenant.slug}/nudges", headers=admin_headers)
    to_rep = {n["deal_id"] for n in r.json() if n["recipient_id"] == rep.user_id}
    assert to_rep == {small.deal_id}  # the big customer's deal first, though the other is bigger
    assert big.deal_id not in to_rep

    # Yesterday: one deal went back to the pool and was claimed; this morning's digest says so.
    t0 = clock.now()
    clock.set_now(t0 - dt.timedelta(days=1))
    async with pool.acquire() as conn:
        await service.release(conn, rep, big.deal_id, "换人跟")
        await service.claim(conn, peer, big.deal_id)
    clock.set_now(t0)
    r = await client.get(f"/admin/v1/tenants/{tenant.slug}/digests/preview", params={"manager_id": manager.user_id},
                         headers=admin_headers)
    figures = r.json()["figures"]
    assert (figures["pool_returned"], figures["pool_recycled"], figures["pool_claimed"]) == (1, 0, 1)
    assert "**公海**：回到公海 1 单" in r.json()["markdown"]

"""The pool in the mini-program's workbench: list, claim, release, keep, tier override — with the
same races and refusals as in chat."""

from __future__ import annotations

from tests.integration.miniapp_support import bound_rep


async def test_workbench_pool(client, factory, pool):
    tenant, _ = await factory.tenant()
    rep, rep_s = await bound_rep(client, pool, factory, tenant, name="张伟", team="华东一组")
    peer, peer_s = await bound_rep(client, pool, factory, tenant, name="李娜", team="华东一组")
    other, other_s = await bound_rep(client, pool, factory, tenant, name="王强", team="华南组")
    boss, boss_s = await bound_rep(client, pool, factory, tenant, name="赵经理", role="manager", team="华东一组")
    deal = await factory.deal(rep, "华为技术", amount=500_000)
    small = await factory.deal(rep, "美的集团", amount=50_000)

    r = await client.post(f"/miniapp/v1/deals/{deal.deal_id}/release", json={"reason": "客户冻结预算"},
                          headers=peer_s["headers"])
    assert r.status_code == 403  # someone else's deal
    r = await client.post(f"/miniapp/v1/deals/{deal.deal_id}/release", json={"reason": "客户冻结预算"},
                          headers=rep_s["headers"])
    assert r.status_code == 200, r.text
    assert r.json()["deal_id"] == deal.deal_id
    r = await client.post(f"/miniapp/v1/deals/{small.deal_id}/release", json={}, headers=rep_s["headers"])
    assert r.status_code == 200
    r = await client.post(f"/miniapp/v1/deals/{small.deal_id}/release", json={}, headers=rep_s["headers"])
    assert r.status_code == 409  # in the pool already
    r = await client.get("/miniapp/v1/deals", headers=rep_s["headers"])
    assert r.json()["total"] == 0

    r = await client.get("/miniapp/v1/pool", headers=peer_s["headers"])
    assert [d["company"] for d in r.json()] == ["华为技术", "美的集团"]
    assert r.json()[0]["reason"] == "客户冻结预算" and r.json()[0]["prev_owner"] == "张伟"
    r = await client.get("/miniapp/v1/pool", headers=other_s["headers"])
    assert r.json() == []
    r = await client.post(f"/miniapp/v1/pool/{deal.deal_id}/claim", headers=other_s["headers"])
    assert r.status_code == 403
    r = await client.post(f"/miniapp/v1/pool/{deal.deal_id}/claim", headers=rep_s["headers"])
    assert r.status_code == 409 and "again from" in r.json()["detail"]  # the cool-down
    r = await client.post(f"/miniapp/v1/pool/{deal.deal_id}/claim", headers=peer_s["headers"])
    assert r.status_code == 200, r.text
    assert r.json()["owner_id"] == peer.user_id
    r = await client.post(f"/miniapp/v1/pool/{deal.deal_id}/claim", headers=boss_s["headers"])
    assert r.status_code == 409 and "李娜" in r.json()["detail"]

    r = await client.post(f"/miniapp/v1/deals/{deal.deal_id}/keep", json={}, headers=peer_s["headers"])
    assert r.status_code == 400
    r = await client.post(f"/miniapp/v1/deals/{deal.deal_id}/keep", json={"reason": "下周拜访"},
                          headers=peer_s["headers"])
    assert r.status_code == 200, r.text

    async with pool.acquire() as conn:
        account_id = await conn.fetchval("SELECT account_id FROM deals WHERE tenant_id = $1 AND deal_id = $2",
                                         tenant.tenant_id, deal.deal_id)
    r = await client.put(f"/miniapp/v1/team/accounts/{account_id}/tier", json={"tier": "A", "reason": "战略客户"},
                         headers=peer_s["headers"])
    assert r.status_code == 403
    r = await client.put(f"/miniapp/v1/team/accounts/{account_id}/tier", json={"tier": "A", "reason": "战略客户"},
                         headers=boss_s["headers"])
    assert r.status_code == 200 and r.json()["tier"] == "A"
    r = await client.get("/miniapp/v1/deals", headers=peer_s["headers"])
    assert r.json()["items"][0]["tier"] == "A"


async def test_radar_shows_the_visitors_account_tier(client, factory, pool, admin_headers):
    from tests.integration.miniapp_support import card_of, sign_in

    tenant, _ = await factory.tenant()
    rep, rep_s = await bound_rep(client, pool, factory, tenant, name="张伟", team="华东一组")
    card = await card_of(client, rep_s)
    visitor = await sign_in(client, tenant.slug)
    url = f"/miniapp/v1/cards/{card['code']}"
    await client.get(url, params={"s": card["share"]}, headers=visitor["headers"])
    r = await client.post(f"{url}/inquiries", json={"name": "陈女士", "phone": "13600000001", "company": "美的集团"},
                          headers=visitor["headers"])
    assert r.status_code == 201, r.text
    async with pool.acquire() as conn:
        account_id = await conn.fetchval("SELECT account_id FROM accounts WHERE tenant_id = $1", tenant.tenant_id)
    r = await client.patch(f"/admin/v1/tenants/{tenant.slug}/accounts/{account_id}/tier",
                           json={"tier": "A", "reason": "集团客户"}, headers=admin_headers)
    assert r.status_code == 200
    r = await client.get("/miniapp/v1/radar", headers=rep_s["headers"])
    assert r.status_code == 200, r.text
    assert [(v["company"], v["tier"]) for v in r.json()] == [("美的集团", "A")]

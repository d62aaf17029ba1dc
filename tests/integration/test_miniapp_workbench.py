"""The rep's workbench and the manager's team view over HTTP, with role and tenant checks."""

from __future__ import annotations

import datetime as dt

from tests.integration.miniapp_support import bound_rep, sign_in


async def _team(client, factory, pool):
    tenant, _ = await factory.tenant()
    rep, rep_s = await bound_rep(client, pool, factory, tenant, name="张伟", team="华东一组")
    peer, peer_s = await bound_rep(client, pool, factory, tenant, name="李娜", team="华东一组")
    outsider, out_s = await bound_rep(client, pool, factory, tenant, name="王强", team="华南组")
    boss, boss_s = await bound_rep(client, pool, factory, tenant, name="赵经理", role="manager", team="华东一组")
    return tenant, (rep, rep_s), (peer, peer_s), (outsider, out_s), (boss, boss_s)


async def test_my_deals_are_mine_only_and_filter_by_stage(client, factory, pool):
    tenant, (rep, s), (peer, _), _, _ = await _team(client, factory, pool)
    d1 = await factory.deal(rep, "华为技术", amount=500000)
    d2 = await factory.deal(rep, "美的集团", stage="negotiation", amount=300000)
    await factory.deal(rep, "格力电器", stage="won", amount=100000)
    await factory.deal(peer, "比亚迪", amount=800000)
    r = await client.get("/miniapp/v1/deals", headers=s["headers"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 2 and {d["deal_id"] for d in body["items"]} == {d1.deal_id, d2.deal_id}
    r = await client.get("/miniapp/v1/deals", params={"stage": "negotiation"}, headers=s["headers"])
    assert [d["deal_id"] for d in r.json()["items"]] == [d2.deal_id]
    r = await client.get("/miniapp/v1/deals", params={"stage": "won"}, headers=s["headers"])
    assert [d["company"] for d in r.json()["items"]] == ["格力电器"]
    for bad in ("Bad Stage!", "nosuchstage"):
        r = await client.get("/miniapp/v1/deals", params={"stage": bad}, headers=s["headers"])
        assert r.status_code == 400, bad
    r = await client.get("/miniapp/v1/deals", params={"limit": 0}, headers=s["headers"])
    assert r.status_code == 400


async def test_deal_detail_update_and_activity(client, factory, pool):
    tenant, (rep, s), _, _, _ = await _team(client, factory, pool)
    deal = await factory.deal(rep, "华为技术", amount=500000, contact_name="张总", phone="13800138000")
    url = f"/miniapp/v1/deals/{deal.deal_id}"
    r = await client.patch(url, headers=s["headers"], json={
        "stage": "qualified", "amount": 650000, "next_step": "下周二上门演示", "expected_close": "2026-06-30"})
    assert r.status_code == 200, r.text
    assert (r.json()["stage"], r.json()["amount"], r.json()["next_step"], r.json()["expected_close"]) == (
        "qualified", 650000, "下周二上门演示", "2026-06-30")
    r = await client.post(f"{url}/activities", headers=s["headers"], json={"kind": "call", "body": "电话沟通了预算"})
    assert r.status_code == 201 and r.json()["kind"] == "call"
    r = await client.get(url, headers=s["headers"])
    assert r.status_code == 200
    detail = r.json()
    assert detail["deal"]["contact_name"] == "张总"
    assert [(h["from_stage"], h["to_stage"]) for h in detail["history"]] == [(None, "lead"), ("lead", "qualified")]
    assert [a["body"] for a in detail["activities"]] == ["电话沟通了预算"]
    for bad in ({"stage": "nonexistent"}, {"amount": -1}, {"expected_close": "tomorrow"}, {"owner_id": 1}):
        r = await client.patch(url, headers=s["headers"], json=bad)
        assert r.status_code == 400, (bad, r.text)
    r = await client.post(f"{url}/activities", headers=s["headers"], json={"kind": "followup", "body": "x"})
    assert r.status_code == 400
    r = await client.post(f"{url}/activities", headers=s["headers"], json={"kind": "note", "body": ""})
    assert r.status_code == 400
    assert (await client.get(url, headers=s["headers"])).json()["deal"]["amount"] == 650000


async def test_a_rep_cannot_read_or_change_another_reps_deal(client, factory, pool):
    tenant, (rep, s), (peer, peer_s), _, (boss, boss_s) = await _team(client, factory, pool)
    theirs = await factory.deal(peer, "比亚迪", amount=800000)
    url = f"/miniapp/v1/deals/{theirs.deal_id}"
    assert (await client.get(url, headers=s["headers"])).status_code == 403
    assert (await client.patch(url, json={"amount": 1}, headers=s["headers"])).status_code == 403
    assert (await client.post(f"{url}/activities", json={"body": "x"}, headers=s["headers"])).status_code == 403
    # The owner and the team's manager may.
    assert (await client.get(url, headers=peer_s["headers"])).status_code == 200
    assert (await client.get(url, headers=boss_s["headers"])).status_code == 200
    # A customer may not, nor a rep of another tenant (who cannot even see it exists).
    customer = await sign_in(client, tenant.slug)
    assert (await client.get(url, headers=customer["headers"])).status_code == 403
    other_tenant, _ = await factory.tenant()
    _, stranger = await bound_rep(client, pool, factory, other_tenant, name="外人")
    assert (await client.get(url, headers=stranger["headers"])).status_code == 404
    assert (await client.patch(url, json={"amount": 1}, headers=stranger["headers"])).status_code == 404
    assert (await client.get(url, headers=peer_s["headers"])).json()["deal"]["amount"] == 800000


async def test_my_funnel(client, factory, pool):
    tenant, (rep, s), (peer, _), _, _ = await _team(client, factory, pool)
    await factory.deal(rep, "A公司", amount=100000)
    await factory.deal(rep, "B公司", stage="negotiation", amount=200000)
    await factory.deal(rep, "C公司", stage="negotiation", amount=300000)
    await factory.deal(rep, "D公司", stage="won", amount=400000)
    await factory.deal(rep, "E公司", stage="lost", amount=999999)
    await factory.deal(peer, "F公司", stage="negotiation", amount=5000000)
    r = await client.get("/miniapp/v1/funnel", headers=s["headers"])
    assert r.status_code == 200, r.text
    f = r.json()
    stages = {x["stage"]: x for x in f["stages"]}
    assert list(stages)[:3] == ["lead", "qualified", "initiated"]
    assert (stages["lead"]["deals"], stages["lead"]["amount"], stages["lead"]["weighted"]) == (1, 100000, 5000)
    assert (stages["negotiation"]["deals"], stages["negotiation"]["amount"], stages["negotiation"]["weighted"]) == (2, 500000, 375000)
    assert stages["won"]["deals"] == 1 and stages["lost"]["deals"] == 1
    assert (f["open_deals"], f["open_amount"], f["weighted_amount"], f["won_amount"]) == (3, 600000, 380000, 400000)


async def test_team_view_for_managers_only(client, factory, pool):
    tenant, (rep, s), (peer, peer_s), (outsider, _), (boss, boss_s) = await _team(client, factory, pool)
    await factory.deal(rep, "华为技术", stage="bidding", amount=500000, entered_days_ago=50)  # 21-day SLA: 2.4×
    await factory.deal(peer, "美的集团", stage="lead", amount=100000, entered_days_ago=5)  # 3-day SLA: 1.7×
    await factory.deal(peer, "格力电器", stage="solution", amount=100000, entered_days_ago=2)  # within SLA
    await factory.deal(outsider, "比亚迪", stage="lead", amount=900000, entered_days_ago=30)  # another team
    for path in ("/miniapp/v1/team/funnel", "/miniapp/v1/team/stalled", "/miniapp/v1/team/reps"):
        assert (await client.get(path, headers=s["headers"])).status_code == 403, path
    f = (await client.get("/miniapp/v1/team/funnel", headers=boss_s["headers"])).json()
    assert f["open_deals"] == 3 and f["open_amount"] == 700000
    stalled = (await client.get("/miniapp/v1/team/stalled", headers=boss_s["headers"])).json()
    assert [d["company"] for d in stalled] == ["华为技术", "美的集团"]
    assert stalled[0]["owner"] == "张伟" and stalled[0]["sla_days"] == 21 and stalled[0]["days_in_stage"] >= 50
    reps = (await client.get("/miniapp/v1/team/reps", headers=boss_s["headers"])).json()
    assert reps["days"] == 7
    by_name = {r["name"]: r for r in reps["reps"]}
    assert set(by_name) == {"张伟", "李娜", "赵经理"}
    assert by_name["李娜"]["open_deals"] == 2 and by_name["李娜"]["pipeline_amount"] == 200000
    r = await client.get("/miniapp/v1/team/reps", params={"days": 0}, headers=boss_s["headers"])
    assert r.status_code == 400


async def test_manager_without_team_and_admin(client, factory, pool):
    tenant, (rep, _), _, (outsider, _), _ = await _team(client, factory, pool)
    await factory.deal(rep, "华为技术", amount=500000)
    await factory.deal(outsider, "比亚迪", amount=900000)
    _, loner = await bound_rep(client, pool, factory, tenant, name="孤独经理", role="manager", team=None)
    r = await client.get("/miniapp/v1/team/funnel", headers=loner["headers"])
    assert r.status_code == 403
    _, admin = await bound_rep(client, pool, factory, tenant, name="管理员", role="admin", team=None)
    f = (await client.get("/miniapp/v1/team/funnel", headers=admin["headers"])).json()
    assert f["open_deals"] == 2 and f["open_amount"] == 1400000

"""Opening a card with a share, forwarding (rep → A → B → C), editing the card, isolation."""

from __future__ import annotations

from tests.integration.miniapp_support import bound_rep, card_of, sign_in


async def _views(pool, tenant_id: int) -> list[dict]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT e.visitor_id, e.share_id, s.token AS share, e.rep_id FROM card_events e"
            " LEFT JOIN card_shares s ON s.tenant_id = e.tenant_id AND s.share_id = e.share_id"
            " WHERE e.tenant_id = $1 AND e.kind = 'view' ORDER BY e.event_id", tenant_id)
    return [dict(r) for r in rows]


async def test_rep_card_is_created_from_profile_and_editable(client, factory, pool):
    tenant, _ = await factory.tenant(name="华储能源")
    actor, rep = await bound_rep(client, pool, factory, tenant, name="张伟", phone="13800138000")
    card = await card_of(client, rep)
    assert card["name"] == "张伟" and card["company"] == "华储能源" and card["phone"] == "13800138000"
    assert len(card["code"]) == 8 and card["share"]
    assert card["url"].endswith(f"/c/{card['code']}?s={card['share']}")
    assert card["path"] == f"/pages/card/index?code={card['code']}&s={card['share']}"
    assert (await card_of(client, rep))["code"] == card["code"]  # one card per rep
    r = await client.patch("/miniapp/v1/me/card", headers=rep["headers"], json={
        "title": "大客户经理", "bio": "十年储能行业经验", "wechat_id": "zhangwei_88",
        "avatar_url": "https://img.example.com/a.png",
        "products": [{"title": "储能柜 S1", "summary": "215kWh 工商业储能"}],
    })
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["title"] == "大客户经理" and body["products"][0]["summary"] == "215kWh 工商业储能"
    assert body["name"] == "张伟" and body["phone"] == "13800138000"  # untouched fields kept
    r = await client.patch("/miniapp/v1/me/card", headers=rep["headers"], json={"phone": None})
    assert r.json()["phone"] is None


async def test_card_edits_are_validated(client, factory, pool):
    tenant, _ = await factory.tenant()
    _, rep = await bound_rep(client, pool, factory, tenant)
    bad = [
        {"wechat_id": "1bad"},
        {"bio": "长" * 501},
        {"name": ""},
        {"avatar_url": "javascript:alert(1)"},
        {"products": [{"title": "x"}] * 13},
        {"products": [{"summary": "no title"}]},
        {"products": [{"title": "储能柜", "doc_id": "not-in-the-kb"}]},
        {"color": "red"},
        {"phone": "call me"},
    ]
    for body in bad:
        r = await client.patch("/miniapp/v1/me/card", headers=rep["headers"], json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"] == "invalid"


async def test_open_records_the_view_with_its_share(client, factory, pool):
    tenant, _ = await factory.tenant()
    actor, rep = await bound_rep(client, pool, factory, tenant)
    card = await card_of(client, rep)
    customer = await sign_in(client, tenant.slug)
    r = await client.get(f"/miniapp/v1/cards/{card['code']}", params={"s": card["share"]}, headers=customer["headers"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == card["name"] and body["share"] == card["share"]
    assert "user_id" not in body and "tenant_id" not in body
    views = await _views(pool, tenant.tenant_id)
    assert views == [{"visitor_id": customer["me"]["visitor_id"], "share_id": views[0]["share_id"],
                      "share": card["share"], "rep_id": actor.user_id}]
    # Without ?s= (or with an unknown one) the view counts on the rep's root share.
    r = await client.get(f"/miniapp/v1/cards/{card['code']}", params={"s": "unknownshare"}, headers=customer["headers"])
    assert r.status_code == 200 and r.json()["share"] == card["share"]
    # Another card's share (same tenant) does not attribute this card's view: the root share again.
    _, other_rep = await bound_rep(client, pool, factory, tenant, name="李娜")
    other = await card_of(client, other_rep)
    r = await client.get(f"/miniapp/v1/cards/{card['code']}", params={"s": other["share"]}, headers=customer["headers"])
    assert r.status_code == 200 and r.json()["share"] == card["share"]
    # The rep opening their own card is not a view; an anonymous open is one, without a visitor.
    assert (await client.get(f"/miniapp/v1/cards/{card['code']}", headers=rep["headers"])).status_code == 200
    assert (await client.get(f"/miniapp/v1/cards/{card['code']}")).status_code == 200
    views = await _views(pool, tenant.tenant_id)
    assert [v["visitor_id"] for v in views] == [customer["me"]["visitor_id"]] * 3 + [None]
    assert {v["share"] for v in views} == {card["share"]}


async def test_unknown_card_and_other_tenant_session_are_404(client, factory, pool):
    tenant, _ = await factory.tenant()
    other, _ = await factory.tenant()
    _, rep = await bound_rep(client, pool, factory, tenant)
    card = await card_of(client, rep)
    r = await client.get("/miniapp/v1/cards/zzzzzzzz")
    assert r.status_code == 404
    r = await client.get("/miniapp/v1/cards/BAD!")
    assert r.status_code in (400, 404)
    stranger = await sign_in(client, other.slug)
    r = await client.get(f"/miniapp/v1/cards/{card['code']}", headers=stranger["headers"])
    assert r.status_code == 404
    r = await client.post(f"/miniapp/v1/cards/{card['code']}/shares", json={}, headers=stranger["headers"])
    assert r.status_code == 404
    assert await _views(pool, other.tenant_id) == []


async def test_forward_chain_of_three(client, factory, pool):
    """rep → A → B → C: each forward mints a child share; the radar knows the chain."""
    tenant, _ = await factory.tenant()
    actor, rep = await bound_rep(client, pool, factory, tenant, name="张伟")
    card = await card_of(client, rep)
    code = card["code"]
    share = card["share"]
    people = []
    for depth in (1, 2, 3):
        customer = await sign_in(client, tenant.slug)
        r = await client.get(f"/miniapp/v1/cards/{code}", params={"s": share}, headers=customer["headers"])
        assert r.status_code == 200
        people.append(customer)
        if depth < 3:
            r = await client.post(f"/miniapp/v1/cards/{code}/shares", json={"parent": share}, headers=customer["headers"])
            assert r.status_code == 201, r.text
            child = r.json()
            assert child["depth"] == depth and child["share"] != share
            assert child["url"].endswith(f"/c/{code}?s={child['share']}")
            # Forwarding the same share again gives the same child share.
            again = await client.post(f"/miniapp/v1/cards/{code}/shares", json={"parent": share}, headers=customer["headers"])
            assert again.json()["share"] == child["share"]
            share = child["share"]
    a, b, c = (p["me"]["visitor_id"] for p in people)
    r = await client.get(f"/miniapp/v1/radar/{c}", headers=rep["headers"])
    assert r.status_code == 200, r.text
    detail = r.json()
    assert [(link["depth"], link["visitor_id"]) for link in detail["chain"]] == [(0, None), (1, a), (2, b)]
    assert detail["chain"][0]["name"] == "张伟"
    radar = {v["visitor_id"]: v for v in (await client.get("/miniapp/v1/radar", headers=rep["headers"])).json()}
    assert radar[a]["forwarded_to"] == 1 and radar[b]["forwarded_to"] == 1 and radar[c]["forwarded_to"] == 0
    assert radar[a]["forwards"] == 2 and radar[c]["forwards"] == 0
    assert radar[c]["came_via"] == f"访客{b}" and radar[a]["came_via"] is None
    r = await client.get(f"/miniapp/v1/radar/{a}", headers=rep["headers"])
    assert [f["visitor_id"] for f in r.json()["forwarded_to"]] == [b]


async def test_forward_errors(client, factory, pool):
    tenant, _ = await factory.tenant()
    _, rep = await bound_rep(client, pool, factory, tenant)
    card = await card_of(client, rep)
    customer = await sign_in(client, tenant.slug)
    r = await client.post(f"/miniapp/v1/cards/{card['code']}/shares", json={"parent": "nosuchshare"}, headers=customer["headers"])
    assert r.status_code == 400 and r.json()["field"] == "parent"
    r = await client.post(f"/miniapp/v1/cards/{card['code']}/shares", json={})
    assert r.status_code == 401
    # The rep "forwarding" their own card gets their root share.
    r = await client.post(f"/miniapp/v1/cards/{card['code']}/shares", json={}, headers=rep["headers"])
    assert r.status_code == 201 and r.json()["share"] == card["share"] and r.json()["depth"] == 0
    # A customer forwarding the share they made themselves gets it back (no self-loop).
    mine = (await client.post(f"/miniapp/v1/cards/{card['code']}/shares", json={}, headers=customer["headers"])).json()
    r = await client.post(f"/miniapp/v1/cards/{card['code']}/shares", json={"parent": mine["share"]}, headers=customer["headers"])
    assert r.json()["share"] == mine["share"]

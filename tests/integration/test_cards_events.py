"""Card events: dwell and taps in idempotent batches, caps, rate limits, and a flood that does
not inflate the radar."""

from __future__ import annotations

import asyncio

from tests.integration.miniapp_support import bound_rep, card_of, sign_in


async def _setup(client, factory, pool):
    tenant, _ = await factory.tenant()
    actor, rep = await bound_rep(client, pool, factory, tenant)
    card = await card_of(client, rep)
    customer = await sign_in(client, tenant.slug)
    r = await client.get(f"/miniapp/v1/cards/{card['code']}", params={"s": card["share"]}, headers=customer["headers"])
    assert r.status_code == 200
    return tenant, actor, rep, card, customer


async def test_events_with_dwell_are_recorded_once_per_client_id(client, factory, pool):
    tenant, actor, rep, card, customer = await _setup(client, factory, pool)
    batch = {"share": card["share"], "events": [
        {"id": "e1", "kind": "dwell", "dwell_seconds": 25},
        {"id": "e2", "kind": "dwell", "dwell_seconds": 40},
        {"id": "e3", "kind": "tap_phone"},
        {"id": "e4", "kind": "save_contact"},
        {"id": "e5", "kind": "view_product", "product": "储能柜 S1"},
        {"id": "e5", "kind": "view_product", "product": "储能柜 S1"},
    ]}
    url = f"/miniapp/v1/cards/{card['code']}/events"
    r = await client.post(url, json=batch, headers=customer["headers"])
    assert r.status_code == 200, r.text
    assert r.json() == {"accepted": 5, "duplicates": 1, "dropped": 0}
    r = await client.post(url, json=batch, headers=customer["headers"])  # a retried batch
    assert r.json() == {"accepted": 0, "duplicates": 6, "dropped": 0}
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT kind, dwell_seconds, detail, share_id IS NOT NULL AS has_share FROM card_events"
            " WHERE tenant_id = $1 AND kind <> 'view' ORDER BY event_id", tenant.tenant_id)
    assert [(r["kind"], r["dwell_seconds"]) for r in rows] == [
        ("dwell", 25), ("dwell", 40), ("tap_phone", 0), ("save_contact", 0), ("view_product", 0)]
    assert rows[-1]["detail"] == {"product": "储能柜 S1"} and all(r["has_share"] for r in rows)
    radar = (await client.get("/miniapp/v1/radar", headers=rep["headers"])).json()
    assert len(radar) == 1
    v = radar[0]
    assert (v["visits"], v["dwell_seconds"], v["phone_taps"], v["contact_saves"], v["products_viewed"]) == (1, 65, 1, 1, 1)


async def test_bad_event_batches_are_400_and_write_nothing(client, factory, pool):
    tenant, actor, rep, card, customer = await _setup(client, factory, pool)
    url = f"/miniapp/v1/cards/{card['code']}/events"
    bad = [
        {"events": []},
        {"events": [{"id": "x", "kind": "hack"}]},
        {"events": [{"id": "x", "kind": "dwell", "dwell_seconds": -5}]},
        {"events": [{"id": "x", "kind": "dwell", "dwell_seconds": 100000}]},
        {"events": [{"id": "has space", "kind": "tap_phone"}]},
        {"events": [{"id": f"e{i}", "kind": "tap_phone"} for i in range(51)]},
        {"events": [{"id": "x", "kind": "view_product", "product": "长" * 61}]},
    ]
    for body in bad:
        r = await client.post(url, json=body, headers=customer["headers"])
        assert r.status_code == 400, (body, r.text)
    r = await client.post(url, json={"events": [{"id": "a", "kind": "tap_phone"}]})
    assert r.status_code == 401
    async with pool.acquire() as conn:
        n = await conn.fetchval("SELECT count(*) FROM card_events WHERE tenant_id = $1 AND kind <> 'view'", tenant.tenant_id)
    assert n == 0


async def test_a_flood_of_fake_events_does_not_inflate_the_radar(client, factory, pool):
    tenant, actor, rep, card, customer = await _setup(client, factory, pool)
    url = f"/miniapp/v1/cards/{card['code']}/events"
    sent = 0
    statuses = []
    for batch_no in range(8):  # 8 × 50 = 400 events, over the daily cap of 300
        events = [{"id": f"f{batch_no}-{i}", "kind": "tap_phone" if i % 2 else "dwell", "dwell_seconds": 86_400}
                  for i in range(50)]
        r = await client.post(url, json={"events": events}, headers=customer["headers"])
        statuses.append(r.status_code)
        if r.status_code == 200:
            sent += r.json()["accepted"]
    assert statuses == [200] * 8
    assert sent == 299  # the daily cap of 300 events a visitor, their view included
    v = (await client.get("/miniapp/v1/radar", headers=rep["headers"])).json()[0]
    assert v["phone_taps"] == 3  # at most 3 a day
    assert v["dwell_seconds"] == 1800  # at most 30 minutes a day
    assert v["visits"] == 1
    assert v["score"] <= 100


async def test_open_rate_limit_per_visitor(client, factory, pool):
    tenant, actor, rep, card, customer = await _setup(client, factory, pool)
    url = f"/miniapp/v1/cards/{card['code']}"
    codes = [(await client.get(url, headers=customer["headers"])).status_code for _ in range(35)]
    assert codes.count(429) >= 5 and codes[:29] == [200] * 29
    r = await client.get(url, headers=customer["headers"])
    assert r.status_code == 429 and r.json()["error"] == "rate_limited"
    # Another visitor is not held back by the first one's flood.
    other = await sign_in(client, tenant.slug)
    assert (await client.get(url, headers=other["headers"])).status_code == 200
    async with pool.acquire() as conn:
        views = await conn.fetchval(
            "SELECT count(*) FROM card_events WHERE tenant_id = $1 AND kind = 'view' AND visitor_id = $2",
            tenant.tenant_id, customer["me"]["visitor_id"])
    assert views <= 30
    radar = {v["visitor_id"]: v for v in (await client.get("/miniapp/v1/radar", headers=rep["headers"])).json()}
    assert radar[customer["me"]["visitor_id"]]["visits"] == 1


async def test_event_and_share_rate_limits(client, factory, pool):
    tenant, actor, rep, card, customer = await _setup(client, factory, pool)
    url = f"/miniapp/v1/cards/{card['code']}/events"
    results = await asyncio.gather(*[
        client.post(url, json={"events": [{"id": f"r{i}", "kind": "tap_phone"}]}, headers=customer["headers"])
        for i in range(65)
    ])
    codes = [r.status_code for r in results]
    assert codes.count(200) == 60 and codes.count(429) == 5
    share_codes = [
        (await client.post(f"/miniapp/v1/cards/{card['code']}/shares", json={}, headers=customer["headers"])).status_code
        for _ in range(12)
    ]
    assert share_codes.count(201) == 10 and share_codes.count(429) == 2

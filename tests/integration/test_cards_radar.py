"""The radar on a fixed data set: three visitors over ten days, figures and scores by hand."""

from __future__ import annotations

import datetime as dt

from backend import clock
from tests.integration.miniapp_support import bound_rep, card_of, sign_in

SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=SH)


def at(when: dt.datetime) -> None:
    clock.set_now(when)


async def test_radar_figures_and_scores_on_a_fixed_data_set(client, factory, pool):
    at(NOW - dt.timedelta(days=11))
    tenant, _ = await factory.tenant()
    actor, rep = await bound_rep(client, pool, factory, tenant, name="张伟")
    card = await card_of(client, rep)
    code = card["code"]
    url = f"/miniapp/v1/cards/{code}"
    v2 = await sign_in(client, tenant.slug)

    async def events(session, *evs):
        r = await client.post(f"{url}/events", json={"events": list(evs)}, headers=session["headers"])
        assert r.status_code == 200 and r.json()["accepted"] == len(evs), r.text

    # V2, ten days ago: one visit, a long dwell (600 s at most per event), then an inquiry.
    at(NOW - dt.timedelta(days=10))
    await client.get(url, params={"s": card["share"]}, headers=v2["headers"])
    await events(v2, {"id": "a1", "kind": "dwell", "dwell_seconds": 2000})
    r = await client.post(f"{url}/inquiries", json={"name": "陈女士", "phone": "13600000001", "company": "美的"},
                          headers=v2["headers"])
    assert r.status_code == 201

    # V1, two days ago: views at 10:00 and 10:20 (one visit) and 11:00 (a second visit).
    day = dt.datetime(2026, 3, 18, 10, 0, tzinfo=SH)
    at(day)
    v1 = await sign_in(client, tenant.slug)  # sessions last 7 days: each signs in when they come
    await client.get(url, params={"s": card["share"]}, headers=v1["headers"])
    await events(v1, {"id": "b1", "kind": "dwell", "dwell_seconds": 120}, {"id": "b2", "kind": "dwell", "dwell_seconds": 100},
                 {"id": "b3", "kind": "tap_phone"})
    at(day + dt.timedelta(minutes=20))
    await client.get(url, headers=v1["headers"])
    at(day + dt.timedelta(minutes=60))
    await client.get(url, headers=v1["headers"])

    # V1 today, an hour ago: a third visit, products, saves the contact, forwards; V3 opens through it.
    at(NOW - dt.timedelta(hours=1, minutes=5))
    await client.get(url, headers=v1["headers"])
    share = (await client.post(f"{url}/shares", json={"parent": card["share"]}, headers=v1["headers"])).json()["share"]
    at(NOW - dt.timedelta(hours=1))
    await events(v1, {"id": "c1", "kind": "dwell", "dwell_seconds": 90},
                 {"id": "c2", "kind": "view_product", "product": "储能柜 S1"},
                 {"id": "c3", "kind": "view_product", "product": "光伏逆变器"},
                 {"id": "c4", "kind": "view_product", "product": "储能柜 S1"},
                 {"id": "c5", "kind": "save_contact"})
    at(NOW - dt.timedelta(minutes=30))
    v3 = await sign_in(client, tenant.slug)
    await client.get(url, params={"s": share}, headers=v3["headers"])

    at(NOW)
    rep = await sign_in(client, tenant.slug, rep["who"], 2)
    r = await client.get("/miniapp/v1/radar", headers=rep["headers"])
    assert r.status_code == 200, r.text
    radar = r.json()
    ids = {v1["me"]["visitor_id"]: "v1", v2["me"]["visitor_id"]: "v2", v3["me"]["visitor_id"]: "v3"}
    assert [ids[v["visitor_id"]] for v in radar] == ["v1", "v2", "v3"]
    got = {ids[v["visitor_id"]]: v for v in radar}
    fields = ("visits", "dwell_seconds", "phone_taps", "contact_saves", "products_viewed", "forwards",
              "forwarded_to", "inquiries", "score")
    assert {k: got["v1"][k] for k in fields} == dict(
        visits=3, dwell_seconds=310, phone_taps=1, contact_saves=1, products_viewed=2, forwards=1,
        forwarded_to=1, inquiries=0,
        # 100 × (0.25 × 0.5^((1/24)/7) + 0.2 × 0.3 + 0.15 × 310/1800 + 0.1 × 4/5 + 0.1 × 2/3) = 48.1
        score=48)
    assert {k: got["v2"][k] for k in fields} == dict(
        visits=1, dwell_seconds=600, phone_taps=0, contact_saves=0, products_viewed=0, forwards=0,
        forwarded_to=0, inquiries=1,
        # 100 × (0.25 × 0.5^(10/7) + 0.2 × 0.1 + 0.15 × 600/1800 + 0.2) = 36.3
        score=36)
    assert {k: got["v3"][k] for k in fields} == dict(
        visits=1, dwell_seconds=0, phone_taps=0, contact_saves=0, products_viewed=0, forwards=0,
        forwarded_to=0, inquiries=0,
        # 100 × (0.25 × 0.5^((0.5/24)/7) + 0.2 × 0.1) = 26.9
        score=27)
    assert got["v2"]["name"] == "陈女士" and got["v2"]["company"] == "美的"
    assert got["v3"]["came_via"] == f"访客{v1['me']['visitor_id']}" and got["v1"]["came_via"] is None
    assert got["v1"]["last_seen"].startswith("2026-03-20T03:00")  # 11:00 in Shanghai

    detail = (await client.get(f"/miniapp/v1/radar/{v1['me']['visitor_id']}", headers=rep["headers"])).json()
    assert detail["visitor"]["score"] == 48
    kinds = [e["kind"] for e in detail["events"]]
    assert kinds.count("view") == 4 and kinds.count("view_product") == 3 and "forward" in kinds
    assert [f["visitor_id"] for f in detail["forwarded_to"]] == [v3["me"]["visitor_id"]]

    # Another rep sees none of it; an unknown visitor is 404.
    _, other = await bound_rep(client, pool, factory, tenant, name="李娜")
    assert (await client.get("/miniapp/v1/radar", headers=other["headers"])).json() == []
    r = await client.get(f"/miniapp/v1/radar/{v1['me']['visitor_id']}", headers=other["headers"])
    assert r.status_code == 404
    # Ninety days on, the radar has forgotten them.
    at(NOW + dt.timedelta(days=91))
    rep = await sign_in(client, tenant.slug, rep["who"], 3)
    assert (await client.get("/miniapp/v1/radar", headers=rep["headers"])).json() == []

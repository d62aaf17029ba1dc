"""Inquiries become leads for the card's rep and reach the rep at once; hot signals on repeat
views and forwards by a contact of an open deal."""

from __future__ import annotations

import datetime as dt
import secrets

from backend import clock
from backend.services import outbox
from tests.integration.miniapp_support import bound_rep, card_of, sign_in

SH = dt.timezone(dt.timedelta(hours=8))
DAYTIME = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)  # outside quiet hours


async def _setup(client, factory, pool, **rep_kw):
    clock.set_now(DAYTIME)
    tenant, _ = await factory.tenant()
    wecom = "rep-" + secrets.token_hex(3)
    actor, rep = await bound_rep(client, pool, factory, tenant, name="张伟", wecom_userid=wecom, **rep_kw)
    card = await card_of(client, rep)
    return tenant, actor, rep, card


async def test_inquiry_creates_lead_contact_and_sends_the_rep_a_message(client, factory, pool, fake_wechat):
    tenant, actor, rep, card, = await _setup(client, factory, pool)
    customer = await sign_in(client, tenant.slug)
    code = card["code"]
    await client.get(f"/miniapp/v1/cards/{code}", params={"s": card["share"]}, headers=customer["headers"])
    await client.post(f"/miniapp/v1/cards/{code}/events", headers=customer["headers"],
                      json={"events": [{"id": "d1", "kind": "dwell", "dwell_seconds": 30}]})
    r = await client.post(f"/miniapp/v1/cards/{code}/inquiries", headers=customer["headers"], json={
        "name": "刘总", "phone": "13912345678", "company": "佛山顺和陶瓷有限公司",
        "message": "想了解储能柜报价", "share": card["share"],
    })
    assert r.status_code == 201, r.text
    assert "张伟" in r.json()["message"]
    async with pool.acquire() as conn:
        deal = await conn.fetchrow(
            "SELECT d.deal_id, d.owner_id, d.source, d.stage, d.next_step, c.name, c.phone, c.openid, a.name AS company,"
            " d.contact_id FROM deals d JOIN contacts c ON c.tenant_id = d.tenant_id AND c.contact_id = d.contact_id"
            " JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id WHERE d.tenant_id = $1",
            tenant.tenant_id)
        events = await conn.fetch(
            "SELECT kind, contact_id FROM card_events WHERE tenant_id = $1 ORDER BY event_id", tenant.tenant_id)
        notes = await conn.fetch("SELECT kind, body FROM activities WHERE tenant_id = $1", tenant.tenant_id)
        visitor = await conn.fetchrow("SELECT name, phone, contact_id FROM card_visitors WHERE tenant_id = $1 AND visitor_id = $2",
                                      tenant.tenant_id, customer["me"]["visitor_id"])
    assert (deal["owner_id"], deal["source"], deal["stage"]) == (actor.user_id, "card", "lead")
    assert (deal["name"], deal["phone"], deal["company"]) == ("刘总", "13912345678", "佛山顺和陶瓷有限公司")
    assert deal["openid"] is not None  # the contact now knows the customer's WeChat identity
    assert [e["kind"] for e in events] == ["view", "dwell", "inquiry"]
    assert all(e["contact_id"] == deal["contact_id"] for e in events)  # earlier events linked too
    assert visitor["contact_id"] == deal["contact_id"] and visitor["name"] == "刘总"
    assert [n["kind"] for n in notes] == ["note"] and "想了解储能柜报价" in notes[0]["body"]
    await outbox.deliver_until_idle(pool)
    sent = fake_wechat.sent(actor.wecom_userid)
    assert len(sent) == 1
    text = sent[0]["text"]["content"]
    assert "刘总" in text and "13912345678" in text and "想了解储能柜报价" in text
    # The radar shows the visitor by name, with the inquiry.
    v = (await client.get("/miniapp/v1/radar", headers=rep["headers"])).json()[0]
    assert v["name"] == "刘总" and v["inquiries"] == 1 and v["contact_id"] == deal["contact_id"]
    # The rep's workbench lists the new lead.
    deals = (await client.get("/miniapp/v1/deals", headers=rep["headers"])).json()
    assert [d["deal_id"] for d in deals["items"]] == [deal["deal_id"]]
    # The customer's inquiry is not the rep's change: their 撤销 leaves the lead alone.
    from backend.services import deals as deal_service

    async with pool.acquire() as conn:
        assert await deal_service.undo_last(conn, actor) is None
        assert await conn.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 1


async def test_second_inquiry_reuses_contact_and_open_deal(client, factory, pool, fake_wechat):
    tenant, actor, rep, card = await _setup(client, factory, pool)
    first = await sign_in(client, tenant.slug)
    second = await sign_in(client, tenant.slug)
    url = f"/miniapp/v1/cards/{card['code']}/inquiries"
    body = {"name": "刘总", "phone": "+86 139-1234-5678".replace(" ", "").replace("-", ""), "company": "顺和陶瓷"}
    assert (await client.post(url, json=body, headers=first["headers"])).status_code == 201
    body2 = {"name": "刘总", "phone": "13912345678", "company": "佛山顺和陶瓷有限公司", "message": "再问一下交期"}
    assert (await client.post(url, json=body2, headers=second["headers"])).status_code == 201
    async with pool.acquire() as conn:
        n_deals = await conn.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id)
        n_contacts = await conn.fetchval("SELECT count(*) FROM contacts WHERE tenant_id = $1", tenant.tenant_id)
        n_accounts = await conn.fetchval("SELECT count(*) FROM accounts WHERE tenant_id = $1", tenant.tenant_id)
        notes = await conn.fetch("SELECT body FROM activities WHERE tenant_id = $1", tenant.tenant_id)
    assert (n_deals, n_contacts, n_accounts) == (1, 1, 1)
    assert any("再问一下交期" in n["body"] for n in notes)
    await outbox.deliver_until_idle(pool)
    assert len(fake_wechat.sent(actor.wecom_userid)) == 2  # each inquiry is news to the rep


async def test_bad_inquiries_are_400_and_write_nothing(client, factory, pool):
    tenant, actor, rep, card = await _setup(client, factory, pool)
    customer = await sign_in(client, tenant.slug)
    url = f"/miniapp/v1/cards/{card['code']}/inquiries"
    bad = [
        ({"phone": "13912345678"}, "name"),
        ({"name": "刘总"}, "phone"),
        ({"name": "刘总", "phone": "call me"}, "phone"),
        ({"name": "   ", "phone": "13912345678"}, None),
        ({"name": "刘" * 51, "phone": "13912345678"}, "name"),
        ({"name": "刘总", "phone": "13912345678", "message": "长" * 1001}, "message"),
        ({"name": "刘总", "phone": "13912345678", "email": "not-an-email"}, "email"),
        ({"name": "刘总", "phone": "13912345678", "admin": True}, None),
    ]
    for body, field in bad:
        r = await client.post(url, json=body, headers=customer["headers"])
        assert r.status_code == 400, (body, r.text)
        if field and field not in body:  # a missing field is named in the detail
            assert f"`{field}`" in r.json()["detail"], (body, r.json())
        elif field:
            assert r.json().get("field") == field, (body, r.json())
    r = await client.post(url, json={"name": "刘总", "phone": "13912345678"})
    assert r.status_code == 401
    r = await client.post(url, json={"name": "刘总", "phone": "13912345678"}, headers=rep["headers"])
    assert r.status_code == 403  # the rep's own card
    async with pool.acquire() as conn:
        for table in ("deals", "contacts", "accounts", "card_inquiries"):
            assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE tenant_id = $1", tenant.tenant_id) == 0, table
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE tenant_id = $1"
                                   " AND idempotency_key NOT LIKE 'bind-alert:%'", tenant.tenant_id) == 0


async def test_inquiry_limits_per_visitor_and_per_phone(client, factory, pool):
    tenant, actor, rep, card = await _setup(client, factory, pool)
    url = f"/miniapp/v1/cards/{card['code']}/inquiries"
    customer = await sign_in(client, tenant.slug)
    codes = [
        (await client.post(url, json={"name": "访客", "phone": f"1380000000{i}"}, headers=customer["headers"])).status_code
        for i in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    # The same phone from new visitors: at most 3 a day, counted in the database.
    phone_codes = []
    for _ in range(4):
        other = await sign_in(client, tenant.slug)
        r = await client.post(url, json={"name": "刷单", "phone": "13700000000"}, headers=other["headers"])
        phone_codes.append(r.status_code)
    assert phone_codes == [201, 201, 201, 429]
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM card_inquiries WHERE tenant_id = $1", tenant.tenant_id) == 6


async def _known_contact_session(client, factory, pool, tenant, actor):
    """A customer whose openid is a contact's of an open deal of ``actor``."""
    deal = await factory.deal(actor, "华为技术有限公司", stage="negotiation", contact_name="张总",
                              phone="13800138000", amount=500000)
    first = await sign_in(client, tenant.slug)
    async with pool.acquire() as conn:
        openid = await conn.fetchval("SELECT openid FROM card_visitors WHERE tenant_id = $1 AND visitor_id = $2",
                                     tenant.tenant_id, first["me"]["visitor_id"])
        await conn.execute(
            "UPDATE contacts SET openid = $3 WHERE tenant_id = $1 AND contact_id ="
            " (SELECT contact_id FROM deals WHERE tenant_id = $1 AND deal_id = $2)", tenant.tenant_id, deal.deal_id, openid)
    again = await sign_in(client, tenant.slug, first["who"], 2)  # a new login links the visitor to the contact
    return deal, again


async def test_repeat_view_by_contact_of_open_deal_is_a_hot_signal(client, factory, pool, fake_wechat):
    tenant, actor, rep, card = await _setup(client, factory, pool)
    deal, customer = await _known_contact_session(client, factory, pool, tenant, actor)
    url = f"/miniapp/v1/cards/{card['code']}"
    assert (await client.get(url, headers=customer["headers"])).status_code == 200
    await outbox.deliver_until_idle(pool)
    assert fake_wechat.sent(actor.wecom_userid) == []  # a first view is not a repeat
    clock.set_now(DAYTIME + dt.timedelta(minutes=10))
    await client.get(url, headers=customer["headers"])
    await outbox.deliver_until_idle(pool)
    assert fake_wechat.sent(actor.wecom_userid) == []  # the same visit
    clock.set_now(DAYTIME + dt.timedelta(hours=2))
    await client.get(url, headers=customer["headers"])
    await outbox.deliver_until_idle(pool)
    sent = fake_wechat.sent(actor.wecom_userid)
    assert len(sent) == 1
    assert "张总" in sent[0]["text"]["content"] and "华为" in sent[0]["text"]["content"]
    clock.set_now(DAYTIME + dt.timedelta(hours=4))
    await client.get(url, headers=customer["headers"])
    await outbox.deliver_until_idle(pool)
    assert len(fake_wechat.sent(actor.wecom_userid)) == 1  # once a day per visitor
    async with pool.acquire() as conn:
        contact_ids = await conn.fetch("SELECT DISTINCT contact_id FROM card_events WHERE tenant_id = $1", tenant.tenant_id)
    assert [r["contact_id"] for r in contact_ids] == [deal_contact_id := contact_ids[0]["contact_id"]]
    assert deal_contact_id is not None


async def test_forward_by_contact_of_open_deal_is_a_hot_signal(client, factory, pool, fake_wechat):
    tenant, actor, rep, card = await _setup(client, factory, pool)
    deal, customer = await _known_contact_session(client, factory, pool, tenant, actor)
    r = await client.post(f"/miniapp/v1/cards/{card['code']}/shares", json={"parent": card["share"]},
                          headers=customer["headers"])
    assert r.status_code == 201
    await outbox.deliver_until_idle(pool)
    sent = fake_wechat.sent(actor.wecom_userid)
    assert len(sent) == 1 and "转发" in sent[0]["text"]["content"]


async def test_unknown_visitor_views_send_nothing(client, factory, pool, fake_wechat):
    tenant, actor, rep, card = await _setup(client, factory, pool)
    customer = await sign_in(client, tenant.slug)
    url = f"/miniapp/v1/cards/{card['code']}"
    await client.get(url, headers=customer["headers"])
    clock.set_now(DAYTIME + dt.timedelta(hours=2))
    await client.get(url, headers=customer["headers"])
    await client.post(f"{url}/shares", json={}, headers=customer["headers"])
    await outbox.deliver_until_idle(pool)
    assert fake_wechat.sent(actor.wecom_userid) == []


async def test_the_per_phone_cap_holds_for_concurrent_inquiries(client, factory, pool, fake_wechat):
    """Issue 11 #4: 10 inquiries with one phone at once, from 10 customers: 3 accepted, 3 alerts."""
    tenant, actor, rep, card = await _setup(client, factory, pool)
    url = f"/miniapp/v1/cards/{card['code']}/inquiries"
    customers = [await sign_in(client, tenant.slug) for _ in range(10)]
    import asyncio

    responses = await asyncio.gather(*(
        client.post(url, json={"name": "并发", "phone": "13600000000"}, headers=c["headers"]) for c in customers
    ))
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 3 + [429] * 7, codes
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM card_inquiries WHERE tenant_id = $1", tenant.tenant_id) == 3
        alerts = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE tenant_id = $1 AND idempotency_key LIKE 'hot:inquiry:%'", tenant.tenant_id)
    assert alerts == 3

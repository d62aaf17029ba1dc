"""Mini-program sessions over real HTTP: wx.login code → jscode2session (fake WeChat) → token."""

from __future__ import annotations

import datetime as dt

from backend import clock
from backend.services import binding
from tests.integration.miniapp_support import bearer, bound_rep, person, sign_in

REP_ROUTES = [
    ("GET", "/miniapp/v1/me/card"),
    ("GET", "/miniapp/v1/radar"),
    ("GET", "/miniapp/v1/deals"),
    ("GET", "/miniapp/v1/funnel"),
    ("GET", "/miniapp/v1/team/funnel"),
    ("GET", "/miniapp/v1/team/stalled"),
    ("GET", "/miniapp/v1/team/reps"),
]


async def test_login_gives_a_customer_session_and_same_openid_is_same_customer(client, factory):
    tenant, _ = await factory.tenant()
    who = person()
    first = await sign_in(client, tenant.slug, who, 1)
    second = await sign_in(client, tenant.slug, who, 2)
    assert first["me"]["role"] == "customer"
    assert first["token"] != second["token"]
    assert first["me"]["visitor_id"] == second["me"]["visitor_id"]
    other = await sign_in(client, tenant.slug)
    assert other["me"]["visitor_id"] != first["me"]["visitor_id"]
    r = await client.get("/miniapp/v1/me", headers=first["headers"])
    assert r.status_code == 200 and r.json() == {
        "role": "customer", "visitor_id": first["me"]["visitor_id"], "user_id": None, "name": None, "team_id": None,
    }


async def test_same_person_on_another_tenant_is_another_customer(client, factory):
    t1, _ = await factory.tenant()
    t2, _ = await factory.tenant()
    who = person()
    a = await sign_in(client, t1.slug, who, 1)
    b = await sign_in(client, t2.slug, who, 2)
    assert a["me"]["visitor_id"] != b["me"]["visitor_id"]


async def test_login_errors_are_clear(client, factory, fake_wechat):
    tenant, _ = await factory.tenant()
    r = await client.post("/miniapp/v1/session", json={"tenant": "no-such-co", "code": "x#1"})
    assert r.status_code == 404
    fake_wechat.fail_next("session", "bad_code")
    r = await client.post("/miniapp/v1/session", json={"tenant": tenant.slug, "code": "bob#1"})
    assert r.status_code == 401 and r.json()["field"] == "code"
    await sign_in(client, tenant.slug, "carol", 1)
    r = await client.post("/miniapp/v1/session", json={"tenant": tenant.slug, "code": "carol#1"})  # used code
    assert r.status_code == 401
    fake_wechat.fail_next("session", "http500")
    r = await client.post("/miniapp/v1/session", json={"tenant": tenant.slug, "code": "dave#1"})
    assert r.status_code == 502
    r = await client.post("/miniapp/v1/session", json={"tenant": tenant.slug})
    assert r.status_code == 400
    r = await client.post("/miniapp/v1/session", json={"tenant": tenant.slug, "code": "x", "extra": 1})
    assert r.status_code == 400


async def test_tenant_without_miniapp_config_is_refused(client, factory, pool):
    tenant, _ = await factory.tenant()
    async with pool.acquire() as conn:
        await conn.execute("UPDATE tenants SET miniapp = '{}'::jsonb WHERE tenant_id = $1", tenant.tenant_id)
    r = await client.post("/miniapp/v1/session", json={"tenant": tenant.slug, "code": "erin#1"})
    assert r.status_code == 400 and r.json()["field"] == "tenant"


async def test_missing_bad_revoked_and_expired_tokens_are_401(client, factory):
    tenant, _ = await factory.tenant()
    r = await client.get("/miniapp/v1/me")
    assert r.status_code == 401
    for token in ("garbage", f"{tenant.tenant_id}.{'x' * 43}", "1.short"):
        r = await client.get("/miniapp/v1/me", headers=bearer(token))
        assert r.status_code == 401, token
    s = await sign_in(client, tenant.slug)
    r = await client.delete("/miniapp/v1/session", headers=s["headers"])
    assert r.status_code == 204
    r = await client.get("/miniapp/v1/me", headers=s["headers"])
    assert r.status_code == 401
    s2 = await sign_in(client, tenant.slug)
    assert (await client.get("/miniapp/v1/me", headers=s2["headers"])).status_code == 200
    clock.set_now(clock.now() + dt.timedelta(days=8))
    r = await client.get("/miniapp/v1/me", headers=s2["headers"])
    assert r.status_code == 401


async def test_token_of_one_tenant_cannot_be_replayed_on_another(client, factory):
    t1, _ = await factory.tenant()
    t2, _ = await factory.tenant()
    s = await sign_in(client, t1.slug)
    secret = s["token"].split(".", 1)[1]
    r = await client.get("/miniapp/v1/me", headers=bearer(f"{t2.tenant_id}.{secret}"))
    assert r.status_code == 401


async def test_bind_makes_the_session_a_rep(client, factory, pool):
    tenant, _ = await factory.tenant()
    actor, session = await bound_rep(client, pool, factory, tenant, name="李娜")
    r = await client.get("/miniapp/v1/me", headers=session["headers"])
    assert r.json()["role"] == "rep" and r.json()["user_id"] == actor.user_id and r.json()["name"] == "李娜"
    # A later login of the same WeChat user is the rep at once.
    again = await sign_in(client, tenant.slug, session["who"], 2)
    assert again["me"]["role"] == "rep" and again["me"]["user_id"] == actor.user_id


async def test_bind_code_is_checked_and_works_once(client, factory, pool):
    tenant, _ = await factory.tenant()
    actor = await factory.user(tenant.tenant_id, name="王强")
    s = await sign_in(client, tenant.slug)
    r = await client.post("/miniapp/v1/me/bind", json={"code": "12ab"}, headers=s["headers"])
    assert r.status_code == 400 and r.json()["field"] == "code"
    r = await client.post("/miniapp/v1/me/bind", json={"code": "000000"}, headers=s["headers"])
    assert r.status_code == 400
    async with pool.acquire() as conn:
        code, _ = await binding.issue_code(conn, actor)
    r = await client.post("/miniapp/v1/me/bind", json={"code": code})
    assert r.status_code == 401
    r = await client.post("/miniapp/v1/me/bind", json={"code": code}, headers=s["headers"])
    assert r.status_code == 200
    other = await sign_in(client, tenant.slug)
    r = await client.post("/miniapp/v1/me/bind", json={"code": code}, headers=other["headers"])
    assert r.status_code == 400
    assert (await client.get("/miniapp/v1/me", headers=other["headers"])).json()["role"] == "customer"


async def test_customer_cannot_call_rep_routes(client, factory):
    tenant, _ = await factory.tenant()
    s = await sign_in(client, tenant.slug)
    for method, path in REP_ROUTES:
        r = await client.request(method, path, headers=s["headers"])
        assert r.status_code == 403, (path, r.text)
        r = await client.request(method, path)
        assert r.status_code == 401, path
    r = await client.patch("/miniapp/v1/me/card", json={"bio": "x"}, headers=s["headers"])
    assert r.status_code == 403
    r = await client.get("/miniapp/v1/deals/1", headers=s["headers"])
    assert r.status_code == 403


async def test_old_sessions_are_pruned_by_the_worker_job(client, factory, pool):
    from backend.services.cards.jobs import prune_sessions

    tenant, _ = await factory.tenant()
    old = await sign_in(client, tenant.slug)
    revoked = await sign_in(client, tenant.slug)
    await client.delete("/miniapp/v1/session", headers=revoked["headers"])
    clock.set_now(clock.now() + dt.timedelta(days=38))  # old expired 31 days ago; revoked 38 days ago
    fresh = await sign_in(client, tenant.slug)
    assert await prune_sessions(pool) >= 2
    async with pool.acquire() as conn:
        left = await conn.fetchval("SELECT count(*) FROM miniapp_sessions WHERE tenant_id = $1", tenant.tenant_id)
    assert left == 1
    assert (await client.get("/miniapp/v1/me", headers=fresh["headers"])).status_code == 200
    assert (await client.get("/miniapp/v1/me", headers=old["headers"])).status_code == 401


def test_cards_cli_prunes_sessions(database_url):
    from click.testing import CliRunner

    from backend.cli import main

    result = CliRunner().invoke(main, ["cards", "prune-sessions"])
    assert result.exit_code == 0, result.output
    assert "old sessions" in result.output

"""Bind codes cannot be guessed (issue 11 #2): attempts are limited per session, per IP and per
tenant; a new code revokes the older one; the rep hears of every bind; the identity bound
before is signed out with a 401, not silently turned into a customer."""

from __future__ import annotations

from backend.services import binding, outbox
from tests.integration.miniapp_support import bearer, sign_in


async def _guess(client, session, code: str) -> int:
    r = await client.post("/miniapp/v1/me/bind", json={"code": code}, headers=session["headers"])
    return r.status_code


async def test_guessing_from_one_session_gets_429_within_a_handful_of_tries(client, factory, pool):
    tenant, _ = await factory.tenant()
    actor = await factory.user(tenant.tenant_id, name="王强")
    async with pool.acquire() as conn:
        code, _ = await binding.issue_code(conn, actor)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    s = await sign_in(client, tenant.slug)
    statuses = [await _guess(client, s, wrong) for _ in range(8)]
    assert statuses[0] == 400 and 429 in statuses[:6], statuses
    # Even the right code is refused while the session is over its budget.
    assert await _guess(client, s, code) == 429


async def test_fresh_sessions_do_not_reset_the_budget(client, factory, pool):
    tenant, _ = await factory.tenant()
    actor = await factory.user(tenant.tenant_id, name="王强")
    async with pool.acquire() as conn:
        code, _ = await binding.issue_code(conn, actor)
    wrong = f"{(int(code) + 7) % 10**6:06d}"
    statuses = []
    for _ in range(15):  # a fresh session (and so a fresh per-session budget) for every guess
        statuses.append(await _guess(client, await sign_in(client, tenant.slug), wrong))
    assert statuses.count(400) <= 10 and statuses[-1] == 429, statuses


async def test_a_new_code_revokes_the_older_one(client, factory, pool):
    tenant, _ = await factory.tenant()
    actor = await factory.user(tenant.tenant_id, name="王强")
    async with pool.acquire() as conn:
        old, _ = await binding.issue_code(conn, actor)
        new, _ = await binding.issue_code(conn, actor)
    s = await sign_in(client, tenant.slug)
    if old != new:
        assert await _guess(client, s, old) == 400
    assert await _guess(client, s, new) == 200


async def test_the_rep_is_alerted_and_the_previous_identity_signed_out(client, factory, pool, fake_wechat):
    tenant, _ = await factory.tenant()
    actor = await factory.user(tenant.tenant_id, name="王强", wecom_userid="wangqiang")
    real = await sign_in(client, tenant.slug)
    async with pool.acquire() as conn:
        code, _ = await binding.issue_code(conn, actor)
    assert await _guess(client, real, code) == 200
    assert (await client.get("/miniapp/v1/me", headers=real["headers"])).json()["role"] == "rep"
    # Someone else binds the rep's identity with a later code.
    other = await sign_in(client, tenant.slug)
    async with pool.acquire() as conn:
        code2, _ = await binding.issue_code(conn, actor)
    assert await _guess(client, other, code2) == 200
    r = await client.get("/miniapp/v1/me", headers=real["headers"])
    assert r.status_code == 401, "the real rep's session is signed out, not silently a customer's"
    await outbox.deliver_until_idle(pool, tenant_id=tenant.tenant_id)
    alerts = [m["text"]["content"] for m in fake_wechat.sent("wangqiang")]
    assert len(alerts) == 2 and all("绑定" in a and "联系管理员" in a for a in alerts)
    assert "之前绑定的微信已退出登录" in alerts[1]

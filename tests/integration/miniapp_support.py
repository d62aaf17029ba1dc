"""Helpers for the mini-program and card tests: sign in through the fake WeChat, bind a rep."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from backend.services import binding, outbox
from schemas.users import Actor


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def person() -> str:
    """A fresh WeChat user: log in with f"{person}#1", f"{person}#2" … (same openid each time)."""
    return "p" + secrets.token_hex(5)


async def sign_in(client: httpx.AsyncClient, slug: str, who: str | None = None, n: int = 1) -> dict[str, Any]:
    who = who or person()
    r = await client.post("/miniapp/v1/session", json={"tenant": slug, "code": f"{who}#{n}"})
    assert r.status_code == 201, r.text
    body = r.json()
    body["headers"] = bearer(body["token"])
    body["who"] = who
    return body


async def bound_rep(client: httpx.AsyncClient, pool, factory, tenant, name: str = "张伟", role: str = "rep",
                    team: str | None = "华东一组", **kw: Any) -> tuple[Actor, dict[str, Any]]:
    """A user of the tenant who signed in to the mini-program and bound it with the bot's code."""
    actor = await factory.user(tenant.tenant_id, name=name, role=role, team=team, **kw)
    session = await sign_in(client, tenant.slug)
    async with pool.acquire() as conn:
        code, _ = await binding.issue_code(conn, actor)
    r = await client.post("/miniapp/v1/me/bind", json={"code": code}, headers=session["headers"])
    assert r.status_code == 200, r.text
    assert r.json()["role"] == role
    await forget_bind_alerts(pool, tenant.tenant_id)
    return actor, session


async def forget_bind_alerts(pool, tenant_id: int) -> None:
    """Deliver the "your identity was bound" alerts of a set-up bind, and leave them out of what
    the fake WeChat reports, so a test counts only the messages it is about."""
    from tests.conftest import _FAKE

    await outbox.deliver_until_idle(pool, tenant_id=tenant_id)
    _FAKE.forget(lambda body: "绑定" in str(body.get("text", {}).get("content", "")))


async def card_of(client: httpx.AsyncClient, rep_session: dict[str, Any]) -> dict[str, Any]:
    r = await client.get("/miniapp/v1/me/card", headers=rep_session["headers"])
    assert r.status_code == 200, r.text
    return r.json()

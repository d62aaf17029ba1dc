"""Binding a rep's mini-program identity: the bot issues a 6-digit code, the mini-program redeems it.

Guessing is hopeless by construction (the arithmetic is in the README, "Binding a rep"): a new
code revokes the rep's older ones, so a rep has at most one live code, for 10 minutes; every
redemption counts against limits per session, per IP and per tenant (``ratelimit``, in
PostgreSQL, so across processes) before the code is even looked at; and a successful bind tells
the rep in WeChat Work at once, and signs out the WeChat identity they were bound to before
(its sessions get a 401 that says so, instead of silently turning into a customer's).
"""

from __future__ import annotations

import datetime as dt
import secrets

import asyncpg

from backend import clock
from backend.db.queries import queries
from backend.errors import Invalid
from backend.services import outbox, tenants
from backend.services.cards import ratelimit
from schemas.outbox import TextMessage
from schemas.users import Actor

CODE_TTL = dt.timedelta(minutes=10)


async def issue_code(conn: asyncpg.Connection, actor: Actor) -> tuple[str, dt.datetime]:
    """A fresh one-time 6-digit code for ``actor``, valid for 10 minutes."""
    now = clock.now()
    expires = now + CODE_TTL
    for _ in range(20):
        code = f"{secrets.randbelow(10**6):06d}"
        await queries.bind_code_revoke_others(conn, tenant_id=actor.tenant_id, user_id=actor.user_id, code=code)
        await queries.bind_code_insert(conn, tenant_id=actor.tenant_id, code=code, user_id=actor.user_id, expires_at=expires,
                                       now=now)
        if await queries.bind_code_owner(conn, tenant_id=actor.tenant_id, code=code) == actor.user_id:
            return code, expires
    raise Invalid("could not find a free code; try again")


async def throttle(conn: asyncpg.Connection, tenant_id: int, *, who: str, ip: str | None) -> None:
    """Count one redemption attempt per caller (a session or an Official Account follower), per IP
    and per tenant; RateLimited (429) when any is over its budget. Outside any transaction: a
    wrong code's attempt must stay counted."""
    await ratelimit.hit(conn, tenant_id, "bind", ip=ip, session=who, tenant=True)


async def redeem_code(
    conn: asyncpg.Connection, tenant_id: int, code: str, openid: str, *, who: str, ip: str | None = None
) -> Actor:
    """Bind ``openid`` to the rep who got ``code``; the code works once, within its 10 minutes."""
    await throttle(conn, tenant_id, who=who, ip=ip)
    code = (code or "").strip()
    if not (len(code) == 6 and code.isdigit()):
        raise Invalid("the code is the 6 digits the bot sent you", field="code")
    now = clock.now()
    async with conn.transaction():
        user_id = await queries.bind_code_take(conn, tenant_id=tenant_id, code=code, now=now)
        if user_id is None:
            raise Invalid("this code is wrong, used or expired; send 绑定 to the bot for a new one", field="code")
        previous = await queries.user_miniapp_openid(conn, tenant_id=tenant_id, user_id=user_id)
        await queries.unbind_openid(conn, tenant_id=tenant_id, openid=openid, user_id=user_id)
        await queries.bind_user_openid(conn, tenant_id=tenant_id, user_id=user_id, openid=openid)
        if previous and previous != openid:
            # The identity bound before is signed out (a 401 on its next request), not demoted in silence.
            await queries.sessions_revoke_openid(conn, tenant_id=tenant_id, openid=previous, now=now)
        actor = await tenants.actor_for_user(conn, tenant_id, user_id)
        if actor.wecom_userid:
            await outbox.enqueue(
                conn, tenant_id, actor.wecom_userid, TextMessage(content=alert_text(actor, now, replaced=bool(previous))),
                f"bind-alert:{user_id}:{code}:{int(now.timestamp())}",
            )
    return actor


def alert_text(actor: Actor, at: dt.datetime, *, replaced: bool) -> str:
    when = at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%m-%d %H:%M")
    if actor.lang == "en":
        text = f"Your tuoke identity was just bound to a WeChat account in the mini-program ({when})."
        if replaced:
            text += " The WeChat bound before was signed out."
        return text + " If this was not you, tell your administrator now."
    text = f"你的拓客身份刚刚在小程序中绑定了一个微信（{when}）。"
    if replaced:
        text += "之前绑定的微信已退出登录。"
    return text + "如果不是你本人操作，请立即联系管理员。"

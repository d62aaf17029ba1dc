"""Binding a rep's mini-program identity: the bot issues a 6-digit code, the mini-program redeems it."""

from __future__ import annotations

import datetime as dt
import secrets

import asyncpg

from backend import clock
from backend.db.queries import queries
from backend.errors import Invalid
from backend.services import tenants
from schemas.users import Actor

CODE_TTL = dt.timedelta(minutes=10)


async def issue_code(conn: asyncpg.Connection, actor: Actor) -> tuple[str, dt.datetime]:
    """A fresh one-time 6-digit code for ``actor``, valid for 10 minutes."""
    now = clock.now()
    expires = now + CODE_TTL
    for _ in range(20):
        code = f"{secrets.randbelow(10**6):06d}"
        await queries.bind_code_insert(conn, tenant_id=actor.tenant_id, code=code, user_id=actor.user_id, expires_at=expires,
                                       now=now)
        if await queries.bind_code_owner(conn, tenant_id=actor.tenant_id, code=code) == actor.user_id:
            return code, expires
    raise Invalid("could not find a free code; try again")


async def redeem_code(conn: asyncpg.Connection, tenant_id: int, code: str, openid: str) -> Actor:
    """Bind ``openid`` to the rep who got ``code``; the code works once, within its 10 minutes."""
    code = (code or "").strip()
    if not (len(code) == 6 and code.isdigit()):
        raise Invalid("the code is the 6 digits the bot sent you", field="code")
    async with conn.transaction():
        user_id = await queries.bind_code_take(conn, tenant_id=tenant_id, code=code, now=clock.now())
        if user_id is None:
            raise Invalid("this code is wrong, used or expired; send 绑定 to the bot for a new one", field="code")
        await queries.unbind_openid(conn, tenant_id=tenant_id, openid=openid, user_id=user_id)
        await queries.bind_user_openid(conn, tenant_id=tenant_id, user_id=user_id, openid=openid)
    return await tenants.actor_for_user(conn, tenant_id, user_id)

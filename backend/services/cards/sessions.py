"""Mini-program sessions: ``wx.login`` code → WeChat ``jscode2session`` → an opaque token.

The token is ``<tenant_id>.<random>``: the tenant part routes the lookup (every query stays
tenant-scoped), the random part is the secret; only its SHA-256 is stored. Sessions expire after
``SESSION_TTL`` and can be revoked (logout). The person is a customer (a visitor of the tenant's
cards) and, when a rep has bound this openid (``me/bind``), that rep too, from the next request on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import asyncpg
import msgspec

from backend import clock, wechat_api
from backend.db.queries import queries
from backend.errors import Invalid, Unauthorized, UpstreamError
from backend.services import binding, tenants
from backend.services.cards import ratelimit, visitors
from schemas.miniapp import Me, SessionCreated
from schemas.users import Actor

SESSION_TTL = dt.timedelta(days=7)
# jscode2session errcodes that mean "this code is no good" (not "WeChat is down").
BAD_CODE_ERRORS = {40029, 40163, 40226}


class MiniSession(msgspec.Struct, frozen=True, kw_only=True):
    tenant_id: int
    session_id: int
    openid: str
    visitor_id: int
    contact_id: int | None
    actor: Actor | None  # the tenant's user whose mini-program openid this is

    @property
    def viewer(self) -> visitors.Viewer:
        return visitors.Viewer(
            tenant_id=self.tenant_id, visitor_id=self.visitor_id, contact_id=self.contact_id,
            user_id=self.actor.user_id if self.actor else None, openid=self.openid,
        )

    @property
    def me(self) -> Me:
        if self.actor is None:
            return Me(role="customer", visitor_id=self.visitor_id)
        return Me(role=self.actor.role, visitor_id=self.visitor_id, user_id=self.actor.user_id,
                  name=self.actor.name, team_id=self.actor.team_id)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def login(conn: asyncpg.Connection, tenant_slug: str, code: str, *, ip: str | None = None) -> SessionCreated:
    tenant = await tenants.tenant_by_slug(conn, tenant_slug)
    await ratelimit.hit(conn, tenant.tenant_id, "login", ip=ip)
    if not tenant.miniapp.appid or not tenant.miniapp.secret:
        raise Invalid(f"tenant {tenant_slug!r} has no mini-program configured", field="tenant")
    try:
        data = await wechat_api.jscode2session(tenant.miniapp, code)
    except UpstreamError as exc:
        if exc.code in BAD_CODE_ERRORS:
            raise Unauthorized("this wx.login code is invalid or used; call wx.login again", field="code") from None
        raise
    openid = data["openid"]
    now = clock.now()
    token = f"{tenant.tenant_id}.{secrets.token_urlsafe(32)}"
    async with conn.transaction():
        viewer = await visitors.for_openid(conn, tenant.tenant_id, openid)
        await queries.cards_session_insert(
            conn, tenant_id=tenant.tenant_id, token_hash=hash_token(token), openid=openid,
            visitor_id=viewer.visitor_id, now=now, expires_at=now + SESSION_TTL,
        )
    session = await resolve(conn, token)
    if session is None:  # cannot happen: the row was just written
        raise Unauthorized("the session could not be read back")
    return SessionCreated(token=token, expires_at=now + SESSION_TTL, me=session.me)


def token_parts(token: str) -> tuple[int, str] | None:
    """(tenant id, hash) of a well-formed token; None for anything else."""
    tenant_part, dot, secret = token.partition(".")
    if not dot or not tenant_part.isdigit() or len(tenant_part) > 18 or not 20 <= len(secret) <= 100:
        return None
    return int(tenant_part), hash_token(token)


async def resolve(conn: asyncpg.Connection, token: str) -> MiniSession | None:
    """The live session for ``token``; None when unknown, expired or revoked."""
    parts = token_parts(token)
    if parts is None:
        return None
    tenant_id, token_hash = parts
    row = await queries.cards_session_get(conn, tenant_id=tenant_id, token_hash=token_hash, now=clock.now())
    if row is None:
        return None
    actor = None
    if row["user_id"] is not None:
        actor = Actor(
            tenant_id=tenant_id, user_id=row["user_id"], role=row["role"], team_id=row["team_id"],
            name=row["name"], lang=row["lang"], wecom_userid=row["wecom_userid"],
        )
    return MiniSession(
        tenant_id=tenant_id, session_id=row["session_id"], openid=row["openid"], visitor_id=row["visitor_id"],
        contact_id=row["contact_id"], actor=actor,
    )


async def revoke(conn: asyncpg.Connection, session: MiniSession) -> None:
    await queries.cards_session_revoke(
        conn, tenant_id=session.tenant_id, session_id=session.session_id, now=clock.now()
    )


async def bind(conn: asyncpg.Connection, session: MiniSession, code: str, *, ip: str | None = None) -> Me:
    """Bind this session's openid to the rep who got ``code`` from the bot (绑定)."""
    actor = await binding.redeem_code(conn, session.tenant_id, code, session.openid,
                                      who=f"s{session.session_id}", ip=ip)
    return Me(role=actor.role, visitor_id=session.visitor_id, user_id=actor.user_id, name=actor.name,
              team_id=actor.team_id)

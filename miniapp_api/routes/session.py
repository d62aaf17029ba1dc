"""Signing in (``wx.login`` code → session token), signing out, who am I, binding a rep."""

from __future__ import annotations

import asyncpg
from litestar import Controller, delete, get, post

from backend.services.cards import sessions
from backend.services.cards.sessions import MiniSession
from miniapp_api.guards import PUBLIC
from schemas.miniapp import BindRequest, Me, SessionCreate, SessionCreated


class SessionController(Controller):
    path = "/miniapp/v1/session"
    tags = ["mini-program: session"]

    @post("/", operation_id="miniappSignIn", opt={"access": PUBLIC})
    async def create(self, data: SessionCreate, db: asyncpg.Connection, client_ip: str) -> SessionCreated:
        """Exchange a ``wx.login`` code for a session token (7 days; send it as ``Authorization: Bearer``).

        The same WeChat user (openid) on the same tenant is always the same customer; a rep who
        bound their openid is recognised as that rep.
        """
        return await sessions.login(db, data.tenant, data.code, ip=client_ip)

    @delete("/", operation_id="miniappSignOut")
    async def revoke(self, session: MiniSession, db: asyncpg.Connection) -> None:
        """Revoke this session token (sign out)."""
        await sessions.revoke(db, session)


class MeController(Controller):
    path = "/miniapp/v1/me"
    tags = ["mini-program: session"]

    @get("/", operation_id="miniappMe")
    async def me(self, session: MiniSession) -> Me:
        """Who this session is: a customer, or a rep / manager / admin of the tenant."""
        return session.me

    @post("/bind", operation_id="miniappBind", status_code=200)
    async def bind(self, data: BindRequest, session: MiniSession, db: asyncpg.Connection, client_ip: str) -> Me:
        """Bind this WeChat identity to the rep who got this 6-digit code from the bot (绑定).

        Attempts are limited per session, per IP and per tenant (429 past the budget); the rep
        is told in WeChat Work, and the WeChat identity they were bound to before is signed out.
        """
        return await sessions.bind(db, session, data.code, ip=client_ip)

"""Who is calling the mini-program API: session-token auth, then customer vs rep vs manager.

Handlers declare what they need as a dependency: ``session`` (any signed-in person),
``maybe_session`` (optional: public card routes), ``rep`` (a tenant user, i.e. a rep, manager or
admin who bound their mini-program identity) or ``manager`` (manager or admin). Each raises the
domain's Unauthorized (401) or Forbidden (403), which ``backend.core`` maps to JSON.
"""

from __future__ import annotations

import asyncpg
from litestar import Request
from litestar.di import Provide

from backend.errors import Forbidden, Unauthorized
from backend.services.cards.sessions import MiniSession, resolve
from schemas.users import Actor

SIGN_IN = "sign in first: POST /miniapp/v1/session with your wx.login code"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def provide_maybe_session(request: Request, db: asyncpg.Connection) -> MiniSession | None:
    """The caller's session, None when they sent none; a bad or expired token is still a 401."""
    token = bearer_token(request)
    if token is None:
        return None
    session = await resolve(db, token)
    if session is None:
        raise Unauthorized("this session is unknown, expired or revoked; " + SIGN_IN)
    return session


async def provide_session(request: Request, db: asyncpg.Connection) -> MiniSession:
    session = await provide_maybe_session(request, db)
    if session is None:
        raise Unauthorized(SIGN_IN)
    return session


async def provide_rep(session: MiniSession) -> Actor:
    """A tenant user (rep, manager, admin) whose mini-program identity is bound; customers get 403."""
    if session.actor is None:
        raise Forbidden("this is for the company's reps: send 绑定 to the bot and enter the code in 我的 → 绑定")
    return session.actor


async def provide_manager(rep: Actor) -> Actor:
    if rep.role not in ("manager", "admin"):
        raise Forbidden("the team view is for managers")
    return rep


async def provide_client_ip(request: Request) -> str:
    return client_ip(request)


def client_ip(request: Request) -> str:
    """The client's IP. Behind proxies listed in TUOKE_TRUSTED_PROXIES (or ``tuoke serve
    --proxy-headers``) the proxy headers were already read into the request's client address
    (uvicorn's ProxyHeadersMiddleware: the right-most X-Forwarded-For address that is not a proxy)."""
    return request.client.host if request.client else "unknown"


DEPENDENCIES = {
    "maybe_session": Provide(provide_maybe_session),
    "session": Provide(provide_session),
    "rep": Provide(provide_rep),
    "manager": Provide(provide_manager),
    "client_ip": Provide(provide_client_ip),
}

"""Who is calling the mini-program API: session-token auth, then customer vs rep vs manager.

Access is declared per controller (or handler) as ``opt={"access": PUBLIC | SESSION | REP |
MANAGER}`` and enforced by the router's guard ``require_access`` before any handler runs; the
default is SESSION, so nothing is public unless it says so. Handlers get who is calling as a
dependency: ``session`` (any signed-in person), ``maybe_session`` (public card routes), ``rep`` (a
tenant user, i.e. a rep, manager or admin who bound their mini-program identity) or ``manager``
(manager or admin). Each raises the domain's Unauthorized (401) or Forbidden (403), which
``backend.core`` maps to JSON.
"""

from __future__ import annotations

from litestar import Request, get
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.handlers import BaseRouteHandler

from backend.errors import Forbidden, Unauthorized
from backend.services.cards.sessions import MiniSession, resolve
from schemas.users import Actor

SIGN_IN = "sign in first: POST /miniapp/v1/session with your wx.login code"


def bearer_token(request: ASGIConnection) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


# What a route needs, set as ``opt={"access": …}`` on a controller or a handler. The mini-program
# router's guard (``require_access``) applies it to every route; a route that says nothing needs
# a signed-in session, so a new handler is never public by accident.
PUBLIC, SESSION, REP, MANAGER = "public", "session", "rep", "manager"
REP_ONLY = "this is for the company's reps: send 绑定 to the bot and enter the code in 我的 → 绑定"


async def _resolve(connection: ASGIConnection) -> MiniSession | None:
    """The caller's session (cached in the request's state), None when they sent none; a bad or
    expired token is a 401."""
    if "mini_session" in connection.state:
        return connection.state.mini_session
    token = bearer_token(connection)
    session = None
    if token is not None:
        async with connection.app.state.pool.acquire() as db:
            session = await resolve(db, token)
        if session is None:
            raise Unauthorized("this session is unknown, expired or revoked; " + SIGN_IN)
    connection.state.mini_session = session
    return session


async def require_access(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """The mini-program router's guard: the access the route declares (default: a session)."""
    access = handler.opt.get("access", SESSION)
    if access == PUBLIC:
        return
    session = await _resolve(connection)
    if session is None:
        raise Unauthorized(SIGN_IN)
    if access in (REP, MANAGER) and session.actor is None:
        raise Forbidden(REP_ONLY)
    if access == MANAGER and session.actor.role not in ("manager", "admin"):
        raise Forbidden("the team view is for managers")


class hot_get(get):
    """``@get`` for a route on the hot path (a card open): its guards get the handler itself.
    Litestar hands every guard a fresh copy of the handler on every request (about 16 µs: the
    handler has some sixty slots); ``require_access`` only reads ``handler.opt``."""

    async def authorize_connection(self, connection: ASGIConnection) -> None:
        for guard in self.resolve_guards():
            await guard(connection, self)


async def provide_maybe_session(request: Request) -> MiniSession | None:
    """The caller's session on a public route, None when they sent none (a bad token is a 401)."""
    return await _resolve(request)


async def provide_session(request: Request) -> MiniSession:
    session = await _resolve(request)
    if session is None:
        raise Unauthorized(SIGN_IN)
    return session


async def provide_rep(session: MiniSession) -> Actor:
    """A tenant user (rep, manager, admin) whose mini-program identity is bound; customers get 403."""
    if session.actor is None:
        raise Forbidden(REP_ONLY)
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

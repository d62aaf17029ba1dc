"""Admin authentication: the global ``TUOKE_ADMIN_TOKEN`` (every tenant) or a tenant's API token.

``require_admin`` is the guard of the whole admin router (``backend.admin``): every handler under
it, present or future, needs a good token, and a route naming a tenant (``{slug}``) needs a token
that administers that tenant — checked before any handler runs. The guard keeps what it found in
the request's state; the ``admin`` and ``tenant`` dependencies hand it to the handlers.
"""

from __future__ import annotations

import hmac

import asyncpg
import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from backend.errors import Forbidden, NotFound, Unauthorized
from backend.services import tenants
from backend.settings import get_settings
from schemas.tenants import Tenant


class AdminScope(msgspec.Struct, frozen=True):
    """``tenant_id`` None: the global admin; else the one tenant this token administers."""

    tenant_id: int | None

    @property
    def is_global(self) -> bool:
        return self.tenant_id is None


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send Authorization: Bearer <admin token>")
    return token.strip()


async def _scope(request: ASGIConnection, db: asyncpg.Connection) -> AdminScope:
    token = _bearer(request)
    admin_token = get_settings().admin_token
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return AdminScope(tenant_id=None)
    tenant_id = await tenants.tenant_for_token(db, token)
    if tenant_id is None:
        raise Unauthorized("unknown or revoked admin token")
    return AdminScope(tenant_id=tenant_id)


async def _tenant(slug: str, admin: AdminScope, db: asyncpg.Connection) -> Tenant:
    """The tenant named in the path, when this token may administer it (else 404, leaking nothing)."""
    try:
        tenant = await tenants.tenant_by_slug(db, slug)
    except NotFound:
        raise NotFound(f"no tenant {slug!r}") from None
    if not admin.is_global and admin.tenant_id != tenant.tenant_id:
        raise NotFound(f"no tenant {slug!r}")
    return tenant


async def require_admin(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """The admin router's guard: a good token, and the right to the tenant the path names."""
    async with connection.app.state.pool.acquire() as db:
        scope = await _scope(connection, db)
        connection.state.admin_scope = scope
        slug = connection.path_params.get("slug")
        if slug is not None:
            connection.state.admin_tenant = await _tenant(slug, scope, db)


async def provide_admin_scope(request: Request) -> AdminScope:
    return request.state.admin_scope


async def provide_tenant(request: Request) -> Tenant:
    tenant = request.state.get("admin_tenant")
    if tenant is None:  # a handler without {slug} asked for a tenant: a programming error, loudly
        raise RuntimeError("the tenant dependency needs a {slug} path parameter")
    return tenant


def require_global(admin: AdminScope) -> None:
    if not admin.is_global:
        raise Forbidden("only the global admin token may do this")

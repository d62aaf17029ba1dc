"""Who is looking at a card: a mini-program customer (by openid) or an H5 browser (by an
anonymous key kept in a cookie), and, once they say who they are, a CRM contact."""

from __future__ import annotations

import secrets

import asyncpg
import msgspec

from backend import clock
from backend.db.queries import queries

ANON_KEY_BYTES = 16


class Viewer(msgspec.Struct, frozen=True, kw_only=True):
    """The customer behind a request, within one tenant.

    ``user_id`` is set when the person is one of the tenant's users (a rep looking at cards):
    their own card's opens are not recorded.
    """

    tenant_id: int
    visitor_id: int
    contact_id: int | None = None
    user_id: int | None = None
    openid: str | None = None


def new_anon_key() -> str:
    return secrets.token_urlsafe(ANON_KEY_BYTES)


def valid_anon_key(value: str | None) -> bool:
    return bool(value) and 16 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


async def for_openid(conn: asyncpg.Connection, tenant_id: int, openid: str) -> Viewer:
    """The customer with this openid on this tenant (the same openid is always the same customer)."""
    row = await queries.cards_visitor_upsert_openid(conn, tenant_id=tenant_id, openid=openid, now=clock.now())
    return Viewer(tenant_id=tenant_id, visitor_id=row["visitor_id"], contact_id=row["contact_id"], openid=openid)


async def for_anon_key(conn: asyncpg.Connection, tenant_id: int, anon_key: str) -> Viewer:
    """The H5 visitor with this browser key on this tenant."""
    row = await queries.cards_visitor_upsert_anon(conn, tenant_id=tenant_id, anon_key=anon_key, now=clock.now())
    return Viewer(tenant_id=tenant_id, visitor_id=row["visitor_id"], contact_id=row["contact_id"])

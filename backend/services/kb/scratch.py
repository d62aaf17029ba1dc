"""A scratch database and tenant for the retrieval evaluation and benchmark (dropped afterwards)."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator

import asyncpg

from backend.db import embedded, migrate, pool as db_pool
from backend.settings import get_settings
from schemas.tenants import Tenant, TenantCreate


@contextlib.asynccontextmanager
async def scratch_database(prefix: str) -> AsyncIterator[asyncpg.Connection]:
    """A fresh, migrated database on the configured server (the embedded one unless DATABASE_URL
    is set), with one connection to it; dropped on the way out, whatever happens."""
    settings = get_settings()
    server = embedded.resolve_database_url(settings.database_url, settings.data_dir)
    url = embedded.with_database(server, f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}")
    await embedded.ensure_database(url)
    conn = None
    try:
        await migrate.migrate_url(url)
        conn = await db_pool.connect(url)
        yield conn
    finally:
        if conn is not None:
            await conn.close()
        await embedded.drop_database(url)


async def scratch_tenant(conn: asyncpg.Connection, slug: str = "kb-scratch") -> Tenant:
    from backend.services import tenants

    created = await tenants.create_tenant(conn, TenantCreate(slug=slug, name=slug))
    return created.tenant

"""Migrations from empty, twice, and from two processes at once."""

from __future__ import annotations

import asyncio
import secrets

import asyncpg

from backend.db import embedded
from backend.db.migrate import load_migrations, migrate_url


async def test_migrations_apply_from_empty_once_even_concurrently(database_url):
    url = embedded.with_database(database_url, f"tuoke_mig_{secrets.token_hex(4)}")
    await embedded.ensure_database(url)
    try:
        results = await asyncio.gather(migrate_url(url), migrate_url(url), migrate_url(url))
        applied = sorted(len(r) for r in results)
        assert applied == [0, 0, len(load_migrations())], "exactly one run applies, the others wait and find nothing"
        assert await migrate_url(url) == []
        conn = await asyncpg.connect(url)
        try:
            versions = [r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations ORDER BY 1")]
            assert versions == [m.version for m in load_migrations()]
            # Every table's primary key starts with tenant_id (tenants' own key is the tenant id).
            rows = await conn.fetch(
                """SELECT c.relname AS table, a.attname AS first_col
                   FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                   JOIN pg_namespace n ON n.oid = c.relnamespace
                   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
                   WHERE i.indisprimary AND n.nspname = 'public' AND c.relname <> 'schema_migrations'"""
            )
            assert rows and all(r["first_col"] == "tenant_id" for r in rows), [tuple(r) for r in rows if r["first_col"] != "tenant_id"]
        finally:
            await conn.close()
    finally:
        await embedded.drop_database(url)

"""The asyncpg pool: JSON codecs through msgspec, pgvector's codec, one connection per request."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec


# Every session's HNSW search settings, which the knowledge base's dense queries rely on
# (backend/services/kb/store.py): pgvector's default ef_search 40 misses neighbours (100 costs ~2.5 ms a
# scan at 20k chunks), and iterative scans keep a small tenant's results complete among large ones.
# Session defaults set once here, so a dense query is one round trip (SET LOCAL took three more).
HNSW_SETTINGS = "SET hnsw.ef_search = 100; SET hnsw.iterative_scan = relaxed_order"


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(
            typename,
            encoder=lambda v: msgspec.json.encode(v).decode(),
            decoder=msgspec.json.decode,
            schema="pg_catalog",
        )
    has_vector = await conn.fetchval("SELECT 1 FROM pg_type WHERE typname = 'vector'")
    if has_vector:
        from pgvector.asyncpg import register_vector

        await register_vector(conn)
        await conn.execute(HNSW_SETTINGS)


async def _release(conn: asyncpg.Connection) -> None:
    """What a connection needs on its way back to the pool: nothing more than asyncpg already does
    (roll back a transaction left open). The service keeps no session state on pooled connections
    beyond what ``_init_connection`` sets for every one (the HNSW search settings) — other settings
    are ``SET LOCAL``, advisory locks are ``_xact`` locks, nothing LISTENs — so the default
    reset query (``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``), a round trip on
    every request, is not needed."""


async def create_pool(url: str, *, min_size: int = 2, max_size: int = 10, **kwargs: Any) -> asyncpg.Pool:
    kwargs.setdefault("reset", _release)
    return await asyncpg.create_pool(
        url, min_size=min_size, max_size=max_size, init=_init_connection, **kwargs
    )


async def connect(url: str) -> asyncpg.Connection:
    """A single connection with the same codecs as the pool's."""
    conn = await asyncpg.connect(url)
    await _init_connection(conn)
    return conn

"""All named SQL of the service, loaded once from ``sql/*.sql`` (aiosql, asyncpg driver).

Each query takes the connection first so that the caller owns the transaction:
``await queries.deal_get(conn, tenant_id=1, deal_id=2)``. Query names are unique across files;
each file holds one area (``deals.sql``, ``outbox.sql`` …). Multi-row selects return a list
(aiosql gives an async generator; every caller here wants the rows).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Callable

import aiosql

SQL_DIR = Path(__file__).parent / "sql"


class _Queries:
    def __init__(self, loaded: Any) -> None:
        self._loaded = loaded
        self._cache: dict[str, Callable[..., Any]] = {}

    def __getattr__(self, name: str) -> Callable[..., Any]:
        try:
            return self._cache[name]
        except KeyError:
            pass
        fn = getattr(self._loaded, name)
        if inspect.isasyncgenfunction(fn):
            gen = fn

            async def fetch_all(conn: Any, **params: Any) -> list[Any]:
                return [row async for row in gen(conn, **params)]

            fetch_all.__name__ = name
            fn = fetch_all
        self._cache[name] = fn
        return fn

    def direct(self, name: str) -> Callable[..., Any]:
        """A ``^`` (one row) query called straight on an asyncpg connection: the same SQL and
        parameters, without aiosql's per-call work (it looks the connection's attributes up with
        ``dir()`` to tell a pool from a connection). For the few statements on a hot path; the
        connection must be a connection, not a pool."""
        sql = getattr(self._loaded, name).sql
        order = tuple(self._loaded.driver_adapter.var_sorted[name])

        async def fetchrow(conn: Any, **params: Any) -> Any:
            return await conn.fetchrow(sql, *[params[key] for key in order])

        fetchrow.__name__ = name
        return fetchrow

    @property
    def available_queries(self) -> list[str]:
        return self._loaded.available_queries


queries: Any = _Queries(aiosql.from_path(SQL_DIR, "asyncpg", mandatory_parameters=False))

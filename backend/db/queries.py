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
from aiosql.types import SQLOperationType

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
        fn = self._fast(name, fn)
        self._cache[name] = fn
        return fn

    def _fast(self, name: str, slow: Callable[..., Any]) -> Callable[..., Any]:
        """The query called straight on the connection, as aiosql's asyncpg adapter would call it (the
        same SQL, the parameters in the same order, the same asyncpg method and result), without its
        per-call work: a ``dir()`` of the connection to tell a pool from a connection, an async
        generator per select, three layers of calls. A pool, positional parameters (which aiosql
        refuses) or a query with attribute parameters take aiosql's own path, unchanged."""
        loaded = getattr(self._loaded, name)
        op = getattr(loaded, "operation", None)
        if getattr(loaded, "attributes", None) or op not in _FAST_OPS:
            return slow
        sql = loaded.sql
        order = tuple(self._loaded.driver_adapter.var_sorted[name])
        method = _FAST_OPS[op]

        async def call(conn: Any, *args: Any, **params: Any) -> Any:
            if args or _acquires(type(conn), conn):
                return await slow(conn, *args, **params)
            result = await getattr(conn, method)(sql, *[params[key] for key in order])
            if op is _INSERT_RETURNING and result:
                return result[0] if len(result) == 1 else result
            return None if op is _INSERT_RETURNING else result

        call.__name__ = name
        call.sql = sql  # type: ignore[attr-defined]  # as aiosql's functions carry it
        return call

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


_OPS = SQLOperationType
_INSERT_RETURNING = _OPS.INSERT_RETURNING
_FAST_OPS = {_OPS.SELECT: "fetch", _OPS.SELECT_ONE: "fetchrow", _OPS.SELECT_VALUE: "fetchval",
             _OPS.INSERT_UPDATE_DELETE: "execute", _OPS.INSERT_RETURNING: "fetchrow"}
_POOL_TYPES: dict[type, bool] = {}


def _acquires(kind: type, conn: Any) -> bool:
    """aiosql's test for a pool (it acquires a connection from anything with ``acquire``), once a type."""
    try:
        return _POOL_TYPES[kind]
    except KeyError:
        _POOL_TYPES[kind] = found = "acquire" in dir(conn)
        return found


queries: Any = _Queries(aiosql.from_path(SQL_DIR, "asyncpg", mandatory_parameters=False))

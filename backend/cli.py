"""The ``tuoke`` command: serve, worker, migrate, demo, tenant / user admin, and area groups."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Any, Awaitable, Callable

import click
import msgspec

from backend.settings import get_settings



def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)


async def migrated_url() -> str:
    """The configured database (embedded unless DATABASE_URL), created and migrated if need be."""
    from backend.db import embedded, migrate

    settings = get_settings()
    url = embedded.resolve_database_url(settings.database_url, settings.data_dir)
    await embedded.ensure_database(url)
    await migrate.migrate_url(url)
    return url


async def with_conn(fn: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run ``fn(conn)`` against the configured database (migrated first)."""
    from backend.db import pool

    conn = await pool.connect(await migrated_url())
    try:
        return await fn(conn)
    finally:
        await conn.close()


async def with_pool(fn: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run ``fn(pool)`` against the configured database (migrated first)."""
    from backend.db import pool

    p = await pool.create_pool(await migrated_url())
    try:
        return await fn(p)
    finally:
        await p.close()


def echo_json(obj: Any) -> None:
    click.echo(json.dumps(msgspec.to_builtins(obj), ensure_ascii=False, indent=2, default=str))


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """tuoke (拓客): chat-first social selling for B2B sales teams."""
    import os

    from backend import logs

    if verbose:
        os.environ["TUOKE_LOG_LEVEL"] = "debug"  # app processes uvicorn spawns log alike
    logs.configure(verbose)


@main.command()
@click.option("--host", default=None, help="Default TUOKE_HOST or 127.0.0.1.")
@click.option("--port", default=None, type=int, help="Default TUOKE_PORT or 8000.")
@click.option("--no-worker", is_flag=True, help="Do not run the scheduler in-process (run `tuoke worker` instead).")
@click.option("--workers", default=1, type=click.IntRange(1, 64), show_default=True,
              help="App processes (uvicorn forks them from the app factory; they share one port).")
@click.option("--proxy-headers", is_flag=True,
              help="Behind a reverse proxy: take the client address and scheme from X-Forwarded-For / "
                   "X-Forwarded-Proto, when sent by a trusted proxy (--forwarded-allow-ips).")
@click.option("--forwarded-allow-ips", default=None, metavar="LIST",
              help="Comma-separated proxy addresses or networks trusted with --proxy-headers. "
                   "Default TUOKE_TRUSTED_PROXIES, else 127.0.0.1.")
def serve(host: str | None, port: int | None, no_worker: bool, workers: int, proxy_headers: bool,
          forwarded_allow_ips: str | None) -> None:
    """Serve the HTTP API (and, by default, the worker in the same process).

    With ``--workers N`` the app runs in N processes forked by uvicorn from the app factory
    (``backend.asgi:create_app``); the database is resolved and migrated once, here, first.
    """
    import os

    import uvicorn

    from backend import logs

    if no_worker:
        os.environ["TUOKE_INPROCESS_WORKER"] = "0"
    os.environ["TUOKE_SERVE_LOGS"] = "1"  # each app process logs as this one does (backend.logs)
    os.environ["DATABASE_URL"] = run(migrated_url())  # the children use it as is: no second embedded start
    if proxy_headers:
        trusted = forwarded_allow_ips or os.environ.get("TUOKE_TRUSTED_PROXIES") or "127.0.0.1"
        os.environ["TUOKE_TRUSTED_PROXIES"] = trusted  # the app reads the headers (backend.core)
    from backend.settings import reset_settings

    reset_settings()
    settings = get_settings()
    uvicorn.run(
        "backend.asgi:create_app", factory=True, host=host or settings.host, port=port or settings.port,
        workers=workers, log_level="info", log_config=logs.uvicorn_log_config(),
        proxy_headers=False,  # the app does it, with TUOKE_TRUSTED_PROXIES, under any server
        timeout_graceful_shutdown=25, timeout_worker_healthcheck=30,  # a busy 2-core box answers pings late
        access_log=False,  # tuoke.access logs each request, with its id and tenant
    )


@main.command()
def worker() -> None:
    """Run the scheduler (outbox delivery, nudges, digests); safe to run several at once.

    SIGTERM or Ctrl-C stops it gracefully: no new job passes start, the running ones get up to 20 s
    to finish, then are cancelled (a delivery pass gives back the outbox rows it had not started).
    """
    import signal

    from backend.jobs.worker import build_scheduler, drain

    log = logging.getLogger("tuoke.worker")

    async def go(pool: Any) -> None:
        scheduler = build_scheduler(pool)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        scheduler.start()
        click.echo(f"worker running {len(scheduler.get_jobs())} jobs; Ctrl-C to stop")
        try:
            await stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            outcome = await drain()
            log.info("worker stopped: %d running job(s) finished, %d cancelled", outcome["finished"],
                     outcome["cancelled"])

    run(with_pool(go))


@main.group()
def db() -> None:
    """The database (the embedded PostgreSQL unless DATABASE_URL)."""


@db.command("stop")
def db_stop() -> None:
    """Stop the embedded PostgreSQL (scripts/run does when it ends); nothing with DATABASE_URL."""
    from backend.db import embedded

    settings = get_settings()
    if settings.database_url:
        click.echo("DATABASE_URL is set: no embedded server to stop")
        return
    stopped = embedded.stop_embedded(settings.data_dir)
    click.echo("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")


@db.command("citus-sql")
def db_citus_sql() -> None:
    """Print the statements that distribute the (migrated) schema by tenant on a Citus coordinator."""
    from backend.db import citus

    async def tables(conn: Any) -> list[str]:
        rows = await conn.fetch("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1")
        return [r["relname"] for r in rows]

    for statement in citus.setup_sql(run(with_conn(tables))):
        click.echo(statement)


@main.command()
def migrate() -> None:
    """Apply pending database migrations (safe to run twice, or from two processes)."""
    from backend.db import embedded
    from backend.db import migrate as m

    settings = get_settings()
    url = embedded.resolve_database_url(settings.database_url, settings.data_dir)
    run(embedded.ensure_database(url))
    applied = run(m.migrate_url(url))
    if applied:
        for mig in applied:
            click.echo(f"applied {mig.version:04d}_{mig.name}")
    else:
        click.echo("database is up to date")


@main.command()
def demo() -> None:
    """Load the demo tenant (idempotent) and print the admin token and URLs."""
    from backend import demo as demo_data

    run(with_conn(demo_data.load_and_report))


@main.group()
def tenant() -> None:
    """Tenants: create, list, show, update, token."""


@tenant.command("create")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--timezone", default="Asia/Shanghai")
@click.option("--corp-id", default="")
@click.option("--agent-id", default=0, type=int)
@click.option("--token", "wecom_token", default="")
@click.option("--aes-key", default="")
@click.option("--secret", default="")
@click.option("--miniapp-appid", default="")
@click.option("--miniapp-secret", default="")
@click.option("--aibot-token", default="", help="AI bot (智能机器人) callback Token.")
@click.option("--aibot-aes-key", default="", help="AI bot callback EncodingAESKey.")
@click.option("--aibot-bot-id", default="", help="AI bot BotID (long connection).")
@click.option("--aibot-secret", default="", help="AI bot Secret (long connection).")
def tenant_create(slug: str, name: str, timezone: str, corp_id: str, agent_id: int, wecom_token: str,
                  aes_key: str, secret: str, miniapp_appid: str, miniapp_secret: str, aibot_token: str,
                  aibot_aes_key: str, aibot_bot_id: str, aibot_secret: str) -> None:
    """Create a tenant with the default LTC pipeline."""
    from backend.errors import TuokeError
    from backend.services import tenants
    from schemas.tenants import TenantCreate

    try:
        data = msgspec.convert(
            {"slug": slug, "name": name, "timezone": timezone,
             "wecom": {"corp_id": corp_id, "agent_id": agent_id, "token": wecom_token, "encoding_aes_key": aes_key, "secret": secret},
             "miniapp": {"appid": miniapp_appid, "secret": miniapp_secret},
             "aibot": {"token": aibot_token, "encoding_aes_key": aibot_aes_key, "bot_id": aibot_bot_id,
                       "secret": aibot_secret}},
            TenantCreate,
        )
        created = run(with_conn(lambda c: tenants.create_tenant(c, data)))
        created.tenant = tenants.masked(created.tenant)
        echo_json(created)
    except (msgspec.ValidationError, TuokeError) as exc:
        fail(str(exc))


@tenant.command("list")
def tenant_list() -> None:
    """List tenants."""
    from backend.services import tenants

    for t in run(with_conn(tenants.list_tenants)):
        click.echo(f"{t.tenant_id}\t{t.slug}\t{t.name}\t{t.timezone}")


@tenant.command("show")
@click.argument("slug")
def tenant_show(slug: str) -> None:
    """Show one tenant with its configuration (secrets masked: ``****`` and the last 4 characters)."""
    from backend.errors import TuokeError
    from backend.services import tenants

    try:
        echo_json(tenants.masked(run(with_conn(lambda c: tenants.tenant_by_slug(c, slug)))))
    except TuokeError as exc:
        fail(exc.detail)


@tenant.command("update")
@click.argument("slug")
@click.option("--set", "pairs", multiple=True, help="field=value (JSON values allowed), e.g. --set digest_time=09:00")
def tenant_update(slug: str, pairs: tuple[str, ...]) -> None:
    """Update a tenant: --set name=… --set 'wecom={"corp_id": …}' --set 'aibot={"token": …}'."""
    from backend.errors import TuokeError
    from backend.services import tenants
    from schemas.tenants import TenantUpdate

    body: dict[str, Any] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            body[key] = json.loads(value)
        except ValueError:
            body[key] = value

    async def go(conn: Any) -> Any:
        t = await tenants.tenant_by_slug(conn, slug)
        return tenants.masked(await tenants.update_tenant(conn, t.tenant_id, msgspec.convert(body, TenantUpdate)))

    try:
        echo_json(run(with_conn(go)))
    except (msgspec.ValidationError, TuokeError) as exc:
        fail(str(exc))


@tenant.command("token")
@click.argument("slug")
def tenant_token(slug: str) -> None:
    """Create an API token that administers this tenant only."""
    from backend.errors import TuokeError
    from backend.services import tenants

    async def go(conn: Any) -> Any:
        t = await tenants.tenant_by_slug(conn, slug)
        return await tenants.create_api_token(conn, t.tenant_id, "cli")

    try:
        echo_json(run(with_conn(go)))
    except TuokeError as exc:
        fail(exc.detail)


@main.group()
def user() -> None:
    """Users: create, list, update."""


@user.command("create")
@click.option("--tenant", "slug", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["rep", "manager", "admin"]), default="rep")
@click.option("--team", default=None)
@click.option("--wecom-userid", default=None)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh")
def user_create(slug: str, name: str, role: str, team: str | None, wecom_userid: str | None, lang: str) -> None:
    """Create a user in a tenant."""
    from backend.errors import TuokeError
    from backend.services import tenants
    from schemas.users import UserCreate

    async def go(conn: Any) -> Any:
        t = await tenants.tenant_by_slug(conn, slug)
        data = msgspec.convert({"name": name, "role": role, "team": team, "wecom_userid": wecom_userid, "lang": lang}, UserCreate)
        return await tenants.create_user(conn, t.tenant_id, data)

    try:
        echo_json(run(with_conn(go)))
    except (msgspec.ValidationError, TuokeError) as exc:
        fail(str(exc))


@user.command("list")
@click.option("--tenant", "slug", required=True)
def user_list(slug: str) -> None:
    """List a tenant's users."""
    from backend.errors import TuokeError
    from backend.services import tenants

    async def go(conn: Any) -> Any:
        t = await tenants.tenant_by_slug(conn, slug)
        return await tenants.list_users(conn, t.tenant_id)

    try:
        for u in run(with_conn(go)):
            click.echo(f"{u.user_id}\t{u.name}\t{u.role}\t{u.team or '-'}\t{u.wecom_userid or '-'}")
    except TuokeError as exc:
        fail(exc.detail)


@user.command("update")
@click.option("--tenant", "slug", required=True)
@click.argument("user_id", type=int)
@click.option("--set", "pairs", multiple=True, help="field=value, e.g. --set role=manager --set team=华南")
def user_update(slug: str, user_id: int, pairs: tuple[str, ...]) -> None:
    """Update a user."""
    from backend.errors import TuokeError
    from backend.services import tenants
    from schemas.users import UserUpdate

    body: dict[str, Any] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        body[key] = {"true": True, "false": False, "null": None}.get(value, value)

    async def go(conn: Any) -> Any:
        t = await tenants.tenant_by_slug(conn, slug)
        return await tenants.update_user(conn, t.tenant_id, user_id, msgspec.convert(body, UserUpdate))

    try:
        echo_json(run(with_conn(go)))
    except (msgspec.ValidationError, TuokeError) as exc:
        fail(str(exc))


@main.command()
@click.option("--once", is_flag=True, help="One delivery pass, then exit.")
def deliver(once: bool) -> None:
    """Deliver due outbox messages now (the worker does this every 2 s)."""
    from backend.jobs.registry import all_jobs
    from backend.services import outbox

    all_jobs()  # imports every area, so their checks for messages gone stale are registered
    counts = run(with_pool(outbox.deliver_due if once else outbox.deliver_until_idle))
    click.echo(json.dumps(counts))


def _register_groups() -> None:
    """The areas' command groups (kb ingest, nudges scan, digest preview …), named explicitly.
    Imported last: they use this module's helpers."""
    from backend.nudges_cli import digest, nudges
    from backend.services.cards.cli import cards_group
    from backend.services.kb.cli import kb
    from backend.services.pool.cli import accounts_group, pool_group
    from bot.aibot.cli import aibot
    from bot.cli import bot

    for group in (nudges, digest, kb, bot, cards_group, aibot, pool_group, accounts_group):
        main.add_command(group)


_register_groups()

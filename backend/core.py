"""The one plugin that wires the service: database, routes, errors, OpenAPI, in-process worker."""

from __future__ import annotations

import asyncio
import contextlib
import os
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import asyncpg
import msgspec
from litestar import Litestar, Request, Response, get
from litestar.config.app import AppConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.plugins import InitPluginProtocol
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from backend import edge, logs, openapi, wechat_api
from backend.db import embedded, migrate, pool as db_pool
from backend.errors import TuokeError
from backend.settings import get_settings

log = logging.getLogger("tuoke")



def trusted_proxies() -> list[str]:
    """TUOKE_TRUSTED_PROXIES: comma-separated addresses or networks (10.0.0.0/8) of reverse proxies."""
    return [p.strip() for p in os.environ.get("TUOKE_TRUSTED_PROXIES", "").split(",") if p.strip()]


async def provide_db(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    """One pooled connection per request."""
    async with state.pool.acquire() as conn:
        yield conn


@get("/health", operation_id="health", tags=["meta"])
async def health(state: State) -> Response[dict[str, Any]]:
    """Is the service up and can it reach its database."""
    try:
        async with state.pool.acquire(timeout=2) as conn:
            version = await conn.fetchval("SELECT max(version) FROM schema_migrations")
        return Response({"status": "ok", "database": "up", "schema_version": version})
    except Exception as exc:  # the point of a health check is to say so, not to raise
        return Response({"status": "degraded", "database": "down", "detail": str(exc)[:200]}, status_code=503)


def _field_of(extra: Any) -> str | None:
    if isinstance(extra, list) and extra and isinstance(extra[0], dict):
        return extra[0].get("key") or None
    return None


def validation_handler(request: Request, exc: ValidationException) -> Response:
    messages = exc.extra if isinstance(exc.extra, list) else []
    detail = "; ".join(str(m.get("message", m)) if isinstance(m, dict) else str(m) for m in messages) or exc.detail
    body = {"error": "invalid", "detail": detail}
    field = _field_of(exc.extra)
    if field:
        body["field"] = field
    return Response(body, status_code=400)


def domain_handler(request: Request, exc: TuokeError) -> Response:
    body = {"error": exc.error, "detail": exc.detail}
    if exc.field:
        body["field"] = exc.field
    return Response(body, status_code=exc.status_code)


def http_handler(request: Request, exc: HTTPException) -> Response:
    name = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
            413: "too_large", 429: "rate_limited"}.get(exc.status_code, "http_error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and "allow" in {k.lower() for k in headers}:
        # The methods the document lists: Litestar's automatic OPTIONS (CORS preflight) is not one.
        key = next(k for k in headers if k.lower() == "allow")
        methods = [m.strip() for m in headers[key].split(",") if m.strip() and m.strip() != "OPTIONS"]
        headers[key] = ", ".join(sorted(methods))
    return Response({"error": name, "detail": exc.detail}, status_code=exc.status_code, headers=headers)


def data_handler(request: Request, exc: Exception) -> Response:
    """What the database (or a decoder) refuses as data is the caller's mistake: a 400, not a crash.

    The edge guard (``backend.edge``) and the schemas refuse such input first; this is the net
    under them (a value out of bigint range, a NUL, text that is not a number …)."""
    log.warning("refused bad data on %s %s: %s", request.method, request.url.path, str(exc)[:200])
    detail = str(exc).split("\n")[0][:200] if isinstance(exc, (SerializationException, msgspec.MsgspecError)) else (
        "a value is out of range or not valid here")
    return Response({"error": "invalid", "detail": detail}, status_code=400)


def internal_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response({"error": "internal", "detail": "internal error"}, status_code=HTTP_500_INTERNAL_SERVER_ERROR)


@contextlib.asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    settings = get_settings()
    url = embedded.resolve_database_url(settings.database_url, settings.data_dir)
    await embedded.ensure_database(url)
    await migrate.migrate_url(url)
    app.state.database_url = url
    app.state.pool = await db_pool.create_pool(url)
    warming = None
    if os.environ.get("TUOKE_WARM_MODELS", "1") not in ("0", "false", "no"):
        # Load the embedding model in the background so the first knowledge question is fast.
        from backend.services.kb import warm_up

        warming = asyncio.create_task(warm_up())
    scheduler = None
    if settings.run_worker_in_process:
        from backend.jobs.worker import build_scheduler

        scheduler = build_scheduler(app.state.pool)
        scheduler.start()
    try:
        yield
    finally:
        if scheduler is not None:
            from backend.jobs.worker import drain

            scheduler.shutdown(wait=False)
            await drain()  # a job half way through finishes (or gives back what it claimed)
        if warming is not None and not warming.done():
            warming.cancel()
        await wechat_api.close_client()
        await app.state.pool.close()


class TuokePlugin(InitPluginProtocol):
    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        logs.install()
        self._configure_routes(app_config)
        self._configure_dependencies(app_config)
        self._configure_errors(app_config)
        self._configure_openapi(app_config)
        self._configure_middleware(app_config)
        logs.configure_served_app(app_config)
        app_config.lifespan.append(lifespan)
        app_config.before_request = edge.guard
        app_config.request_max_body_size = 2 * 1024 * 1024
        return app_config

    @staticmethod
    def _configure_routes(app_config: AppConfig) -> None:
        """Each area's routes, named explicitly (each area exports ``ROUTES``)."""
        from backend import admin, digest_page
        from bot import routes as bot_routes
        from bot.aibot import routes as aibot_routes
        from miniapp_api import routes as miniapp_routes

        app_config.route_handlers.append(health)
        for area in (admin, bot_routes, aibot_routes, miniapp_routes, digest_page):
            app_config.route_handlers.extend(area.ROUTES)

    @staticmethod
    def _configure_middleware(app_config: AppConfig) -> None:
        """Behind proxies listed in TUOKE_TRUSTED_PROXIES, the client address and scheme come from
        their X-Forwarded-For / X-Forwarded-Proto (uvicorn's ProxyHeadersMiddleware: the right-most
        address that is not a trusted proxy), whatever server runs the app; then a request id and
        the tenant for the logs."""
        proxies = trusted_proxies()
        if proxies:
            from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

            app_config.middleware.insert(0, DefineMiddleware(ProxyHeadersMiddleware, trusted_hosts=proxies))
        app_config.middleware.append(logs.RequestContextMiddleware)

    @staticmethod
    def _configure_dependencies(app_config: AppConfig) -> None:
        app_config.dependencies["db"] = Provide(provide_db)

    @staticmethod
    def _configure_errors(app_config: AppConfig) -> None:
        app_config.exception_handlers.update(
            {
                ValidationException: validation_handler,
                TuokeError: domain_handler,
                asyncpg.DataError: data_handler,
                SerializationException: data_handler,
                msgspec.MsgspecError: data_handler,
                HTTPException: http_handler,
                Exception: internal_handler,
            }
        )

    @staticmethod
    def _configure_openapi(app_config: AppConfig) -> None:
        app_config.openapi_config = openapi.config()
        app_config.route_handlers.extend(openapi.asset_routes())
        app_config.on_startup.append(openapi.document)

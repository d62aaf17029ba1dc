"""``GET /d/{token}``: a manager's digest as a mobile H5 page (funnel and 14-day trend charts).

The token is the only key: 192 random bits, looked up as-is, expiring a week after the digest.
An unknown or expired token gets a plain page saying so (404 / 410), never the figures.
"""

from __future__ import annotations

import re

import asyncpg
from litestar import MediaType, Response, get

from backend import clock
from backend.db.queries import queries
from backend.services.digests import page
from backend.services.nudges import manners

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_HEADERS = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def _html(body: str, status: int = 200) -> Response[str]:
    return Response(body, status_code=status, media_type=MediaType.HTML, headers=_HEADERS)


@get("/d/{token:str}", operation_id="digestPage", tags=["digests"], include_in_schema=True, media_type=MediaType.HTML)
async def digest_page(token: str, db: asyncpg.Connection) -> Response[str]:
    """The digest page behind a WeChat Work digest message's link."""
    row = await queries.digest_by_token(db, token=token) if _TOKEN.match(token) else None
    if row is None:
        return _html(page.render_gone("链接无效。请打开最新的简报消息。"), 404)
    if row["expires_at"] <= clock.now():
        return _html(page.render_gone("这份简报的链接已过期（有效期 7 天）。"), 410)
    tz = await db.fetchval("SELECT timezone FROM tenants WHERE tenant_id = $1", row["tenant_id"])
    expires = row["expires_at"].astimezone(manners.zone(tz)).strftime("%Y-%m-%d %H:%M")
    render = page.render_weekly if row["kind"] == "weekly" else page.render_daily  # a preview is a daily
    return _html(render(row["figures"], expires=expires))


ROUTES = [digest_page]

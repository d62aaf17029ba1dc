"""Outbound WeChat Work and WeChat API calls (async, httpx), through ``TUOKE_WECHAT_API_BASE``.

Why not wechatpy's client: it is synchronous (requests) and keeps its access token in a
per-process session; here every send happens on the event loop and the token is shared by every
process through PostgreSQL (WeChat limits how often a token may be fetched). wechatpy is still
what verifies, decrypts, parses and encrypts callbacks (``bot/``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from typing import Any

import asyncpg
import httpx

from backend import clock
from backend.db.queries import queries
from backend.errors import UpstreamError
from backend.settings import get_settings
from schemas.tenants import MiniappConfig, Tenant

WECOM_HOST = "https://qyapi.weixin.qq.com"
WECHAT_HOST = "https://api.weixin.qq.com"

# errcodes meaning "the access token is no good": fetch a new one and try again once.
TOKEN_ERRORS = {40001, 40014, 42001, 42007, 42009}
# errcodes worth retrying later: system busy, rate limits, frequency limits.
RETRYABLE_ERRORS = {-1, 45009, 45033, 45011, 45047, 44004}

_client: httpx.AsyncClient | None = None


def _base(kind: str) -> str:
    base = get_settings().wechat_api_base
    if base:
        return base
    return WECOM_HOST if kind == "wecom" else WECHAT_HOST


def client() -> httpx.AsyncClient:
    global _client
    if _client is None or _client.is_closed:
        seconds = float(os.environ.get("TUOKE_WECHAT_TIMEOUT", "5"))
        _client = httpx.AsyncClient(timeout=httpx.Timeout(seconds, connect=min(seconds, 2.0)))
    return _client


async def close_client() -> None:
    global _client
    if _client is not None:
        await _client.aclose()
        _client = None


async def _get_json(method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    try:
        response = await client().request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise UpstreamError(f"WeChat timed out: {exc.__class__.__name__}") from None
    except httpx.HTTPError as exc:
        raise UpstreamError(f"WeChat unreachable: {exc}") from None
    if response.status_code >= 500:
        raise UpstreamError(f"WeChat answered HTTP {response.status_code}")
    if response.status_code >= 400:
        raise UpstreamError(f"WeChat answered HTTP {response.status_code}", permanent=True)
    try:
        return response.json()
    except ValueError:
        raise UpstreamError("WeChat answered something that is not JSON") from None


async def wecom_access_token(conn: asyncpg.Connection, tenant: Tenant, *, refresh: bool = False) -> str:
    """The tenant's WeChat Work app token, cached in PostgreSQL until a minute before it expires."""
    now = clock.now()
    if not refresh:
        row = await queries.wechat_token_get(conn, tenant_id=tenant.tenant_id, kind="wecom")
        if row and row["expires_at"] > now + dt.timedelta(seconds=60):
            return row["token"]
    if not tenant.wecom.corp_id or not tenant.wecom.secret:
        raise UpstreamError("the tenant has no WeChat Work corp_id/secret configured", permanent=True)
    data = await _get_json(
        "GET", f"{_base('wecom')}/cgi-bin/gettoken",
        params={"corpid": tenant.wecom.corp_id, "corpsecret": tenant.wecom.secret},
    )
    code = data.get("errcode", 0)
    if code != 0 or "access_token" not in data:
        raise UpstreamError(
            f"gettoken failed: {code} {data.get('errmsg', '')}", code=code, permanent=code not in RETRYABLE_ERRORS
        )
    expires = now + dt.timedelta(seconds=int(data.get("expires_in", 7200)))
    await queries.wechat_token_put(conn, tenant_id=tenant.tenant_id, kind="wecom", token=data["access_token"], expires_at=expires)
    return data["access_token"]


async def _wecom_post(conn: asyncpg.Connection, tenant: Tenant, api: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST to a WeChat Work API with the tenant's token, refreshing an expired token once."""
    for attempt in range(2):
        token = await wecom_access_token(conn, tenant, refresh=attempt > 0)
        data = await _get_json("POST", f"{_base('wecom')}/cgi-bin/{api}", params={"access_token": token}, json=body)
        code = data.get("errcode", 0)
        if code == 0:
            return data
        if code in TOKEN_ERRORS and attempt == 0:
            await queries.wechat_token_drop(conn, tenant_id=tenant.tenant_id, kind="wecom", token=token)
            continue
        raise UpstreamError(
            f"{api} failed: {code} {data.get('errmsg', '')}", code=code,
            permanent=code not in RETRYABLE_ERRORS and code not in TOKEN_ERRORS,
        )
    raise UpstreamError(f"{api} failed after a token refresh")


async def wecom_send(conn: asyncpg.Connection, tenant: Tenant, touser: str, message: dict[str, Any]) -> dict[str, Any]:
    """Send one app message (``message`` holds ``msgtype`` and its body) to a member, or — when
    ``message`` is an ``update_template_card`` request — change a card the member tapped.

    WeChat's own duplicate check is switched on as a second line of defence against doubles.
    """
    if message.get("api") == "update_template_card":
        body = {k: v for k, v in message.items() if k != "api"}
        return await _wecom_post(conn, tenant, "message/update_template_card",
                                 {"userids": [touser], "agentid": tenant.wecom.agent_id, **body})
    body = {
        "touser": touser,
        "agentid": tenant.wecom.agent_id,
        "enable_duplicate_check": 1,
        "duplicate_check_interval": 1800,
        **message,
    }
    return await _wecom_post(conn, tenant, "message/send", body)


async def jscode2session(miniapp: MiniappConfig, code: str) -> dict[str, Any]:
    """Exchange a ``wx.login`` code for the user's openid (and session_key, unionid)."""
    if not miniapp.appid or not miniapp.secret:
        raise UpstreamError("the tenant has no mini-program appid/secret configured", permanent=True)
    data = await _get_json(
        "GET", f"{_base('wechat')}/sns/jscode2session",
        params={"appid": miniapp.appid, "secret": miniapp.secret, "js_code": code, "grant_type": "authorization_code"},
    )
    code_ = data.get("errcode", 0)
    if code_ != 0 or "openid" not in data:
        raise UpstreamError(
            f"jscode2session failed: {code_} {data.get('errmsg', '')}", code=code_,
            permanent=code_ not in RETRYABLE_ERRORS,
        )
    return data


MAX_MEDIA = 2 * 1024 * 1024  # a voice message is a minute of AMR at most (~100 KB)


async def wecom_media_get(conn: asyncpg.Connection, tenant: Tenant, media_id: str) -> tuple[bytes, str]:
    """A temporary media file of the self-built app (a voice message's AMR): (bytes, content type)."""
    for attempt in range(2):
        token = await wecom_access_token(conn, tenant, refresh=attempt > 0)
        try:
            response = await client().get(f"{_base('wecom')}/cgi-bin/media/get",
                                          params={"access_token": token, "media_id": media_id})
        except httpx.HTTPError as exc:
            raise UpstreamError(f"WeChat unreachable: {exc.__class__.__name__}") from None
        kind = response.headers.get("content-type", "")
        if response.status_code != 200:
            raise UpstreamError(f"media/get answered HTTP {response.status_code}")
        if "json" not in kind and "text/plain" not in kind:
            if len(response.content) > MAX_MEDIA:
                raise UpstreamError("media too large", permanent=True)
            return response.content, kind or "application/octet-stream"
        data = response.json()
        code = data.get("errcode", 0)
        if code in TOKEN_ERRORS and attempt == 0:
            await queries.wechat_token_drop(conn, tenant_id=tenant.tenant_id, kind="wecom", token=token)
            continue
        raise UpstreamError(f"media/get failed: {code} {data.get('errmsg', '')}", code=code)
    raise UpstreamError("media/get failed after a token refresh")


# -- JS-SDK (the H5 card inside WeChat: the forward carries the rep's title, description, avatar) --

JSAPI_LIST = ["updateAppMessageShareData", "updateTimelineShareData", "onMenuShareAppMessage", "onMenuShareTimeline"]


def jssdk_signature(ticket: str, nonce_str: str, timestamp: int, url: str) -> str:
    """WeChat's JS-SDK signature: sha1 of ``jsapi_ticket=…&noncestr=…&timestamp=…&url=…`` (the
    fields in that order, values as they are, the url without its #fragment)."""
    plain = f"jsapi_ticket={ticket}&noncestr={nonce_str}&timestamp={timestamp}&url={url.split('#', 1)[0]}"
    return hashlib.sha1(plain.encode("utf-8")).hexdigest()


async def mp_access_token(conn: asyncpg.Connection, tenant: Tenant, *, refresh: bool = False) -> str:
    """The tenant's Official Account token (client_credential), cached in PostgreSQL like the
    WeChat Work one."""
    now = clock.now()
    if not refresh:
        row = await queries.wechat_token_get(conn, tenant_id=tenant.tenant_id, kind="mp")
        if row and row["expires_at"] > now + dt.timedelta(seconds=60):
            return row["token"]
    if not tenant.mp.appid or not tenant.mp.secret:
        raise UpstreamError("the tenant has no Official Account appid/secret configured", permanent=True)
    data = await _get_json(
        "GET", f"{_base('wechat')}/cgi-bin/token",
        params={"grant_type": "client_credential", "appid": tenant.mp.appid, "secret": tenant.mp.secret},
    )
    code = data.get("errcode", 0)
    if code != 0 or "access_token" not in data:
        raise UpstreamError(f"token failed: {code} {data.get('errmsg', '')}", code=code,
                            permanent=code not in RETRYABLE_ERRORS)
    expires = now + dt.timedelta(seconds=int(data.get("expires_in", 7200)))
    await queries.wechat_token_put(conn, tenant_id=tenant.tenant_id, kind="mp", token=data["access_token"], expires_at=expires)
    return data["access_token"]


def jssdk_kind(tenant: Tenant) -> str | None:
    """Whose JS-SDK signs the card page: the Official Account's when the tenant has one (the card's
    audience is customers in WeChat), else WeChat Work's; None when neither is configured."""
    if tenant.mp.appid and tenant.mp.secret:
        return "mp"
    if tenant.wecom.corp_id and tenant.wecom.secret:
        return "wecom"
    return None


async def jsapi_ticket(conn: asyncpg.Connection, tenant: Tenant) -> tuple[str, str]:
    """(appId for wx.config, jsapi_ticket): cached in PostgreSQL until a minute before it expires
    (WeChat limits how often a ticket may be fetched), refreshed once on a stale access token."""
    kind = jssdk_kind(tenant)
    if kind is None:
        raise UpstreamError("the tenant has no Official Account or WeChat Work app configured", permanent=True)
    app_id = tenant.mp.appid if kind == "mp" else tenant.wecom.corp_id
    now = clock.now()
    row = await queries.wechat_token_get(conn, tenant_id=tenant.tenant_id, kind=f"{kind}_jsapi")
    if row and row["expires_at"] > now + dt.timedelta(seconds=60):
        return app_id, row["token"]
    for attempt in range(2):
        if kind == "mp":
            token = await mp_access_token(conn, tenant, refresh=attempt > 0)
            data = await _get_json("GET", f"{_base('wechat')}/cgi-bin/ticket/getticket",
                                   params={"access_token": token, "type": "jsapi"})
        else:
            token = await wecom_access_token(conn, tenant, refresh=attempt > 0)
            data = await _get_json("GET", f"{_base('wecom')}/cgi-bin/get_jsapi_ticket", params={"access_token": token})
        code = data.get("errcode", 0)
        if code == 0 and data.get("ticket"):
            expires = now + dt.timedelta(seconds=int(data.get("expires_in", 7200)))
            await queries.wechat_token_put(conn, tenant_id=tenant.tenant_id, kind=f"{kind}_jsapi",
                                           token=data["ticket"], expires_at=expires)
            return app_id, data["ticket"]
        if code in TOKEN_ERRORS and attempt == 0:
            await queries.wechat_token_drop(conn, tenant_id=tenant.tenant_id, kind=kind, token=token)
            continue
        raise UpstreamError(f"jsapi ticket failed: {code} {data.get('errmsg', '')}", code=code,
                            permanent=code not in RETRYABLE_ERRORS and code not in TOKEN_ERRORS)
    raise UpstreamError("jsapi ticket failed after a token refresh")


async def jssdk_config(conn: asyncpg.Connection, tenant: Tenant, url: str) -> dict[str, Any]:
    """What the page passes to ``wx.config`` for ``url`` (its address without the #fragment)."""
    app_id, ticket = await jsapi_ticket(conn, tenant)
    nonce = secrets.token_urlsafe(12)
    timestamp = int(clock.now().timestamp())
    return {"app_id": app_id, "timestamp": timestamp, "nonce_str": nonce,
            "signature": jssdk_signature(ticket, nonce, timestamp, url), "js_api_list": JSAPI_LIST}

"""Tenants, their admin tokens, teams and users."""

from __future__ import annotations

import hashlib
import secrets
from contextvars import ContextVar
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
import msgspec

from backend.db.queries import queries
from backend.errors import Conflict, Invalid, NotFound
from backend.services import pipeline
from schemas.tenants import (
    ApiTokenCreated,
    MiniappConfig,
    MpConfig,
    Tenant,
    TenantCreate,
    TenantCreated,
    TenantUpdate,
    WecomConfig,
    aibot_view,
)
from schemas.users import Actor, Team, User, UserCreate, UserUpdate


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"unknown timezone {name!r}", field="timezone") from None


def _tenant(row: asyncpg.Record) -> Tenant:
    data = dict(row)
    data.pop("config_version", None)
    data["wecom"] = msgspec.convert(data["wecom"], WecomConfig)
    data["miniapp"] = msgspec.convert(data["miniapp"], MiniappConfig)
    data["mp"] = msgspec.convert(data["mp"], MpConfig)
    data["aibot"] = aibot_view(data.get("aibot"))
    return Tenant(**data)


async def create_tenant(conn: asyncpg.Connection, data: TenantCreate) -> TenantCreated:
    _check_timezone(data.timezone)
    async with conn.transaction():
        try:
            async with conn.transaction():
                tenant_id = await queries.tenant_insert(
                    conn, slug=data.slug, name=data.name, timezone=data.timezone,
                    wecom=msgspec.to_builtins(data.wecom), miniapp=msgspec.to_builtins(data.miniapp),
                    mp=msgspec.to_builtins(data.mp), aibot=msgspec.to_builtins(data.aibot),
                    digest_time=data.digest_time,
                    quiet_start=data.quiet_start, quiet_end=data.quiet_end,
                )
        except asyncpg.UniqueViolationError:
            raise Conflict(f"tenant {data.slug!r} exists already", field="slug") from None
        await pipeline.create_default_stages(conn, tenant_id)
        token = await create_api_token(conn, tenant_id, "created with the tenant")
    return TenantCreated(tenant=await get_tenant(conn, tenant_id), api_token=token.api_token)


async def create_api_token(conn: asyncpg.Connection, tenant_id: int, label: str = "") -> ApiTokenCreated:
    token = "tk_" + secrets.token_urlsafe(32)
    token_id = await queries.api_token_insert(conn, tenant_id=tenant_id, token_hash=hash_token(token), label=label)
    return ApiTokenCreated(token_id=token_id, api_token=token)


async def tenant_for_token(conn: asyncpg.Connection, token: str) -> int | None:
    return await queries.api_token_tenant(conn, token_hash=hash_token(token))


async def get_tenant(conn: asyncpg.Connection, tenant_id: int) -> Tenant:
    row = await queries.tenant_by_id(conn, tenant_id=tenant_id)
    if row is None:
        raise NotFound(f"no tenant {tenant_id}")
    return _tenant(row)


async def tenant_by_slug(conn: asyncpg.Connection, slug: str) -> Tenant:
    row = await queries.tenant_by_slug(conn, slug=slug)
    if row is None:
        raise NotFound(f"no tenant {slug!r}")
    return _tenant(row)


async def tenant_with_aibot(conn: asyncpg.Connection, slug: str) -> tuple[Tenant, dict]:
    """The tenant and its AI bot config, secrets included (the channel's own use; answers mask them)."""
    row = await queries.tenant_by_slug(conn, slug=slug)
    if row is None:
        raise NotFound(f"no tenant {slug!r}")
    return _tenant(row), dict(row["aibot"] or {})


# -- the per-process configuration cache ----------------------------------------------------------
#
# A callback needs its tenant's configuration (crypto keys, timezone) before it can verify the
# message, and its pipeline stages to parse it. Both change rarely (admin API, CLI), so each process
# keeps them, tagged with ``tenants.config_version``: a trigger (migration 0011) bumps it on every
# change to the tenant row or its stages, and the callback reads the current version in the round
# trip that starts the message (``bot_message_begin``). A stale entry is dropped and read again.
# Only code that has checked the version in the current task uses the cached stages (see
# ``config_checked``), so nothing else can see stale configuration.


class StaleConfig(Exception):
    """The tenant configuration this process cached is older than the database's (or the tenant is
    gone): the entry is dropped; start the request over with ``reload_tenant``."""


class _Cached(NamedTuple):
    tenant: Tenant
    version: int


_BY_SLUG: dict[str, _Cached] = {}
_STAGES: dict[int, tuple[int, dict]] = {}  # tenant_id -> (config_version, {key: Stage})
_CHECKED: ContextVar[tuple[int, int] | None] = ContextVar("tuoke_tenant_config_checked", default=None)


async def cached_tenant_by_slug(conn: asyncpg.Connection, slug: str) -> Tenant:
    """The tenant, from this process's cache when it has it (no round trip), else read and cached.

    The caller must check ``cached_version(tenant.tenant_id)`` against the database before relying
    on it for anything but verifying a signature (the callback does, in ``bot_message_begin``).
    """
    hit = _BY_SLUG.get(slug)
    if hit is not None:
        return hit.tenant
    return await reload_tenant(conn, slug)


async def reload_tenant(conn: asyncpg.Connection, slug: str) -> Tenant:
    """Read the tenant afresh and cache it (a previous entry is dropped)."""
    row = await queries.tenant_by_slug(conn, slug=slug)
    if row is None:
        _BY_SLUG.pop(slug, None)
        raise NotFound(f"no tenant {slug!r}")
    tenant = _tenant(row)
    _BY_SLUG[slug] = _Cached(tenant, row["config_version"])
    return tenant


def cached_version(tenant_id: int) -> int | None:
    """The config_version this process's cached copy of the tenant was read at (None: not cached)."""
    for entry in _BY_SLUG.values():
        if entry.tenant.tenant_id == tenant_id:
            return entry.version
    return None


def forget_tenant(tenant_id: int | None = None) -> None:
    """Drop the cached configuration of one tenant (or of all)."""
    for slug, entry in list(_BY_SLUG.items()):
        if tenant_id is None or entry.tenant.tenant_id == tenant_id:
            del _BY_SLUG[slug]
    if tenant_id is None:
        _STAGES.clear()
    else:
        _STAGES.pop(tenant_id, None)


def config_checked(tenant_id: int, version: int):  # -> contextvars.Token
    """Say that, in this task, the tenant's configuration is known to be at ``version``: its cached
    stages may be used (``pipeline.stage_map``). Reset with ``config_unchecked(token)``."""
    return _CHECKED.set((tenant_id, version))


def config_unchecked(token) -> None:  # type: ignore[no-untyped-def]
    _CHECKED.reset(token)


def checked_version(tenant_id: int) -> int | None:
    checked = _CHECKED.get()
    return checked[1] if checked is not None and checked[0] == tenant_id else None


def cached_stages(tenant_id: int) -> dict | None:
    """The tenant's stages cached at the version checked in this task, or None."""
    version = checked_version(tenant_id)
    hit = _STAGES.get(tenant_id)
    if version is None or hit is None or hit[0] != version:
        return None
    return hit[1]


def likely_stages(tenant_id: int) -> dict | None:
    """The tenant's cached stages when they were read at the version of the cached tenant: what
    ``cached_stages`` will most likely return once the version is checked. For work done ahead while
    the check is on its way (bot.dispatch's early parse), which the caller confirms afterwards."""
    hit = _STAGES.get(tenant_id)
    if hit is None or hit[0] != cached_version(tenant_id):
        return None
    return hit[1]


def cache_stages(tenant_id: int, stages: dict) -> None:
    """Keep stages read in a task that checked the version (read at or after it: never older)."""
    version = checked_version(tenant_id)
    if version is not None:
        _STAGES[tenant_id] = (version, stages)


async def list_tenants(conn: asyncpg.Connection, only_tenant_id: int | None = None) -> list[Tenant]:
    return [_tenant(r) for r in await queries.tenant_list(conn, only_tenant_id=only_tenant_id)]


# Secrets are write-only: every answer and every printout shows them masked (``mask``); a masked
# value sent back (a GET edited and PATCHed) keeps the stored secret.
SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "wecom": ("token", "encoding_aes_key", "secret"),
    "miniapp": ("secret",),
    "mp": ("token", "encoding_aes_key", "secret"),
}
MASK = "****"


def mask(value: str) -> str:
    """``****`` and the last 4 characters of a long secret (enough to tell two apart), ``****``
    alone for a short one, ``""`` when none is set."""
    if not value:
        return ""
    return MASK + (value[-4:] if len(value) >= 12 else "")


def is_masked(value: object) -> bool:
    return isinstance(value, str) and value.startswith(MASK)


def masked(tenant: Tenant) -> Tenant:
    """The tenant as it may leave the server: every secret masked."""
    blocks = {}
    for block, fields in SECRET_FIELDS.items():
        config = getattr(tenant, block)
        blocks[block] = msgspec.structs.replace(config, **{f: mask(getattr(config, f)) for f in fields})
    return msgspec.structs.replace(tenant, **blocks)


async def update_tenant(conn: asyncpg.Connection, tenant_id: int, data: TenantUpdate) -> Tenant:
    values = {f: getattr(data, f) for f in data.__struct_fields__}
    values = {k: (None if v is msgspec.UNSET else v) for k, v in values.items()}
    if values["timezone"] is not None:
        _check_timezone(values["timezone"])
    current = await get_tenant(conn, tenant_id)
    for key in ("wecom", "miniapp", "mp", "aibot"):
        if values[key] is not None:
            values[key] = msgspec.to_builtins(values[key])
            if key == "aibot":  # merged into the stored config: a masked echo is simply left out
                values[key] = {f: v for f, v in values[key].items() if not is_masked(v)}
                continue
            for f in SECRET_FIELDS.get(key, ()):
                if is_masked(values[key].get(f)):  # echoed back masked: keep the stored secret
                    values[key][f] = getattr(getattr(current, key), f)
    await queries.tenant_update(conn, tenant_id=tenant_id, **values)
    return await get_tenant(conn, tenant_id)


async def create_team(conn: asyncpg.Connection, tenant_id: int, name: str) -> Team:
    row = await queries.team_insert(conn, tenant_id=tenant_id, name=name)
    return Team(**dict(row))


async def list_teams(conn: asyncpg.Connection, tenant_id: int) -> list[Team]:
    return [Team(**dict(r)) for r in await queries.team_list(conn, tenant_id=tenant_id)]


async def get_user(conn: asyncpg.Connection, tenant_id: int, user_id: int) -> User:
    row = await queries.user_get(conn, tenant_id=tenant_id, user_id=user_id)
    if row is None:
        raise NotFound(f"no user {user_id}")
    return User(**dict(row))


async def create_user(conn: asyncpg.Connection, tenant_id: int, data: UserCreate) -> User:
    async with conn.transaction():
        team_id = (await create_team(conn, tenant_id, data.team)).team_id if data.team else None
        try:
            async with conn.transaction():
                user_id = await queries.user_insert(
                    conn, tenant_id=tenant_id, name=data.name, role=data.role, team_id=team_id,
                    wecom_userid=data.wecom_userid, phone=data.phone, email=data.email, lang=data.lang,
                )
        except asyncpg.UniqueViolationError:
            raise Conflict(f"wecom_userid {data.wecom_userid!r} is taken in this tenant", field="wecom_userid") from None
    return await get_user(conn, tenant_id, user_id)


async def update_user(conn: asyncpg.Connection, tenant_id: int, user_id: int, data: UserUpdate) -> User:
    await get_user(conn, tenant_id, user_id)
    changes = {f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not msgspec.UNSET}
    if "team" in changes:
        team = changes.pop("team")
        changes["team_id"] = (await create_team(conn, tenant_id, team)).team_id if team else None
    if changes:
        sets = ", ".join(f"{col} = ${i + 3}" for i, col in enumerate(changes))
        try:
            async with conn.transaction():
                await conn.execute(
                    f"UPDATE users SET {sets} WHERE tenant_id = $1 AND user_id = $2",
                    tenant_id, user_id, *changes.values(),
                )
        except asyncpg.UniqueViolationError:
            raise Conflict("wecom_userid is taken in this tenant", field="wecom_userid") from None
    return await get_user(conn, tenant_id, user_id)


async def list_users(conn: asyncpg.Connection, tenant_id: int) -> list[User]:
    return [User(**dict(r)) for r in await queries.user_list(conn, tenant_id=tenant_id)]


def _actor(tenant_id: int, row: asyncpg.Record) -> Actor:
    return Actor(
        tenant_id=tenant_id, user_id=row["user_id"], role=row["role"], team_id=row["team_id"],
        name=row["name"], lang=row["lang"], wecom_userid=row["wecom_userid"],
    )


async def actor_for_user(conn: asyncpg.Connection, tenant_id: int, user_id: int) -> Actor:
    row = await queries.user_actor(conn, tenant_id=tenant_id, user_id=user_id)
    if row is None:
        raise NotFound(f"no active user {user_id}")
    return _actor(tenant_id, row)


async def actor_for_wecom(conn: asyncpg.Connection, tenant_id: int, wecom_userid: str) -> Actor | None:
    row = await queries.user_by_wecom(conn, tenant_id=tenant_id, wecom_userid=wecom_userid)
    return _actor(tenant_id, row) if row else None


async def actor_for_openid(conn: asyncpg.Connection, tenant_id: int, openid: str) -> Actor | None:
    row = await queries.user_by_openid(conn, tenant_id=tenant_id, openid=openid)
    return _actor(tenant_id, row) if row else None

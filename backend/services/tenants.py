"""Tenants, their admin tokens, teams and users."""

from __future__ import annotations

import hashlib
import secrets
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
    data["wecom"] = msgspec.convert(data["wecom"], WecomConfig)
    data["miniapp"] = msgspec.convert(data["miniapp"], MiniappConfig)
    data["mp"] = msgspec.convert(data["mp"], MpConfig)
    return Tenant(**data)


async def create_tenant(conn: asyncpg.Connection, data: TenantCreate) -> TenantCreated:
    _check_timezone(data.timezone)
    async with conn.transaction():
        try:
            async with conn.transaction():
                tenant_id = await queries.tenant_insert(
                    conn, slug=data.slug, name=data.name, timezone=data.timezone,
                    wecom=msgspec.to_builtins(data.wecom), miniapp=msgspec.to_builtins(data.miniapp),
                    mp=msgspec.to_builtins(data.mp), digest_time=data.digest_time,
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
    for key in ("wecom", "miniapp", "mp"):
        if values[key] is not None:
            values[key] = msgspec.to_builtins(values[key])
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

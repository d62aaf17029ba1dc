"""A tenant's pipeline stages (the default LTC pipeline is created with every tenant)."""

from __future__ import annotations

import asyncpg
import msgspec

from backend.db.queries import queries
from backend.errors import Invalid, NotFound
from schemas.deals import DEFAULT_PIPELINE, Stage, StageUpdate


async def create_default_stages(conn: asyncpg.Connection, tenant_id: int) -> None:
    for stage in DEFAULT_PIPELINE:
        await queries.stage_insert(conn, tenant_id=tenant_id, **msgspec.structs.asdict(stage))


async def list_stages(conn: asyncpg.Connection, tenant_id: int) -> list[Stage]:
    rows = await queries.stage_list(conn, tenant_id=tenant_id)
    return [Stage(**dict(r)) for r in rows]


async def stage_map(conn: asyncpg.Connection, tenant_id: int) -> dict[str, Stage]:
    """The stages by key, in pipeline order. A callback that checked the tenant's config version gets
    this process's cached copy (``tenants.cached_stages``); everything else reads them."""
    from backend.services import tenants  # tenants imports this module

    cached = tenants.cached_stages(tenant_id)
    if cached is not None:
        return dict(cached)
    stages = {s.key: s for s in await list_stages(conn, tenant_id)}
    tenants.cache_stages(tenant_id, stages)
    return dict(stages)


async def require_stage(conn: asyncpg.Connection, tenant_id: int, key: str) -> Stage:
    stages = await stage_map(conn, tenant_id)
    if key not in stages:
        raise Invalid(f"unknown stage {key!r}; stages are: {', '.join(stages)}", field="stage")
    return stages[key]


async def update_stage(conn: asyncpg.Connection, tenant_id: int, key: str, data: StageUpdate) -> Stage:
    changes = {f: getattr(data, f) for f in data.__struct_fields__}
    set_sla = changes["sla_days"] is not msgspec.UNSET
    params = {k: (None if v is msgspec.UNSET else v) for k, v in changes.items()}
    status = await queries.stage_update(conn, tenant_id=tenant_id, key=key, set_sla=set_sla, **params)
    if status.endswith(" 0"):
        raise NotFound(f"no stage {key!r}")
    return (await stage_map(conn, tenant_id))[key]


async def add_stage(conn: asyncpg.Connection, tenant_id: int, stage: Stage) -> Stage:
    try:
        async with conn.transaction():
            await queries.stage_insert(conn, tenant_id=tenant_id, **msgspec.structs.asdict(stage))
    except asyncpg.UniqueViolationError:
        raise Invalid(f"stage {stage.key!r} exists already", field="key") from None
    return stage

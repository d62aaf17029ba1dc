"""A tenant's nudge rules: stored as JSON, read through ``NudgeRules`` so defaults fill the gaps."""

from __future__ import annotations

import asyncpg
import msgspec

from backend import clock
from backend.db.queries import queries
from schemas.nudges import NudgeRules, NudgeRulesUpdate

DEFAULT = NudgeRules()


def from_json(data: dict | None) -> NudgeRules:
    """Stored rules; fields stored by an older version that no longer exist are ignored."""
    known = {k: v for k, v in (data or {}).items() if k in NudgeRules.__struct_fields__}
    return msgspec.convert(known, NudgeRules)


async def get_rules(conn: asyncpg.Connection, tenant_id: int) -> NudgeRules:
    return from_json(await queries.nudge_rules_get(conn, tenant_id=tenant_id))


async def update_rules(conn: asyncpg.Connection, tenant_id: int, update: NudgeRulesUpdate) -> NudgeRules:
    """Change some rules; the result is validated as a whole before it is stored."""
    async with conn.transaction():
        current = msgspec.to_builtins(await get_rules(conn, tenant_id))
        changes = {f: getattr(update, f) for f in update.__struct_fields__ if getattr(update, f) is not msgspec.UNSET}
        merged = msgspec.convert(current | changes, NudgeRules)
        await queries.nudge_rules_put(conn, tenant_id=tenant_id, rules=msgspec.to_builtins(merged), now=clock.now())
    return merged


async def reset_rules(conn: asyncpg.Connection, tenant_id: int) -> NudgeRules:
    await queries.nudge_rules_delete(conn, tenant_id=tenant_id)
    return DEFAULT

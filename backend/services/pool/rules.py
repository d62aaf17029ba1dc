"""A tenant's pool and tier rules: stored as JSON, read through ``PoolRules`` so defaults fill gaps."""

from __future__ import annotations

import asyncpg
import msgspec

from backend import clock
from backend.db.queries import queries
from backend.errors import Invalid
from schemas.pool import PoolRules, PoolRulesUpdate

DEFAULT = PoolRules()


def from_json(data: dict | None) -> PoolRules:
    """Stored rules; fields an older version stored that no longer exist are ignored."""
    known = {k: v for k, v in (data or {}).items() if k in PoolRules.__struct_fields__}
    try:
        return msgspec.convert(known, PoolRules)
    except msgspec.ValidationError:
        return DEFAULT


async def get_rules(conn: asyncpg.Connection, tenant_id: int) -> PoolRules:
    return from_json(await queries.pool_rules_get(conn, tenant_id=tenant_id))


async def update_rules(conn: asyncpg.Connection, tenant_id: int, update: PoolRulesUpdate) -> PoolRules:
    """Change some rules; the result is validated as a whole (tier_b ≤ tier_a …) before it is stored."""
    async with conn.transaction():
        current = msgspec.to_builtins(await get_rules(conn, tenant_id))
        changes = {f: getattr(update, f) for f in update.__struct_fields__ if getattr(update, f) is not msgspec.UNSET}
        for name in ("stage_days", "tier_factor"):  # merged key by key
            if name in changes:
                changes[name] = current[name] | changes[name]
        try:
            merged = msgspec.convert(current | changes, PoolRules)
        except msgspec.ValidationError as exc:
            raise Invalid(str(exc), field=next(iter(changes), None)) from None
        await queries.pool_rules_put(conn, tenant_id=tenant_id, rules=msgspec.to_builtins(merged), now=clock.now())
    return merged


async def reset_rules(conn: asyncpg.Connection, tenant_id: int) -> PoolRules:
    await queries.pool_rules_delete(conn, tenant_id=tenant_id)
    return DEFAULT


def parse_pairs(pairs: tuple[str, ...] | list[str]) -> PoolRulesUpdate:
    """``idle_days=20 stage_days.lead=7 tier_factor.A=2`` (the CLI) → an update."""
    data: dict = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise Invalid(f"expected field=value, got {pair!r}")
        parsed = msgspec.json.decode(value) if value[:1] in "0123456789-[{tf" and value not in ("",) else value
        if "." in key:
            outer, inner = key.split(".", 1)
            data.setdefault(outer, {})[inner] = parsed
        else:
            data[key] = parsed
    try:
        return msgspec.convert(data, PoolRulesUpdate)
    except msgspec.ValidationError as exc:
        raise Invalid(str(exc)) from None

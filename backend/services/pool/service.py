"""Release, claim and keep: what reps and managers do with the pool (chat, mini-program, admin).

A rep releases their own open deal (a manager their team's); it goes to the pool of the owner's
team with its history. A rep claims from their team's pool: a daily cap, a cool-down before the
previous owner may take it back, and of two reps claiming at once the second is told who has it.
"Keep" restarts a deal's recycle clock with a reason; a rep may keep a deal at most
``max_keeps`` times in a row (no activity in between) before a manager must.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from backend import clock
from backend.db.queries import queries
from backend.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from backend.services.nudges import manners
from backend.services.pool import rules as pool_rules
from schemas.deals import TERMINAL_STAGES
from schemas.pool import PoolDeal, PoolEvent
from schemas.users import Actor

_LOCK = 0x706F_6F6C  # "pool": per-user advisory lock class (claims are counted under it)


class AlreadyClaimed(Conflict):
    """Someone took the deal first (or it is not in the pool)."""

    def __init__(self, owner: str | None, *, mine: bool = False) -> None:
        super().__init__(f"{owner or 'someone'} has this deal" if not mine else "this deal is yours already")
        self.owner = owner
        self.mine = mine


class ClaimCapReached(RateLimited):
    def __init__(self, cap: int, resets_at: dt.datetime) -> None:
        super().__init__(f"{cap} claims a day; the cap resets at {resets_at.isoformat()}")
        self.cap = cap
        self.resets_at = resets_at


class CoolingDown(Conflict):
    def __init__(self, until: dt.datetime) -> None:
        super().__init__(f"you returned this deal lately; you may claim it again from {until.isoformat()}")
        self.until = until


class TooManyKeeps(Conflict):
    def __init__(self, max_keeps: int) -> None:
        super().__init__(f"kept {max_keeps} times in a row without activity; a manager must keep it now")
        self.max_keeps = max_keeps


class NotYours(Forbidden):
    def __init__(self, owner: str | None) -> None:
        super().__init__(f"this deal belongs to {owner or 'someone else'}")
        self.owner = owner


class NotInPool(Conflict):
    def __init__(self) -> None:
        super().__init__("this deal is in the pool already")


def pool_deal(row: Any) -> PoolDeal:
    return PoolDeal(**{k: row[k] for k in PoolDeal.__struct_fields__ if k in row.keys()})


def _sees_pool(actor: Actor, pool_team_id: int | None) -> bool:
    return actor.role == "admin" or pool_team_id is None or pool_team_id == actor.team_id


async def state(conn: asyncpg.Connection, tenant_id: int, deal_id: int) -> Any:
    row = await queries.pool_deal_state(conn, tenant_id=tenant_id, deal_id=deal_id)
    if row is None:
        raise NotFound(f"no deal {deal_id}")
    return row


async def list_pool(conn: asyncpg.Connection, actor: Actor, *, limit: int = 20, offset: int = 0) -> list[PoolDeal]:
    """The actor's team's pool (an admin: every pool), most valuable first."""
    rows = await queries.pool_list(
        conn, tenant_id=actor.tenant_id, team_id=actor.team_id, everyone=actor.role == "admin",
        limit=limit, offset=offset,
    )
    return [pool_deal(r) for r in rows]


async def _locked_owned(conn: asyncpg.Connection, actor: Actor, deal_id: int) -> Any:
    """Lock the deal for this transaction and read its pool state; it must exist and have an owner."""
    if await queries.pool_lock_deal(conn, tenant_id=actor.tenant_id, deal_id=deal_id) is None:
        raise NotFound(f"no deal {deal_id}")
    row = await state(conn, actor.tenant_id, deal_id)
    if row["owner_id"] is None:
        raise NotInPool()
    return row


async def release(conn: asyncpg.Connection, actor: Actor, deal_id: int, reason: str | None = None) -> Any:
    """Put an owned open deal into its owner's team's pool; returns the deal's pool state."""
    reason = (reason or "").strip()[:200] or None
    now = clock.now()
    async with conn.transaction():
        row = await _locked_owned(conn, actor, deal_id)
        if row["owner_id"] != actor.user_id and not (
            actor.role == "admin"
            or (actor.role == "manager" and actor.team_id is not None and row["owner_team_id"] == actor.team_id)
        ):
            raise NotYours(row["owner"])
        if row["stage"] in TERMINAL_STAGES:
            raise Invalid("a won, paid or lost deal does not go back to the pool", field="stage")
        await queries.pool_release(conn, tenant_id=actor.tenant_id, deal_id=deal_id, owner_id=row["owner_id"],
                                   team_id=row["owner_team_id"], now=now)
        await queries.pool_event_insert(
            conn, tenant_id=actor.tenant_id, deal_id=deal_id, kind="release", owner_id=row["owner_id"],
            actor_id=actor.user_id or None, team_id=row["owner_team_id"], stage=row["stage"], idle_days=None,
            reason=reason, episode=None, now=now,
        )
    return await state(conn, actor.tenant_id, deal_id)


async def _lock_user(conn: asyncpg.Connection, actor: Actor) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", _LOCK, f"{actor.tenant_id}:{actor.user_id}")


async def claim(conn: asyncpg.Connection, actor: Actor, deal_id: int, *, timezone: str = "Asia/Shanghai") -> Any:
    """Take a deal from the pool; returns its new state. Raises ``AlreadyClaimed`` (with who has it),
    ``ClaimCapReached`` (with when the cap resets), ``CoolingDown`` or ``Forbidden``."""
    rules = await pool_rules.get_rules(conn, actor.tenant_id)
    now = clock.now()
    async with conn.transaction():
        await _lock_user(conn, actor)  # the day's claims are counted and taken one at a time per rep
        row = await state(conn, actor.tenant_id, deal_id)
        if row["owner_id"] is not None:
            raise AlreadyClaimed(row["owner"], mine=row["owner_id"] == actor.user_id)
        if not _sees_pool(actor, row["pool_team_id"]):
            raise Forbidden("this deal is in another team's pool")
        if (rules.cooldown_days and row["prev_owner_id"] == actor.user_id
                and now < row["pooled_at"] + dt.timedelta(days=rules.cooldown_days)):
            raise CoolingDown(row["pooled_at"] + dt.timedelta(days=rules.cooldown_days))
        today = manners.local_day(now, timezone)
        since = manners.day_start(today, timezone)
        taken = await queries.pool_claims_since(conn, tenant_id=actor.tenant_id, user_id=actor.user_id, since=since)
        if taken >= rules.claim_cap:
            raise ClaimCapReached(rules.claim_cap, manners.day_start(today + dt.timedelta(days=1), timezone))
        done = await queries.pool_claim(conn, tenant_id=actor.tenant_id, deal_id=deal_id, user_id=actor.user_id, now=now)
        if done is None:  # another rep's claim committed between our read and our update
            fresh = await state(conn, actor.tenant_id, deal_id)
            raise AlreadyClaimed(fresh["owner"], mine=fresh["owner_id"] == actor.user_id)
        await queries.pool_event_insert(
            conn, tenant_id=actor.tenant_id, deal_id=deal_id, kind="claim", owner_id=actor.user_id,
            actor_id=actor.user_id, team_id=row["pool_team_id"], stage=row["stage"], idle_days=None,
            reason=None, episode=None, now=now,
        )
    return await state(conn, actor.tenant_id, deal_id)


async def keep(conn: asyncpg.Connection, actor: Actor, deal_id: int, reason: str) -> Any:
    """Keep a deal out of the pool for another full period, with a reason."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid("say why you keep it (a reason of 2 characters or more)", field="reason")
    rules = await pool_rules.get_rules(conn, actor.tenant_id)
    now = clock.now()
    async with conn.transaction():
        row = await _locked_owned(conn, actor, deal_id)
        as_manager = actor.role == "admin" or (
            actor.role == "manager" and actor.team_id is not None and row["owner_team_id"] == actor.team_id
        )
        if row["owner_id"] != actor.user_id and not as_manager:
            raise NotYours(row["owner"])
        if as_manager and row["owner_id"] != actor.user_id:
            streak = 0
        else:
            touched = row["kept_at"] is None or (row["last_activity_at"] or row["created_at"]) > row["kept_at"]
            streak = 1 if touched else row["keep_streak"] + 1
            if streak > rules.max_keeps and actor.role == "rep":
                raise TooManyKeeps(rules.max_keeps)
        await queries.pool_keep(conn, tenant_id=actor.tenant_id, deal_id=deal_id, streak=streak, now=now)
        await queries.pool_event_insert(
            conn, tenant_id=actor.tenant_id, deal_id=deal_id, kind="keep", owner_id=row["owner_id"],
            actor_id=actor.user_id or None, team_id=row["owner_team_id"], stage=row["stage"], idle_days=None,
            reason=reason[:200], episode=None, now=now,
        )
    return await state(conn, actor.tenant_id, deal_id)


async def events(conn: asyncpg.Connection, tenant_id: int, *, deal_id: int | None = None, limit: int = 100) -> list[PoolEvent]:
    rows = await queries.pool_events(conn, tenant_id=tenant_id, deal_id=deal_id, limit=limit)
    return [PoolEvent(**dict(r)) for r in rows]


async def undo(conn: asyncpg.Connection, actor: Actor, op: str, deal_id: int, data: dict) -> bool:
    """Revert the actor's release (``pool_release``) or claim (``pool_claim``) made just before;
    False when the deal moved on meanwhile (someone claimed it, it was released again)."""
    now = clock.now()
    async with conn.transaction():
        if op == "pool_release":
            done = await queries.pool_undo_release(conn, tenant_id=actor.tenant_id, deal_id=deal_id,
                                                   user_id=actor.user_id, now=now)
            kind = "release"
        else:
            pooled_at = dt.datetime.fromisoformat(data["pooled_at"]) if data.get("pooled_at") else now
            done = await queries.pool_undo_claim(
                conn, tenant_id=actor.tenant_id, deal_id=deal_id, user_id=actor.user_id, pooled_at=pooled_at,
                pool_team_id=data.get("pool_team_id"), prev_owner_id=data.get("prev_owner_id"), now=now)
            kind = "claim"
        if done is None:
            return False
        await queries.pool_event_delete_last(conn, tenant_id=actor.tenant_id, deal_id=deal_id, kind=kind,
                                             user_id=actor.user_id)
    return True

"""The mini-program workbench's funnel (a rep's or a team's) and a manager's team views.

Scope follows the actor: a rep sees their own deals; a manager their team's; an admin the
tenant's. Weighted amount = amount × the stage's probability, over open deals.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend import clock
from backend.db.queries import queries
from backend.errors import Forbidden
from schemas.deals import CLOSED_STAGES
from schemas.miniapp import Funnel, FunnelStage, RepActivity, StalledDeal, TeamActivity
from schemas.users import Actor

OPEN_EXCLUDED = CLOSED_STAGES | {"won"}


def _funnel(rows: list[asyncpg.Record]) -> Funnel:
    stages = [
        FunnelStage(stage=r["stage"], name_zh=r["name_zh"], probability=r["probability"], deals=r["deals"],
                    amount=r["amount"], weighted=round(r["weighted"]))
        for r in rows
    ]
    open_ = [s for s in stages if s.stage not in OPEN_EXCLUDED]
    return Funnel(
        stages=stages,
        open_deals=sum(s.deals for s in open_),
        open_amount=sum(s.amount for s in open_),
        weighted_amount=sum(s.weighted for s in open_),
        won_amount=sum(s.amount for s in stages if s.stage in ("won", "paid")),
    )


async def my_funnel(conn: asyncpg.Connection, actor: Actor) -> Funnel:
    rows = await queries.miniapp_funnel(
        conn, tenant_id=actor.tenant_id, owner_id=actor.user_id, team_id=None, everyone=False
    )
    return _funnel(rows)


def _team_scope(actor: Actor) -> dict:
    """The team a manager sees (an admin: the whole tenant)."""
    if actor.role == "admin":
        return {"team_id": None, "everyone": True}
    if actor.role == "manager":
        if actor.team_id is None:
            raise Forbidden("you lead no team yet; ask an admin to put you in one")
        return {"team_id": actor.team_id, "everyone": False}
    raise Forbidden("the team view is for managers")


async def team_funnel(conn: asyncpg.Connection, actor: Actor) -> Funnel:
    scope = _team_scope(actor)
    rows = await queries.miniapp_funnel(conn, tenant_id=actor.tenant_id, owner_id=None, **scope)
    return _funnel(rows)


async def team_stalled(conn: asyncpg.Connection, actor: Actor, *, limit: int = 20) -> list[StalledDeal]:
    scope = _team_scope(actor)
    rows = await queries.miniapp_stalled(
        conn, tenant_id=actor.tenant_id, team_id=scope["team_id"], now=clock.now(), limit=limit
    )
    return [
        StalledDeal(
            deal_id=r["deal_id"], title=r["title"], company=r["company"], stage=r["stage"],
            stage_name=r["stage_name"], amount=r["amount"], owner_id=r["owner_id"], owner=r["owner"],
            days_in_stage=round(float(r["days_in_stage"]), 1), sla_days=r["sla_days"],
            stage_entered_at=r["stage_entered_at"], last_activity_at=r["last_activity_at"],
        )
        for r in rows
    ]


async def team_activity(conn: asyncpg.Connection, actor: Actor, *, days: int = 7) -> TeamActivity:
    scope = _team_scope(actor)
    rows = await queries.miniapp_team_reps(
        conn, tenant_id=actor.tenant_id, team_id=scope["team_id"], since=clock.now() - dt.timedelta(days=days)
    )
    return TeamActivity(days=days, reps=[RepActivity(**dict(r)) for r in rows])

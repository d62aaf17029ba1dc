"""The figures of a manager's daily digest and weekly review, from the database, team-scoped.

"Yesterday" is the manager's tenant's local yesterday ([00:00, 24:00) in its timezone); the
conversion looks back 30 days, the trend 14 days (ending yesterday).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from backend.db.queries import queries
from backend.errors import NotFound
from backend.services.nudges import manners
from schemas.digests import (
    ClosedDeal,
    Conversion,
    DigestFigures,
    Engagement,
    FunnelStage,
    PeriodCounts,
    SourceCount,
    StageMove,
    StalledDeal,
    TrendDay,
    WeeklyFigures,
)
from schemas.tenants import Tenant

STALLED_TOP = 5
CONVERSION_DAYS = 30
TREND_DAYS = 14


async def manager_row(conn: asyncpg.Connection, tenant_id: int, manager_id: int) -> Any:
    rows = await queries.digest_managers(conn, tenant_id=tenant_id, manager_id=manager_id)
    if not rows:
        raise NotFound(f"no active manager {manager_id} in this tenant")
    return rows[0]


def _funnel(rows: list[Any]) -> list[FunnelStage]:
    return [FunnelStage(stage=r["stage"], name=r["name"], count=r["count"], amount=r["amount"]) for r in rows]


async def daily(conn: asyncpg.Connection, tenant: Tenant, manager: Any, now: dt.datetime) -> DigestFigures:
    """The daily digest's figures for ``manager`` (a ``digest_managers`` row) as of ``now``."""
    tz = tenant.timezone
    today = manners.local_day(now, tz)
    since, until = manners.day_start(today - dt.timedelta(days=1), tz), manners.day_start(today, tz)
    scope = {"tenant_id": tenant.tenant_id, "team_id": manager["team_id"]}
    window = scope | {"since": since, "until": until}

    leads = [SourceCount(**dict(r)) for r in await queries.digest_new_leads(conn, **window)]
    moves = [StageMove(**dict(r)) for r in await queries.digest_stage_moves(conn, **window)]
    closed = [ClosedDeal(**dict(r)) for r in await queries.digest_closed(conn, **window)]
    stalled_rows = await queries.digest_stalled(conn, **scope, now=now, limit=STALLED_TOP)
    funnel_rows = await queries.digest_funnel(conn, **scope)
    conv_rows = await queries.digest_conversion(
        conn, **scope, since=until - dt.timedelta(days=CONVERSION_DAYS), until=until
    )
    engagement = await queries.digest_engagement(conn, **window)
    idle = await queries.digest_idle_reps(conn, **window)
    trend = await _trend(conn, scope, tz, today, until)
    pool = await queries.pool_counts(conn, **window)
    return DigestFigures(
        tenant_id=tenant.tenant_id, manager_id=manager["user_id"], manager_name=manager["name"],
        team=manager["team"], day=today, since=since, until=until,
        new_leads=leads, new_leads_total=sum(s.count for s in leads), stage_moves=moves,
        won=[c for c in closed if c.outcome == "won"], lost=[c for c in closed if c.outcome == "lost"],
        stalled_total=stalled_rows[0]["total"] if stalled_rows else 0,
        stalled_top=[StalledDeal(**{k: r[k] for k in StalledDeal.__struct_fields__}) for r in stalled_rows],
        open_count=sum(r["count"] for r in funnel_rows if r["stage"] != "won"),
        open_amount=sum(r["amount"] for r in funnel_rows if r["stage"] != "won"),
        weighted_pipeline=round(sum(r["weighted"] for r in funnel_rows if r["stage"] != "won")),
        conversion=[
            Conversion(stage=r["stage"], name=r["name"], next_name=r["next_name"], entered=r["entered"],
                       advanced=r["advanced"], rate=(r["advanced"] / r["entered"]) if r["entered"] else None)
            for r in conv_rows
        ],
        engagement=Engagement(**dict(engagement)) if engagement else Engagement(),
        idle_reps=[r["name"] for r in idle],
        funnel=_funnel(funnel_rows),
        trend=trend,
        pool_returned=pool["returned"], pool_recycled=pool["recycled"], pool_claimed=pool["claimed"],
    )


async def _trend(conn: asyncpg.Connection, scope: dict, tz: str, today: dt.date, until: dt.datetime) -> list[TrendDay]:
    first = today - dt.timedelta(days=TREND_DAYS)
    days = {first + dt.timedelta(days=i): TrendDay(day=first + dt.timedelta(days=i)) for i in range(TREND_DAYS)}
    rows = await queries.digest_trend(conn, **scope, tz=tz, since=manners.day_start(first, tz), until=until)
    for r in rows:
        day = days.get(r["day"])
        if day is None:
            continue
        if r["series"] == "leads":
            day.leads = r["n"]
        elif r["series"] == "moves":
            day.moves = r["n"]
        elif r["series"] == "won":
            day.won, day.won_amount = r["n"], r["amount"]
            day.moves += r["n"]
        else:
            day.views = r["n"]
    return list(days.values())


async def weekly(conn: asyncpg.Connection, tenant: Tenant, manager: Any, now: dt.datetime) -> WeeklyFigures:
    """Last week (Monday to Sunday, local) against the week before, and the funnel then and now."""
    tz = tenant.timezone
    today = manners.local_day(now, tz)
    this_monday = today - dt.timedelta(days=today.weekday())
    week_start = this_monday - dt.timedelta(days=7)
    scope = {"tenant_id": tenant.tenant_id, "team_id": manager["team_id"]}
    bounds = [manners.day_start(week_start + dt.timedelta(days=7 * i), tz) for i in (-1, 0, 1)]
    last = await queries.digest_period_counts(conn, **scope, since=bounds[1], until=bounds[2])
    before = await queries.digest_period_counts(conn, **scope, since=bounds[0], until=bounds[1])
    return WeeklyFigures(
        tenant_id=tenant.tenant_id, manager_id=manager["user_id"], manager_name=manager["name"], team=manager["team"],
        week_start=week_start, this_week=PeriodCounts(**dict(last)), last_week=PeriodCounts(**dict(before)),
        funnel_now=_funnel(await queries.digest_funnel_at(conn, **scope, at=bounds[2])),
        funnel_week_ago=_funnel(await queries.digest_funnel_at(conn, **scope, at=bounds[1])),
    )

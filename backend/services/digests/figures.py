"""The figures of a manager's daily digest and weekly review, from the database, team-scoped.

"Yesterday" is the manager's tenant's local yesterday ([00:00, 24:00) in its timezone); the
conversion looks back 30 days, the trend 14 days (ending yesterday).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
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
    return (await daily_many(conn, [(tenant, manager)], now))[0]


def _by_manager(rows: list[Any]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        out[r["manager_id"]].append(r)
    return out


def _fields(row: Any, cls: Any) -> dict[str, Any]:
    return {k: row[k] for k in cls.__struct_fields__ if k in row.keys()}


async def daily_many(conn: asyncpg.Connection, managers: list[tuple[Tenant, Any]], now: dt.datetime) -> list[DigestFigures]:
    """The daily digests of many managers at once, in their order: one statement per figure for
    all of them (``digest_many_*`` in digests.sql), then assembled per manager."""
    if not managers:
        return []
    params: dict[str, list[Any]] = defaultdict(list)
    windows = []
    for tenant, manager in managers:
        tz = tenant.timezone
        today = manners.local_day(now, tz)
        since, until = manners.day_start(today - dt.timedelta(days=1), tz), manners.day_start(today, tz)
        first = today - dt.timedelta(days=TREND_DAYS)
        windows.append((today, since, until, first))
        params["manager_ids"].append(manager["user_id"])
        params["tenant_ids"].append(tenant.tenant_id)
        params["team_ids"].append(manager["team_id"])
        params["since"].append(since)
        params["until"].append(until)
        params["conv_since"].append(until - dt.timedelta(days=CONVERSION_DAYS))
        params["trend_since"].append(manners.day_start(first, tz))
        params["tz"].append(tz)
    scope = await queries.digest_many_scope(conn, manager_ids=params["manager_ids"], tenant_ids=params["tenant_ids"],
                                            team_ids=params["team_ids"])
    params["scope_managers"] = [r["manager_id"] for r in scope]
    params["scope_users"] = [r["user_id"] for r in scope]
    leads = _by_manager(await queries.digest_many_new_leads(conn, **params))
    moves = _by_manager(await queries.digest_many_stage_moves(conn, **params))
    closed = _by_manager(await queries.digest_many_closed(conn, **params))
    stalled = _by_manager(await queries.digest_many_stalled(conn, **params, now=now, limit=STALLED_TOP))
    funnel = _by_manager(await queries.digest_many_funnel(conn, **params))
    history = await _conversion(conn, params)  # the conversion and the trend's moves and wins
    conv = _by_manager([r for r in history if r["part"] == "conv"])
    engagement = {r["manager_id"]: r for r in await queries.digest_many_engagement(conn, **params)}
    idle = _by_manager(await queries.digest_many_idle_reps(conn, **params))
    trend = _by_manager([*await queries.digest_many_trend(conn, **params),
                         *(r for r in history if r["part"] == "trend")])
    pool = {r["manager_id"]: r for r in await queries.digest_many_pool(conn, **params)}
    out = []
    for (tenant, manager), (today, since, until, first) in zip(managers, windows):
        mid = manager["user_id"]
        source_counts = [SourceCount(**_fields(r, SourceCount)) for r in leads.get(mid, [])]
        closed_deals = [ClosedDeal(**_fields(r, ClosedDeal)) for r in closed.get(mid, [])]
        stalled_rows = stalled.get(mid, [])
        funnel_rows = funnel.get(mid, [])
        eng = engagement.get(mid)
        out.append(DigestFigures(
            tenant_id=tenant.tenant_id, manager_id=mid, manager_name=manager["name"],
            team=manager["team"], day=today, since=since, until=until,
            new_leads=source_counts, new_leads_total=sum(s.count for s in source_counts),
            stage_moves=[StageMove(**_fields(r, StageMove)) for r in moves.get(mid, [])],
            won=[c for c in closed_deals if c.outcome == "won"], lost=[c for c in closed_deals if c.outcome == "lost"],
            stalled_total=stalled_rows[0]["total"] if stalled_rows else 0,
            stalled_top=[StalledDeal(**_fields(r, StalledDeal)) for r in stalled_rows],
            open_count=sum(r["count"] for r in funnel_rows if r["stage"] != "won"),
            open_amount=sum(r["amount"] for r in funnel_rows if r["stage"] != "won"),
            weighted_pipeline=round(sum(r["weighted"] for r in funnel_rows if r["stage"] != "won")),
            conversion=[
                Conversion(stage=r["stage"], name=r["name"], next_name=r["next_name"], entered=r["entered"],
                           advanced=r["advanced"], rate=(r["advanced"] / r["entered"]) if r["entered"] else None)
                for r in conv.get(mid, [])
            ],
            engagement=Engagement(**_fields(eng, Engagement)) if eng else Engagement(),
            idle_reps=[r["name"] for r in idle.get(mid, [])],
            funnel=_funnel(funnel_rows),
            trend=_trend_days(trend.get(mid, []), first),
            pool_returned=pool[mid]["returned"] if mid in pool else 0,
            pool_recycled=pool[mid]["recycled"] if mid in pool else 0,
            pool_claimed=pool[mid]["claimed"] if mid in pool else 0,
        ))
    return out


async def _conversion(conn: asyncpg.Connection, params: dict[str, list[Any]]) -> list[Any]:
    """``digest_many_conversion`` (the conversion, and the trend's moves and wins, from the last 30
    days of history) joined by hash only: PostgreSQL cannot estimate what a window
    over the history leaves (it guesses a few hundred rows of ~a million), and a nested loop
    against every manager's scope on that guess took minutes. Scoped to this statement."""
    async with conn.transaction():
        await conn.execute("SET LOCAL enable_nestloop = off")
        rows = await queries.digest_many_conversion(conn, **params)
        await conn.execute("SET LOCAL enable_nestloop = on")
    return rows


def _trend_days(rows: list[Any], first: dt.date) -> list[TrendDay]:
    days = {first + dt.timedelta(days=i): TrendDay(day=first + dt.timedelta(days=i)) for i in range(TREND_DAYS)}
    for r in rows:
        day = days.get(r["day"])
        if day is None:
            continue
        if r["series"] == "leads":
            day.leads = r["n"]
        elif r["series"] == "moves":
            day.moves += r["n"]  # the wins add theirs, whichever row comes first
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

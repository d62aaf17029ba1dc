"""Manager digests: the daily figures (what the markdown and the H5 page show) and the weekly review."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec


class SourceCount(msgspec.Struct, kw_only=True):
    source: str
    count: int
    amount: int


class StageMove(msgspec.Struct, kw_only=True):
    from_stage: str
    to_stage: str
    from_name: str
    to_name: str
    count: int
    forward: bool


class ClosedDeal(msgspec.Struct, kw_only=True):
    outcome: Literal["won", "lost"]
    deal_id: int
    title: str
    owner: str
    amount: int | None
    reason: str | None = None


class StalledDeal(msgspec.Struct, kw_only=True):
    deal_id: int
    title: str
    owner: str
    stage_name: str
    amount: int | None
    days_over: int


class Conversion(msgspec.Struct, kw_only=True):
    stage: str
    name: str
    next_name: str
    entered: int
    advanced: int
    rate: float | None  # advanced / entered; None when nothing entered


class Engagement(msgspec.Struct, kw_only=True):
    views: int = 0
    visitors: int = 0
    forwards: int = 0
    inquiries: int = 0
    tap_phone: int = 0
    dwell_minutes: int = 0


class FunnelStage(msgspec.Struct, kw_only=True):
    stage: str
    name: str
    count: int
    amount: int


class TrendDay(msgspec.Struct, kw_only=True):
    day: dt.date
    leads: int = 0
    moves: int = 0
    won: int = 0
    won_amount: int = 0
    views: int = 0


class DigestFigures(msgspec.Struct, kw_only=True):
    tenant_id: int
    manager_id: int
    manager_name: str
    team: str | None
    day: dt.date                 # the manager's local day the digest is for (it reports the day before)
    since: dt.datetime
    until: dt.datetime
    new_leads: list[SourceCount]
    new_leads_total: int
    stage_moves: list[StageMove]
    won: list[ClosedDeal]
    lost: list[ClosedDeal]
    stalled_total: int
    stalled_top: list[StalledDeal]
    open_count: int
    open_amount: int
    weighted_pipeline: int
    conversion: list[Conversion]
    engagement: Engagement
    idle_reps: list[str]
    funnel: list[FunnelStage]
    trend: list[TrendDay]
    pool_returned: int = 0       # deals that went back to the team's pool (公海) in the window
    pool_recycled: int = 0       # … of which the recycle job took back (idle)
    pool_claimed: int = 0        # deals claimed from the team's pool in the window


class PeriodCounts(msgspec.Struct, kw_only=True):
    leads: int = 0
    advances: int = 0
    won: int = 0
    won_amount: int = 0
    lost: int = 0
    activities: int = 0
    views: int = 0


class WeeklyFigures(msgspec.Struct, kw_only=True):
    tenant_id: int
    manager_id: int
    manager_name: str
    team: str | None
    week_start: dt.date          # Monday of the week reviewed
    this_week: PeriodCounts
    last_week: PeriodCounts
    funnel_now: list[FunnelStage]
    funnel_week_ago: list[FunnelStage]

"""The mini-program API's own records: sessions, the signed-in person, workbench and team views."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from schemas.base import Base
from schemas.deals import Activity, Deal, StageChange
from schemas.types import Slug

LoginCode = Annotated[str, Meta(min_length=1, max_length=128)]
SessionRole = Literal["customer", "rep", "manager", "admin"]


class SessionCreate(Base, kw_only=True):
    """``wx.login``'s code, for the tenant (company) whose mini-program this is."""

    tenant: Slug
    code: LoginCode


class Me(msgspec.Struct, kw_only=True):
    role: SessionRole
    visitor_id: int
    user_id: int | None = None
    name: str | None = None
    team_id: int | None = None


class SessionCreated(msgspec.Struct, kw_only=True):
    token: str  # send as ``Authorization: Bearer <token>``; shown once
    expires_at: dt.datetime
    me: Me


class BindRequest(Base, kw_only=True):
    code: Annotated[str, Meta(min_length=1, max_length=12)]


class DealDetail(msgspec.Struct, kw_only=True):
    deal: Deal
    history: list[StageChange]
    activities: list[Activity]


class FunnelStage(msgspec.Struct, kw_only=True):
    stage: str
    name_zh: str
    probability: float
    deals: int
    amount: int
    weighted: int


class Funnel(msgspec.Struct, kw_only=True):
    stages: list[FunnelStage]
    open_deals: int
    open_amount: int
    weighted_amount: int  # open deals' amount × stage probability
    won_amount: int  # won and paid


class StalledDeal(msgspec.Struct, kw_only=True):
    deal_id: int
    title: str
    company: str | None
    stage: str
    stage_name: str
    amount: int | None
    owner_id: int
    owner: str
    days_in_stage: float
    sla_days: int
    stage_entered_at: dt.datetime
    last_activity_at: dt.datetime | None


class RepActivity(msgspec.Struct, kw_only=True):
    user_id: int
    name: str
    role: str
    open_deals: int
    pipeline_amount: int
    activities: int  # in the window
    stage_moves: int
    card_views: int
    last_activity_at: dt.datetime | None


class TeamActivity(msgspec.Struct, kw_only=True):
    days: int
    reps: list[RepActivity]

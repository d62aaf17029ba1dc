"""Deals (商机; a lead is a deal in stage ``lead``), their stage history and the pipeline."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from schemas.base import Base
from schemas.types import Email, Id, LongText, Money, Name, Phone, ShortText, Source, StageKey


class LeadCreate(Base, kw_only=True):
    """A new customer: the company, the person, what they want and the budget."""

    company: Name
    contact_name: Name | None = None
    contact_title: ShortText | None = None
    phone: Phone | None = None
    email: Email | None = None
    product: ShortText | None = None
    amount: Money | None = None
    expected_close: dt.date | None = None
    next_step: ShortText | None = None
    source: Source = "api"
    owner_id: Id | None = None  # defaults to the acting user
    title: ShortText | None = None


class DealUpdate(Base, kw_only=True):
    amount: Money | None | UnsetType = UNSET
    expected_close: dt.date | None | UnsetType = UNSET
    next_step: ShortText | None | UnsetType = UNSET
    product: ShortText | None | UnsetType = UNSET
    stage: StageKey | UnsetType = UNSET
    reason: ShortText | None | UnsetType = UNSET  # lost reason, or why a deal moved back


class StageMove(Base, kw_only=True):
    stage: StageKey
    amount: Money | None = None
    reason: ShortText | None = None


class Deal(msgspec.Struct, kw_only=True):
    deal_id: int
    id: int = 0  # the same as deal_id, under the name the admin listing's readers expect
    title: str
    company: str | None
    contact_name: str | None
    contact_title: str | None = None
    phone: str | None
    email: str | None
    product: str | None = None
    stage: str
    amount: int | None
    owner_id: int | None  # None: the deal is in the shared pool (公海)
    owner: str | None = None
    source: str
    expected_close: dt.date | None = None
    next_step: str | None = None
    lost_reason: str | None = None
    stage_entered_at: dt.datetime
    last_activity_at: dt.datetime | None
    created_at: dt.datetime | None = None
    snoozed_until: dt.datetime | None = None
    tier: str | None = None  # the account's tier (A/B/C, 大客户 = A)
    pooled_at: dt.datetime | None = None  # in the shared pool since

    def __post_init__(self) -> None:
        self.id = self.deal_id


class StageChange(msgspec.Struct, kw_only=True):
    history_id: int
    deal_id: int
    from_stage: str | None
    to_stage: str
    amount: int | None
    reason: str | None
    changed_by: int | None
    changed_at: dt.datetime


class Stage(Base, kw_only=True):
    key: StageKey
    name_zh: Name
    aliases: list[Annotated[str, Meta(min_length=1, max_length=32)]] = msgspec.field(default_factory=list)
    sla_days: Annotated[int, Meta(ge=1, le=3650)] | None = None
    probability: Annotated[float, Meta(ge=0, le=1)] = 0.0
    position: Annotated[int, Meta(ge=0, le=1000)] = 0


class StageUpdate(Base, kw_only=True):
    name_zh: Name | UnsetType = UNSET
    aliases: list[Annotated[str, Meta(min_length=1, max_length=32)]] | UnsetType = UNSET
    sla_days: Annotated[int, Meta(ge=1, le=3650)] | None | UnsetType = UNSET
    probability: Annotated[float, Meta(ge=0, le=1)] | UnsetType = UNSET
    position: Annotated[int, Meta(ge=0, le=1000)] | UnsetType = UNSET


# The default LTC pipeline (DESIGN.md): key, 中文, aliases, SLA days, probability.
DEFAULT_PIPELINE: tuple[Stage, ...] = (
    Stage(key="lead", name_zh="线索", aliases=["新线索", "新客户"], sla_days=3, probability=0.05, position=0),
    Stage(key="qualified", name_zh="验证", aliases=["确认需求", "需求确认"], sla_days=7, probability=0.10, position=1),
    Stage(key="initiated", name_zh="立项", aliases=["项目立项"], sla_days=14, probability=0.25, position=2),
    Stage(key="solution", name_zh="方案", aliases=["标前引导", "出方案"], sla_days=14, probability=0.40, position=3),
    Stage(key="bidding", name_zh="投标", aliases=["招标"], sla_days=21, probability=0.55, position=4),
    Stage(key="negotiation", name_zh="谈判", aliases=["商务谈判", "议价"], sla_days=14, probability=0.75, position=5),
    Stage(key="won", name_zh="签约", aliases=["赢单", "成交", "签了"], sla_days=30, probability=1.0, position=6),
    Stage(key="paid", name_zh="回款", aliases=["收款", "款到了"], sla_days=None, probability=1.0, position=7),
    Stage(key="lost", name_zh="输单", aliases=["丢单", "丢了", "没拿下"], sla_days=None, probability=0.0, position=8),
)
CLOSED_STAGES = frozenset({"paid", "lost"})
TERMINAL_STAGES = frozenset({"won", "paid", "lost"})


class ActivityCreate(Base, kw_only=True):
    kind: Annotated[str, Meta(pattern=r"^(visit|call|note|meeting|email)$")] = "note"
    body: LongText


class FollowupCreate(Base, kw_only=True):
    body: LongText
    due_at: dt.datetime


class Activity(msgspec.Struct, kw_only=True):
    activity_id: int
    deal_id: int
    deal_title: str | None = None
    user_id: int
    user: str | None = None
    kind: str
    body: str
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    created_at: dt.datetime


class Undone(msgspec.Struct, kw_only=True):
    op: str
    deal_id: int | None
    summary: str


class DealPage(msgspec.Struct, kw_only=True):
    items: list[Deal]
    total: int

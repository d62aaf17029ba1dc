"""The shared lead pool (公海) and account tiers (大客户): a tenant's rules, pooled deals, pool
events, accounts with their score and tier."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from schemas.base import Base
from schemas.types import ShortText, StageKey

Tier = Literal["A", "B", "C"]
PoolDays = Annotated[int, Meta(ge=1, le=3650)]
TierFactor = Annotated[float, Meta(ge=0.1, le=10.0)]
Points = Annotated[int, Meta(ge=0, le=100)]


class PoolRules(Base, kw_only=True):
    """A tenant's pool and tier rules; every field has a default.

    A lead or open deal (not won, paid or lost) returns to its team's pool after
    ``stage_days.get(stage, idle_days) × tier_factor[tier]`` days without activity (rounded up;
    ``stage_days[stage] = 0`` never recycles that stage), and never sooner than ``warn_days``
    after its owner was warned.
    """

    enabled: bool = True
    idle_days: PoolDays = 30                        # days without activity, any stage not listed below
    stage_days: dict[StageKey, Annotated[int, Meta(ge=0, le=3650)]] = msgspec.field(
        default_factory=lambda: {"lead": 14})
    tier_factor: dict[Tier, TierFactor] = msgspec.field(
        default_factory=lambda: {"A": 2.0, "B": 1.0, "C": 1.0})
    warn_days: Annotated[int, Meta(ge=1, le=30)] = 3    # the owner is warned this many days before
    claim_cap: Annotated[int, Meta(ge=1, le=500)] = 5   # claims per rep per local day
    cooldown_days: Annotated[int, Meta(ge=0, le=365)] = 7  # before the previous owner may re-claim
    max_keeps: Annotated[int, Meta(ge=1, le=50)] = 2    # "keep" in a row without activity or a manager
    tier_a: Points = 60                               # score from which an account is tier A
    tier_b: Points = 30                               # … tier B (below: C)

    def __post_init__(self) -> None:
        if self.tier_b > self.tier_a:
            raise ValueError("tier_b must not be above tier_a")


class PoolRulesUpdate(Base, kw_only=True):
    enabled: bool | UnsetType = UNSET
    idle_days: PoolDays | UnsetType = UNSET
    stage_days: dict[StageKey, Annotated[int, Meta(ge=0, le=3650)]] | UnsetType = UNSET
    tier_factor: dict[Tier, TierFactor] | UnsetType = UNSET
    warn_days: Annotated[int, Meta(ge=1, le=30)] | UnsetType = UNSET
    claim_cap: Annotated[int, Meta(ge=1, le=500)] | UnsetType = UNSET
    cooldown_days: Annotated[int, Meta(ge=0, le=365)] | UnsetType = UNSET
    max_keeps: Annotated[int, Meta(ge=1, le=50)] | UnsetType = UNSET
    tier_a: Points | UnsetType = UNSET
    tier_b: Points | UnsetType = UNSET


class PoolDeal(msgspec.Struct, kw_only=True):
    """A deal in the pool, as reps see it."""

    deal_id: int
    title: str
    company: str | None
    product: str | None = None
    stage: str
    stage_name: str | None = None
    amount: int | None
    tier: str | None = None
    team_id: int | None = None
    pooled_at: dt.datetime
    prev_owner_id: int | None = None
    prev_owner: str | None = None
    reason: str | None = None   # why it came back (released: the rep's words; recycled: idle days)


class PoolEvent(msgspec.Struct, kw_only=True):
    event_id: int
    deal_id: int
    kind: str
    owner_id: int | None
    owner: str | None = None
    actor_id: int | None
    actor: str | None = None
    team_id: int | None = None
    stage: str | None = None
    idle_days: int | None = None
    reason: str | None = None
    created_at: dt.datetime


class ReasonBody(Base, kw_only=True):
    reason: ShortText | None = None


class RecycleResult(msgspec.Struct, kw_only=True):
    tenants: int = 0
    skipped: bool = False      # another worker held the lock
    warned: int = 0
    recycled: int = 0
    deals: list[int] = msgspec.field(default_factory=list)      # recycled deal ids (capped)
    warned_deals: list[int] = msgspec.field(default_factory=list)


class Account(msgspec.Struct, kw_only=True):
    account_id: int
    id: int = 0
    name: str
    tier: str                   # the tier in force: the manager's override, else the computed one
    score: int
    computed_tier: str
    tier_override: str | None = None
    tier_reason: str | None = None
    tier_set_by: int | None = None
    tier_set_at: dt.datetime | None = None
    won_amount: int = 0
    open_weighted: int = 0
    deal_count: int = 0
    paid_on_time: int = 0
    paid_late: int = 0
    overdue: int = 0
    engagement: int = 0
    scored_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        self.id = self.account_id


class TierOverride(Base, kw_only=True):
    tier: Tier | None            # None: back to the computed tier
    reason: Annotated[str, Meta(min_length=2, max_length=200)]
    manager_id: int | None = None  # who decided (admin API); the mini-program uses the signed-in manager


class ScoreResult(msgspec.Struct, kw_only=True):
    accounts: int
    changed: int
    seconds: float

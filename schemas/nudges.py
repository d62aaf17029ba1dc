"""Nudge rules (per tenant, editable), nudges as decided by the scan, and hot signals."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from schemas.base import Base

Days = Annotated[int, Meta(ge=1, le=90)]
Factor = Annotated[float, Meta(ge=1.0, le=10.0)]
Cap = Annotated[int, Meta(ge=1, le=50)]
RuleName = Literal["stalled", "idle", "close_passed", "unpaid"]
HotKind = Literal["inquiry", "repeat_view", "forward"]


class NudgeRules(Base, kw_only=True):
    """A tenant's nudge rules; every field has the default DESIGN.md gives."""

    stalled: bool = True          # time in stage over the stage's SLA
    escalate_factor: Factor = 2.0  # past this many SLAs the rep's manager is told too
    idle: bool = True              # no activity for ``idle_days``
    idle_days: Days = 14
    close_passed: bool = True      # the expected close date has passed
    unpaid: bool = True            # won but not paid past the ``won`` stage's SLA
    followup: bool = True          # due follow-ups, at their due time
    hot_signal: bool = True        # a customer's inquiry / repeat view / forward, at once
    daily_cap: Cap = 5             # nudges per recipient per local day; the rest summarised
    engaged_days: Annotated[int, Meta(ge=1, le=30)] = 3  # engagement this recent ranks a deal first


class NudgeRulesUpdate(Base, kw_only=True):
    stalled: bool | UnsetType = UNSET
    escalate_factor: Factor | UnsetType = UNSET
    idle: bool | UnsetType = UNSET
    idle_days: Days | UnsetType = UNSET
    close_passed: bool | UnsetType = UNSET
    unpaid: bool | UnsetType = UNSET
    followup: bool | UnsetType = UNSET
    hot_signal: bool | UnsetType = UNSET
    daily_cap: Cap | UnsetType = UNSET
    engaged_days: Annotated[int, Meta(ge=1, le=30)] | UnsetType = UNSET


class Nudge(msgspec.Struct, kw_only=True):
    """One nudge the scan decided: who gets it, about which deal, why, and when it goes."""

    tenant_id: int
    deal_id: int
    rule: str
    level: int
    recipient_id: int
    recipient: str
    status: Literal["queued"] = "queued"
    reason: str
    score: float
    days_over: float
    engaged: bool
    send_at: dt.datetime
    title: str = ""


class SummaryLine(msgspec.Struct, kw_only=True):
    """The one line that tells a recipient how many more deals need them today."""

    tenant_id: int
    recipient_id: int
    recipient: str
    count: int
    titles: list[str]
    send_at: dt.datetime


class ScanResult(msgspec.Struct, kw_only=True):
    skipped: bool = False          # another scanner held the lock
    dry_run: bool = False
    tenants: int = 0
    found: int = 0                 # new nudges: queued + summarised
    queued: int = 0                # recorded and queued
    cards: int = 0                 # the cards carrying them (one per deal and recipient)
    summarised: int = 0            # over the daily cap, told in a new summary line
    summaries: int = 0             # new summary lines (one per recipient and day)
    enqueued: int = 0              # outbox rows actually added
    nudges: list[Nudge] = msgspec.field(default_factory=list)
    lines: list[SummaryLine] = msgspec.field(default_factory=list)

"""Delivery manners: quiet hours in the tenant's timezone, the recipient's local day, the cap.

Quiet hours hold a message until they end (21:00–08:00 by default; a window may wrap past
midnight; equal start and end means none). The daily cap counts nudges by the local day they
are delivered on, so a nudge held overnight counts against the morning it goes out.
The per-member WeChat Work rate (30 a minute, 1,000 an hour) is kept by the outbox.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _hhmm(value: str | dt.time) -> dt.time:
    if isinstance(value, dt.time):
        return value
    hours, minutes = value.split(":")[:2]
    return dt.time(int(hours), int(minutes))


def in_quiet_hours(local: dt.time, quiet_start: dt.time, quiet_end: dt.time) -> bool:
    if quiet_start == quiet_end:
        return False
    if quiet_start < quiet_end:
        return quiet_start <= local < quiet_end
    return local >= quiet_start or local < quiet_end


def release_time(now: dt.datetime, timezone: str, quiet_start: str | dt.time, quiet_end: str | dt.time) -> dt.datetime:
    """``now`` outside quiet hours, else the moment they end (aware, UTC)."""
    tz = zone(timezone)
    local = now.astimezone(tz)
    start, end = _hhmm(quiet_start), _hhmm(quiet_end)
    if not in_quiet_hours(local.time(), start, end):
        return now
    day = local.date()
    if start > end and local.time() >= start:  # the evening part of a window wrapping midnight
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=tz).astimezone(dt.timezone.utc)


def local_day(at: dt.datetime, timezone: str) -> dt.date:
    return at.astimezone(zone(timezone)).date()


def day_start(day: dt.date, timezone: str) -> dt.datetime:
    """Local midnight starting ``day``, as an aware UTC datetime."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone(timezone)).astimezone(dt.timezone.utc)

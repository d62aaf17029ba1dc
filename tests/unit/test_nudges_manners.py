"""Quiet hours and local days in the tenant's timezone (pure functions)."""

from __future__ import annotations

import datetime as dt

from backend.services.nudges.manners import day_start, in_quiet_hours, local_day, release_time

SH = dt.timezone(dt.timedelta(hours=8))
UTC = dt.timezone.utc


def t(h: int, m: int = 0) -> dt.time:
    return dt.time(h, m)


def test_a_window_that_wraps_midnight():
    assert in_quiet_hours(t(21), t(21), t(8))
    assert in_quiet_hours(t(23, 59), t(21), t(8))
    assert in_quiet_hours(t(0), t(21), t(8))
    assert in_quiet_hours(t(7, 59), t(21), t(8))
    assert not in_quiet_hours(t(8), t(21), t(8))
    assert not in_quiet_hours(t(20, 59), t(21), t(8))


def test_a_daytime_window_and_none():
    assert in_quiet_hours(t(12, 30), t(12), t(14))
    assert not in_quiet_hours(t(14), t(12), t(14))
    assert not in_quiet_hours(t(3), t(8), t(8))  # equal start and end: no quiet hours


def test_release_is_now_outside_and_the_end_inside():
    now = dt.datetime(2026, 3, 5, 10, 0, tzinfo=SH)
    assert release_time(now, "Asia/Shanghai", "21:00", "08:00") == now
    evening = dt.datetime(2026, 3, 5, 22, 15, tzinfo=SH)
    assert release_time(evening, "Asia/Shanghai", "21:00", "08:00") == dt.datetime(2026, 3, 6, 8, 0, tzinfo=SH)
    night = dt.datetime(2026, 3, 6, 3, 0, tzinfo=SH)
    assert release_time(night, "Asia/Shanghai", "21:00", "08:00") == dt.datetime(2026, 3, 6, 8, 0, tzinfo=SH)
    assert release_time(evening, "Asia/Shanghai", "21:00", "21:00") == evening


def test_the_tenants_timezone_decides_not_utc():
    # 13:30 UTC is 21:30 in Shanghai (quiet) but 14:30 in London (not)
    now = dt.datetime(2026, 3, 5, 13, 30, tzinfo=UTC)
    assert release_time(now, "Asia/Shanghai", "21:00", "08:00") == dt.datetime(2026, 3, 6, 0, 0, tzinfo=UTC)
    assert release_time(now, "Europe/London", "21:00", "08:00") == now
    assert local_day(dt.datetime(2026, 3, 5, 16, 30, tzinfo=UTC), "Asia/Shanghai") == dt.date(2026, 3, 6)
    assert day_start(dt.date(2026, 3, 6), "Asia/Shanghai") == dt.datetime(2026, 3, 5, 16, 0, tzinfo=UTC)


def test_daylight_saving_days_are_local_days():
    # New York springs forward on 2026-03-08: 08:00 local is 12:00 UTC that morning
    night = dt.datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # 00:00 EST
    assert release_time(night, "America/New_York", "21:00", "08:00") == dt.datetime(2026, 3, 8, 12, 0, tzinfo=UTC)

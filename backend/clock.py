"""The one clock of the service. Tests move it; nothing else reads the system time directly.

Three states: the real time (default); frozen at an instant (``set_now``); or running from an
instant (``start_at``): time passes at the real rate but from a fixed origin, so a test never
depends on today's date while leases, timeouts and orderings still see time move.
"""

from __future__ import annotations

import datetime as dt
import os
import time

_fake_now: dt.datetime | None = None
_origin: tuple[dt.datetime, float] | None = None  # (instant, monotonic reading when set)


def now() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    if _fake_now is not None:
        return _fake_now
    if _origin is not None:
        instant, mono = _origin
        return instant + dt.timedelta(seconds=time.monotonic() - mono)
    return dt.datetime.now(dt.timezone.utc)


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("the clock needs an aware datetime")
    return value.astimezone(dt.timezone.utc)


def set_now(value: dt.datetime | None) -> None:
    """Freeze the clock at ``value`` (aware), or release it with ``None`` (back to running
    from the origin set by ``start_at``, if any, else the real time)."""
    global _fake_now
    _fake_now = _aware(value) if value is not None else None


def start_at(value: dt.datetime | None) -> None:
    """Let the clock run from ``value`` at the real rate (``None``: the real time again)."""
    global _origin, _fake_now
    _fake_now = None
    _origin = (_aware(value), time.monotonic()) if value is not None else None


def _origin_from_env() -> None:
    """``TUOKE_CLOCK_ORIGIN`` (ISO 8601 with an offset) runs the clock from that instant: tests set
    it for the processes they start, and a demo can replay a given morning."""
    value = os.environ.get("TUOKE_CLOCK_ORIGIN", "").strip()
    if value:
        try:
            start_at(dt.datetime.fromisoformat(value))
        except ValueError as exc:
            raise SystemExit(f"TUOKE_CLOCK_ORIGIN={value!r} is not an ISO 8601 time with an offset: {exc}") from None


_origin_from_env()

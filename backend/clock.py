"""The one clock of the service. Tests move it; nothing else reads the system time directly."""

from __future__ import annotations

import datetime as dt

_fake_now: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    if _fake_now is not None:
        return _fake_now
    return dt.datetime.now(dt.timezone.utc)


def set_now(value: dt.datetime | None) -> None:
    """Freeze the clock at ``value`` (aware), or release it with ``None``."""
    global _fake_now
    if value is not None and value.tzinfo is None:
        raise ValueError("the clock needs an aware datetime")
    _fake_now = value.astimezone(dt.timezone.utc) if value is not None else None

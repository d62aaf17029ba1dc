"""Rate limits of the public card endpoints, per tenant, per client IP and per visitor.

Sliding-window counters (the current and the previous fixed window, the previous one weighted by
how much of it still overlaps the sliding window — the approximation nginx and Cloudflare use) in
this process's memory: O(1) per request, no thread, no per-request scan. (The ``limits``
library's in-memory storage was tried first: it starts a timer thread, or scans every key, on
its expiry passes, which cost about a tenth of a card open's CPU under load.) With several app
processes each keeps its own counts, so the effective limit is N times higher; the limits that
protect the CRM (inquiries that create leads) are also enforced from the database in
``inquiries.py``, across processes.

Defaults below; ``TUOKE_CARD_RATE_LIMITS`` overrides any of them, e.g.
``open_ip=600/minute;events_visitor=120/minute`` (the benchmark raises them all).
"""

from __future__ import annotations

import math
import os
import re
import time
from dataclasses import dataclass

from backend.errors import RateLimited

DEFAULT_LIMITS: dict[str, str] = {
    "open_ip": "120/minute",  # card opens (mini-program, H5 page views) from one IP
    "open_visitor": "30/minute",  # … by one customer
    "events_ip": "120/minute",  # event batches and beacons from one IP
    "events_visitor": "60/minute",
    "share_ip": "30/minute",  # forwards
    "share_visitor": "10/minute",
    "inquiry_ip": "10/hour",  # inquiries (each may create a lead and messages the rep)
    "inquiry_visitor": "3/hour",
    "login_ip": "30/minute",  # mini-program logins
}
PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_SPEC = re.compile(r"^\s*(\d{1,12})\s*/\s*(second|minute|hour|day)\s*$")


@dataclass(frozen=True)
class Limit:
    amount: int
    seconds: int

    def __str__(self) -> str:
        unit = next(k for k, v in PERIODS.items() if v == self.seconds)
        return f"{self.amount}/{unit}"


def parse(spec: str) -> Limit:
    match = _SPEC.match(spec)
    if not match:
        raise ValueError(f"a rate limit looks like 120/minute, not {spec!r}")
    return Limit(int(match[1]), PERIODS[match[2]])


class SlidingWindow:
    """Counts per key in the current and previous window; forgets keys two windows old."""

    def __init__(self) -> None:
        # key -> [window number, current count, previous count, window seconds]
        self._counts: dict[tuple, list[int]] = {}
        self._swept_at: float | None = None

    def hit(self, key: tuple, limit: Limit, now: float | None = None) -> float:
        """Count one hit; 0 when allowed, else the seconds until one would be."""
        now = time.monotonic() if now is None else now
        window, into = divmod(now, limit.seconds)
        window = int(window)
        slot = self._counts.get(key)
        if slot is None or slot[0] < window - 1:
            slot = self._counts[key] = [window, 0, 0, limit.seconds]
        elif slot[0] == window - 1:
            slot[:] = [window, 0, slot[1], limit.seconds]
        weight = 1.0 - into / limit.seconds
        if slot[2] * weight + slot[1] + 1 > limit.amount:
            if slot[2] == 0:
                return limit.seconds - into
            # When enough of the previous window has slid out to let one more in.
            needed = (slot[2] * weight + slot[1] + 1 - limit.amount) / slot[2]
            return max(needed * limit.seconds, 0.001)
        slot[1] += 1
        self._sweep(now)
        return 0.0

    def _sweep(self, now: float) -> None:
        if self._swept_at is None:
            self._swept_at = now
        if now - self._swept_at < 60:
            return
        self._swept_at = now
        stale = [k for k, (w, _, _, seconds) in self._counts.items() if (w + 2) * seconds < now]
        for k in stale:
            del self._counts[k]

    def reset(self) -> None:
        self._counts.clear()


_limits: dict[str, Limit] | None = None
_counter = SlidingWindow()


def _configured() -> dict[str, Limit]:
    global _limits
    if _limits is None:
        spec = dict(DEFAULT_LIMITS)
        for part in os.environ.get("TUOKE_CARD_RATE_LIMITS", "").split(";"):
            name, _, value = part.partition("=")
            if name.strip() in spec and value.strip():
                spec[name.strip()] = value.strip()
        _limits = {name: parse(value) for name, value in spec.items()}
    return _limits


def reload() -> None:
    """Read ``TUOKE_CARD_RATE_LIMITS`` again and forget every count."""
    global _limits
    _limits = None
    _counter.reset()


def hit(tenant_id: int, scope: str, *, ip: str | None = None, visitor: str | int | None = None) -> None:
    """Count one request of ``scope`` ("open", "events", "share", "inquiry", "login").

    Raises RateLimited (429) when the IP or the visitor is over its limit; the detail says when
    to try again.
    """
    limits = _configured()
    for kind, who in (("ip", ip), ("visitor", visitor)):
        if who is None:
            continue
        limit = limits.get(f"{scope}_{kind}")
        if limit is None:
            continue
        wait = _counter.hit((tenant_id, scope, kind, who), limit)
        if wait:
            raise RateLimited(f"too many requests ({limit}); try again in {math.ceil(wait)} s")

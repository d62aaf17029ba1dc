"""Rate limits of the public card endpoints, per tenant, per client IP and per visitor.

The counters are the ``limits`` library's sliding-window counters in this process's memory:
cheap enough to sit in front of every card open. With several app processes each keeps its own
counts (so the effective limit is N times higher); the limits that protect the CRM (inquiries
that create leads) are also enforced from the database in ``inquiries.py``, across processes.

Defaults below; ``TUOKE_CARD_RATE_LIMITS`` overrides any of them, e.g.
``open_ip=600/minute;events_visitor=120/minute`` (the benchmark raises them all).
"""

from __future__ import annotations

import math
import os
import threading
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

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

_lock = threading.Lock()
_limits: dict[str, list[RateLimitItem]] | None = None
_storage = MemoryStorage()
_limiter = SlidingWindowCounterRateLimiter(_storage)


def _configured() -> dict[str, list[RateLimitItem]]:
    global _limits
    with _lock:
        if _limits is None:
            spec = dict(DEFAULT_LIMITS)
            for part in os.environ.get("TUOKE_CARD_RATE_LIMITS", "").split(";"):
                name, _, value = part.partition("=")
                if name.strip() in spec and value.strip():
                    spec[name.strip()] = value.strip()
            _limits = {name: parse_many(value) for name, value in spec.items()}
        return _limits


def reload() -> None:
    """Read ``TUOKE_CARD_RATE_LIMITS`` again and forget every count."""
    global _limits
    with _lock:
        _limits = None
    _storage.reset()


def hit(tenant_id: int, scope: str, *, ip: str | None = None, visitor: str | int | None = None) -> None:
    """Count one request of ``scope`` ("open", "events", "share", "inquiry", "login").

    Raises RateLimited (429) when the IP or the visitor is over its limit; the detail says when
    to try again.
    """
    limits = _configured()
    for kind, key in (("ip", ip), ("visitor", visitor)):
        if key is None:
            continue
        for item in limits.get(f"{scope}_{kind}", ()):
            if not _limiter.hit(item, str(tenant_id), scope, kind, str(key)):
                stats = _limiter.get_window_stats(item, str(tenant_id), scope, kind, str(key))
                wait = max(1, math.ceil(stats.reset_time - time.time()))
                raise RateLimited(f"too many requests ({item}); try again in {wait} s")

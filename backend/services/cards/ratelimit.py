"""Rate limits of the public card endpoints, per tenant, per client IP and per visitor.

Sliding-window counters (the current and the previous fixed window, the previous one weighted by
how much of it still overlaps the sliding window — the approximation nginx and Cloudflare use)
kept in PostgreSQL (the UNLOGGED ``rate_counters`` table), so every app process sees the same
counts: one statement per request counts the hit on every key that applies (IP, visitor,
session, tenant) and reads the previous windows back. Old windows are pruned by the worker
(``cards.rate_prune``).

Defaults below; ``TUOKE_CARD_RATE_LIMITS`` overrides any of them, e.g.
``open_ip=600/minute;events_visitor=120/minute`` (the benchmark raises them all).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import secrets
from dataclasses import dataclass

import asyncpg

from backend import clock
from backend.db.queries import queries
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
    # Redeeming a rep's bind code (6 digits, 10 minutes): see README, "Binding a rep".
    "bind_session": "5/10minute",
    "bind_ip": "10/hour",
    "bind_tenant": "20/hour",
}
PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_SPEC = re.compile(r"^\s*(\d{1,12})\s*/\s*(\d{1,4})?\s*(second|minute|hour|day)\s*$")


@dataclass(frozen=True)
class Limit:
    amount: int
    seconds: int

    def __str__(self) -> str:
        for unit, seconds in sorted(PERIODS.items(), key=lambda kv: -kv[1]):
            if self.seconds % seconds == 0:
                n = self.seconds // seconds
                return f"{self.amount}/{n if n > 1 else ''}{unit}"
        return f"{self.amount}/{self.seconds}second"


def parse(spec: str) -> Limit:
    match = _SPEC.match(spec)
    if not match:
        raise ValueError(f"a rate limit looks like 120/minute or 5/10minute, not {spec!r}")
    return Limit(int(match[1]), int(match[2] or 1) * PERIODS[match[3]])


def wait_seconds(hits: int, previous: int, into: float, limit: Limit) -> float:
    """0 when ``hits`` in the current window (this one included) and the previous window's
    ``previous``, weighted by how much of it still overlaps the sliding window, are within
    ``limit``; else the seconds until one more would be. ``into``: seconds into the window."""
    weight = 1.0 - into / limit.seconds
    over = previous * weight + hits - limit.amount
    if over <= 0:
        return 0.0
    if previous == 0 or hits > limit.amount:
        return limit.seconds - into
    # When enough of the previous window has slid out to let this one in.
    return max(over / previous * limit.seconds, 0.001)


_limits: dict[str, Limit] | None = None
# Card opens spread each key's count over this many rows (a hot IP's opens would otherwise queue
# on one row's lock); ``rate_hit`` (bind codes, logins, events …) counts exactly on shard 0.
SHARDS = 16


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
    """Read ``TUOKE_CARD_RATE_LIMITS`` again."""
    global _limits
    _limits = None


@dataclass(frozen=True)
class Plan:
    """The keys one request counts against, ready to be counted in a statement (``rate_hit``, or
    a statement of the caller's that counts and acts at once, as a card open does)."""

    tenant_id: int
    checks: tuple[tuple[str, Limit], ...]
    now: float

    @property
    def params(self) -> dict:
        wins = [int(self.now // limit.seconds) for _, limit in self.checks]
        return {
            "rl_tenant": self.tenant_id,
            "rl_keys": [key for key, _ in self.checks],
            "rl_wins": wins,
            "rl_expires": [dt.datetime.fromtimestamp((w + 2) * limit.seconds, dt.timezone.utc)
                           for w, (_, limit) in zip(wins, self.checks)],
            "rl_amounts": [limit.amount for _, limit in self.checks],
            "rl_weights": [1.0 - (self.now % limit.seconds) / limit.seconds for _, limit in self.checks],
            "rl_shard": secrets.randbelow(SHARDS),
        }

    def check(self, counted: dict[str, tuple[int, int]]) -> None:
        """RateLimited (429) when a key's count (hits this window, hits the window before) is over."""
        for key, limit in self.checks:
            hits, previous = counted.get(key, (1, 0))
            wait = wait_seconds(hits, previous, self.now % limit.seconds, limit)
            if wait:
                raise RateLimited(f"too many requests ({limit}); try again in {math.ceil(wait)} s")


def plan(
    tenant_id: int, scope: str, *, ip: str | None = None, visitor: str | int | None = None,
    session: str | int | None = None, tenant: bool = False,
) -> Plan:
    limits = _configured()
    checks: list[tuple[str, Limit]] = []
    for kind, who in (("ip", ip), ("visitor", visitor), ("session", session), ("tenant", "all" if tenant else None)):
        limit = limits.get(f"{scope}_{kind}") if who is not None else None
        if limit is not None:
            checks.append((f"{scope}:{kind}:{who}"[:200], limit))
    checks.sort()  # one lock order for every statement: concurrent hits never deadlock
    return Plan(tenant_id, tuple(checks), clock.now().timestamp())


async def hit(
    conn: asyncpg.Connection, tenant_id: int, scope: str, *, ip: str | None = None,
    visitor: str | int | None = None, session: str | int | None = None, tenant: bool = False,
) -> None:
    """Count one request of ``scope`` ("open", "events", "share", "inquiry", "login", "bind")
    per IP, per visitor, per session and (``tenant=True``) per tenant, in one statement.

    Raises RateLimited (429) when any of them is over its limit; the detail says when to try
    again. Refused requests count too: a client that keeps hammering stays refused until it
    slows down.
    """
    p = plan(tenant_id, scope, ip=ip, visitor=visitor, session=session, tenant=tenant)
    if not p.checks:
        return
    params = p.params
    rows = await queries.rate_hit(conn, tenant_id=tenant_id, keys=params["rl_keys"], wins=params["rl_wins"],
                                  expires=params["rl_expires"])
    p.check({r["key"]: (r["hits"], r["previous"]) for r in rows})


async def prune(conn: asyncpg.Connection) -> int:
    """Forget windows that count for nothing any more (the worker runs this)."""
    return await queries.rate_prune(conn, now=clock.now())

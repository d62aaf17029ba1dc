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
# Card opens are batched per process: a key far from its limit is counted locally and written to
# PostgreSQL with the next open that counts (at the latest every FLUSH_EVERY-th hit of the key in
# this process); a key past NEAR of its limit (or the first hit of a window) is counted in
# PostgreSQL on every hit, so the 429 decision near a limit is the shared, exact one. The price:
# hits another process admitted but has not written yet (fewer than FLUSH_EVERY per key and
# process, written with its next counted open) are not seen; a limit may be overshot by that.
FLUSH_EVERY = 16
NEAR = 0.5
# (tenant, key) -> [window, hits counted in PostgreSQL, previous window, pending local hits, counted]
_local: dict[tuple[int, str], list] = {}
_LOCAL_MAX = 100_000
# The :rl_* parameters of an open counted only here: NULL arrays unnest to no rows, as empty ones
# would, and cost the driver nothing to encode.
UNCOUNTED: dict = {"rl_tenant": None, "rl_keys": None, "rl_wins": None, "rl_expires": None, "rl_amounts": None,
                   "rl_weights": None, "rl_incs": None, "rl_shard": None}


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
    _local.clear()


@dataclass(frozen=True)
class Plan:
    """The keys one request counts against, ready to be counted in a statement (``rate_hit``, or
    a statement of the caller's that counts and acts at once, as a card open does)."""

    tenant_id: int
    checks: tuple[tuple[str, Limit], ...]
    now: float

    @property
    def params(self) -> dict:
        return self._params(self.checks, [1] * len(self.checks))

    def _params(self, checks, incs: list[int]) -> dict:
        wins = [int(self.now // limit.seconds) for _, limit in checks]
        return {
            "rl_tenant": self.tenant_id,
            "rl_keys": [key for key, _ in checks],
            "rl_wins": wins,
            "rl_expires": [dt.datetime.fromtimestamp((w + 2) * limit.seconds, dt.timezone.utc)
                           for w, (_, limit) in zip(wins, checks)],
            "rl_amounts": [limit.amount for _, limit in checks],
            "rl_weights": [1.0 - (self.now % limit.seconds) / limit.seconds for _, limit in checks],
            "rl_incs": incs,
            "rl_shard": secrets.randbelow(SHARDS),
        }

    def batched(self) -> tuple[dict, list[list] | None]:
        """The :rl_* parameters of a card open, batched per process (see FLUSH_EVERY): ``UNCOUNTED``
        (NULL arrays) when every key is far from its limit (the hit is only counted here), else every key with
        the hits admitted here since it was last counted. Give the states back to ``settle``."""
        if len(_local) > _LOCAL_MAX:
            _local.clear()  # (forgets at most FLUSH_EVERY - 1 pending hits a key)
        states, exact = [], False
        for key, limit in self.checks:
            win = int(self.now // limit.seconds)
            state = _local.get((self.tenant_id, key))
            if state is None or state[0] != win:
                state = _local[(self.tenant_id, key)] = [win, 0, 0, 0, False]
            weight = 1.0 - (self.now % limit.seconds) / limit.seconds
            if (not state[4] or state[3] + 1 >= FLUSH_EVERY
                    or state[2] * weight + state[1] + state[3] + 1 > limit.amount * NEAR):
                exact = True
            states.append(state)
        if not exact:
            for state in states:
                state[3] += 1
            return UNCOUNTED, None
        incs = [state[3] + 1 for state in states]
        for state in states:
            state[3] = 0
        return self._params(self.checks, incs), states

    def settle(self, states: list[list] | None, row) -> None:
        """Remember the shared counts a batched open read back (``rl_keys``, ``rl_hits``, ``rl_previous``)."""
        if not states or row is None or row["rl_keys"] is None:
            return
        counted = dict(zip(row["rl_keys"], zip(row["rl_hits"], row["rl_previous"])))
        for (key, _), state in zip(self.checks, states):
            if key in counted:
                state[1], state[2] = max(state[1], counted[key][0]), counted[key][1]
                state[4] = True

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

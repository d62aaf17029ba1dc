"""The rate limiter's sliding-window arithmetic and its limit specs (the counting itself is in
PostgreSQL: tests/integration/test_ratelimit_shared.py)."""

from __future__ import annotations

import pytest

from backend.services.cards.ratelimit import Limit, parse, wait_seconds


def test_parse():
    assert parse("120/minute") == Limit(120, 60)
    assert parse(" 3 / hour ") == Limit(3, 3600)
    assert parse("5/10minute") == Limit(5, 600)
    assert str(Limit(10, 1)) == "10/second"
    assert str(Limit(5, 600)) == "5/10minute"
    assert str(Limit(120, 60)) == "120/minute"
    for bad in ("120", "x/minute", "5/fortnight", ""):
        with pytest.raises(ValueError):
            parse(bad)


def test_allows_the_limit_then_refuses_with_a_wait():
    limit = Limit(5, 60)
    assert [wait_seconds(n, 0, 10.0, limit) for n in range(1, 6)] == [0.0] * 5
    assert 0 < wait_seconds(6, 0, 10.0, limit) <= 60


def test_the_previous_window_slides_out():
    limit = Limit(10, 60)
    # Early in a window the previous one (10 hits) still weighs nearly fully.
    assert wait_seconds(1, 10, 1.0, limit) > 0
    # Half way through, half of the previous count is left: 5 more fit, the 6th waits.
    assert [wait_seconds(n, 10, 30.0, limit) for n in range(1, 6)] == [0.0] * 5
    assert wait_seconds(6, 10, 30.0, limit) > 0


def test_card_opens_count_locally_far_from_a_limit_and_in_postgresql_near_it():
    from backend.services.cards import ratelimit

    ratelimit.reload()
    limit = Limit(120, 60)
    plan = ratelimit.Plan(7, (("open:ip:1.2.3.4", limit),), 600.0)  # the start of a window
    total = 0  # what PostgreSQL would hold

    def open_once() -> bool:
        nonlocal total
        params, states = plan.batched()
        if states is None:
            assert params is ratelimit.UNCOUNTED and params["rl_keys"] is None
            return False
        total += params["rl_incs"][0]
        plan.settle(states, {"rl_keys": params["rl_keys"], "rl_hits": [total], "rl_previous": [0]})
        return True

    counted = [open_once() for _ in range(120)]
    assert counted[0]  # the first hit of a window counts
    assert sum(counted[:60]) <= 60 // ratelimit.FLUSH_EVERY + 2  # far from the limit: batched
    assert all(counted[61:])  # past half of it: every hit, on the shared count
    assert total == 120  # nothing lost
    ratelimit.reload()

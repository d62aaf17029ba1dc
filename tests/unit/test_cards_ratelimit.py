"""The card endpoints' sliding-window rate limiter, on a clock the test moves."""

from __future__ import annotations

import pytest

from backend.services.cards.ratelimit import Limit, SlidingWindow, parse


def test_parse():
    assert parse("120/minute") == Limit(120, 60)
    assert parse(" 3 / hour ") == Limit(3, 3600)
    assert str(Limit(10, 1)) == "10/second"
    for bad in ("120", "x/minute", "5/fortnight", ""):
        with pytest.raises(ValueError):
            parse(bad)


def test_allows_the_limit_then_refuses_with_a_wait():
    w = SlidingWindow()
    limit = Limit(5, 60)
    assert [w.hit(("k",), limit, now=600.0 + i) for i in range(5)] == [0.0] * 5
    wait = w.hit(("k",), limit, now=606.0)
    assert 0 < wait <= 60
    assert w.hit(("other",), limit, now=606.0) == 0.0  # keys are separate


def test_the_previous_window_slides_out():
    w = SlidingWindow()
    limit = Limit(10, 60)
    for _ in range(10):
        assert w.hit(("k",), limit, now=119.0) == 0.0  # the end of window 1
    # Early in window 2 the previous window still weighs nearly fully.
    assert w.hit(("k",), limit, now=121.0) > 0
    # Half way through window 2, half of the previous count is left: 5 more fit.
    results = [w.hit(("k",), limit, now=150.0) for _ in range(6)]
    assert results[:4] == [0.0] * 4 and results[5] > 0
    # Two windows later everything is forgotten.
    assert all(w.hit(("k",), limit, now=300.0) == 0.0 for _ in range(10))


def test_refused_hits_are_not_counted():
    w = SlidingWindow()
    limit = Limit(2, 1)
    assert w.hit(("k",), limit, now=10.1) == 0.0
    assert w.hit(("k",), limit, now=10.2) == 0.0
    for _ in range(100):
        assert w.hit(("k",), limit, now=10.3) > 0
    assert w.hit(("k",), limit, now=12.5) == 0.0


def test_stale_keys_are_swept():
    w = SlidingWindow()
    limit = Limit(5, 1)
    for i in range(1000):
        w.hit((i, 1), limit, now=1000.0)
    w.hit(("late", 1), limit, now=1100.0)
    assert len(w._counts) == 1

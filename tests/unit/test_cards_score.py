"""The radar's intent score: the documented formula, its caps, and its ordering."""

from __future__ import annotations

from backend.services.cards.radar import intent_score


def test_score_bounds():
    assert intent_score(days_since_last_seen=0, visits=0, dwell_seconds=0, taps=0, forwards=0, inquiries=0) == 25
    top = intent_score(days_since_last_seen=0, visits=99, dwell_seconds=99_999, taps=99, forwards=99, inquiries=9)
    assert top == 100
    cold = intent_score(days_since_last_seen=365, visits=1, dwell_seconds=0, taps=0, forwards=0, inquiries=0)
    assert cold == 2


def test_score_by_hand():
    # 0.25 × 0.5^(1/7) + 0.20 × 0.3 + 0.15 × (900/1800) + 0.10 × (2/5) + 0.10 × (1/3) + 0
    #  = 0.2264 + 0.06 + 0.075 + 0.04 + 0.0333 = 0.4348
    assert intent_score(days_since_last_seen=1, visits=3, dwell_seconds=900, taps=2, forwards=1, inquiries=0) == 43


def test_each_signal_raises_the_score_and_caps_hold():
    base = dict(days_since_last_seen=2, visits=2, dwell_seconds=60, taps=0, forwards=0, inquiries=0)
    s0 = intent_score(**base)
    for key, more in (("visits", 5), ("dwell_seconds", 600), ("taps", 3), ("forwards", 2), ("inquiries", 1)):
        assert intent_score(**{**base, key: more}) > s0, key
    assert intent_score(**{**base, "days_since_last_seen": 0.1}) > s0
    assert intent_score(**{**base, "visits": 10}) == intent_score(**{**base, "visits": 1000})
    assert intent_score(**{**base, "dwell_seconds": 1800}) == intent_score(**{**base, "dwell_seconds": 10**6})

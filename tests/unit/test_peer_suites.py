"""The public peer suites (tests/peer/README.md) stay at the accuracy we reached.

The suites are data taken from other projects' tests; they live in tests/peer/*.jsonl or
../shared/datasets/peer/*.jsonl. Where neither is present this test is skipped, and says so.
"""

from __future__ import annotations

import pytest

from tests.peer.harness import evaluate, suite_files

# The floors measured when the extractors were last changed (scripts/eval_peer --json), per kind.
FLOORS = {"date": 1.0, "amount": 1.0, "phone": 1.0, "number": 1.0}


def test_peer_suites_hold_their_floors():
    files = suite_files()
    if not files:
        pytest.skip("no peer suites here (tests/peer/*.jsonl or ../shared/datasets/peer/*.jsonl)")
    res = evaluate(files)
    low = {k: v for k, v in res["by_kind"].items() if v["accuracy"] < FLOORS.get(k, 0.0)}
    failures = "\n".join(f"{f['kind']}/{f['category']}: {f['text']!r} expect {f['expect']!r} got {f['got']!r}"
                         for f in res["failures"][:20])
    assert not low, f"below the floor: {low}\n{failures}"

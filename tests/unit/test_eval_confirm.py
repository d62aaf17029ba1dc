"""scripts/eval_confirm on a tiny labelled set: what it counts as asked, plain, caught and let through."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CASES = [
    {"id": "ok-move", "text": "顺和陶瓷那单进入方案", "expect": {"intent": "update_stage", "deal_hint": "顺和陶瓷", "stage": "solution"}},
    {"id": "ok-won", "text": "顺和陶瓷签了 合同额80万", "expect": {"intent": "mark_won", "deal_hint": "顺和陶瓷", "amount": 800000}},
    # Labelled otherwise on purpose: the parse is "wrong" against these labels.
    {"id": "bad-move", "text": "顺和陶瓷那单进入方案", "expect": {"intent": "update_stage", "deal_hint": "顺和陶瓷", "stage": "bidding"}},
    {"id": "bad-won", "text": "顺和陶瓷签了 合同额80万", "expect": {"intent": "mark_won", "deal_hint": "顺和陶瓷", "amount": 900000}},
    {"id": "chat", "text": "我的商机", "expect": {"intent": "list_deals"}},
]


def test_eval_confirm_counts(tmp_path):
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CASES), encoding="utf-8")
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "eval_confirm"), str(path), "--json",
                          "--threshold", "0.5"], capture_output=True, text=True, check=True, cwd=ROOT)
    res = json.loads(out.stdout)
    fig = res["sets"]["tiny"]
    assert (fig["n"], fig["writes"], fig["confirm"], fig["plain_updates"], fig["plain_confirm"]) == (5, 4, 2, 2, 0)
    assert fig["reasons"] == {"amount": 2, "won": 2}
    assert (fig["wrong_writes"], fig["wrong_writes_caught"], fig["wrong_writes_through"]) == (2, 1, 1)
    assert fig["through_wrong_field"]["stage"] == 1
    assert res["pooled"]["n"] == 5 and set(res["sweep"]) >= {"0.5", "0.9"} and res["not_simulated"]

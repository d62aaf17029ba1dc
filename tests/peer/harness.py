"""Runs the peer suites (tests/peer/*.jsonl, or shared/datasets/peer/*.jsonl) through our extractors.

One case per line: {"kind": "date"|"amount"|"phone"|"number", "text", "expect", "source", "category"}
and, for dates, "now" (the suite's reference time, mapped to Asia/Shanghai). The text goes through the
same normalisation as a chat message (bot.intents.text.normalise), then:
- date: find_due(text, now) → ISO 8601 with seconds and offset, or null (no due: nothing, or the past);
- amount: the values of find_amounts that are read without doubt, in order (CNY only);
- phone: the values of find_phones that are read without doubt, in order;
- number: cn_number_value(text) (a whole Chinese numeral).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from bot.intents.dates import find_due
from bot.intents.numerals import cn_number_value, find_amounts
from bot.intents.phones import find_phones
from bot.intents.text import normalise

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_NOW = "2026-11-23T10:00:00+08:00"
TZ = "Asia/Shanghai"


def suite_files(dirs: list[Path] | None = None) -> list[Path]:
    """Every *.jsonl of the first directories that hold some (repo copy first, then shared/)."""
    dirs = dirs or [ROOT / "tests" / "peer", ROOT.parent / "shared" / "datasets" / "peer"]
    seen: dict[str, Path] = {}
    for d in dirs:
        for f in sorted(Path(d).glob("*.jsonl")) if Path(d).is_dir() else []:
            seen.setdefault(f.name, f)
    return [seen[k] for k in sorted(seen)]


def run_case(case: dict):
    s = normalise(case["text"])
    kind = case["kind"]
    if kind == "date":
        now = dt.datetime.fromisoformat(case.get("now") or DEFAULT_NOW)
        due = find_due(s, now, case.get("tz", TZ))
        return due.iso() if due else None
    if kind == "amount":
        return [f.value for f in find_amounts(s) if not f.ambiguous]
    if kind == "phone":
        return [f.value for f in find_phones(s) if not f.ambiguous]
    if kind == "number":
        return cn_number_value(s)
    raise ValueError(f"unknown kind {kind!r}")


def evaluate(files: list[Path]) -> dict:
    suites: dict = {}
    by_kind: dict = {}
    by_cat: dict = {}
    failures = []
    for f in files:
        sname = f.stem
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            try:
                got = run_case(case)
            except Exception as e:  # a crash is a failure of that case, reported, not the run
                got = f"error: {type(e).__name__}: {e}"
            ok = got == case["expect"]
            for table, key in ((suites, sname), (by_kind, case["kind"]), (by_cat, f"{case['kind']}/{case['category']}")):
                t = table.setdefault(key, [0, 0])
                t[0] += ok
                t[1] += 1
            if not ok:
                failures.append({"suite": sname, "kind": case["kind"], "category": case["category"], "text": case["text"],
                                 "expect": case["expect"], "got": got, "now": case.get("now")})

    def fig(t):
        return {k: {"accuracy": round(h / n, 4) if n else 0.0, "hits": h, "n": n} for k, (h, n) in sorted(t.items())}

    return {"suites": fig(suites), "by_kind": fig(by_kind), "by_category": fig(by_cat), "failures": failures,
            "files": [str(f) for f in files]}

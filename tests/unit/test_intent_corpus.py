"""Each mechanism's example corpus (tests/data/intent_corpus/*.jsonl) runs as tests, Duckling-style.

Only the fields a line lists are checked, so a corpus line states what its mechanism must get right.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.intents import parse
from bot.intents.registry import REGISTRY

CORPUS = Path(__file__).resolve().parents[1] / "data" / "intent_corpus"
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _cases():
    for path in sorted(CORPUS.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                case = json.loads(line)
                yield pytest.param(case, id=f"{path.stem}:{n}")


@pytest.mark.parametrize("case", list(_cases()))
def test_corpus(case):
    got = parse(case["text"], now=NOW).to_expect()
    want = case["expect"]
    assert {k: got.get(k) for k in want} == want, got


def test_every_intent_is_registered_once():
    assert set(REGISTRY) == {
        "create_lead", "update_stage", "mark_won", "mark_lost", "log_activity", "schedule_followup",
        "list_deals", "search_kb", "snooze", "help", "bind", "undo", "unknown",
    }


def test_confidence_reflects_the_margin_between_intents():
    clear = parse("新线索 华星光电 电话13810247795", now=NOW)
    assert clear.confidence >= 0.8
    unsure = parse("鼎立项目", now=NOW)
    assert unsure.confidence < 0.5 and unsure.clarify
    for text in ("你好", "提醒我明天给华星光电打电话", "华星光电那单丢了，价格太高"):
        assert 0.0 <= parse(text, now=NOW).confidence <= 1.0


@pytest.mark.parametrize("text", ["华锐机电签约了吗", "华锐机电那单客户还没签", "今天打电话了，客户说下周签合同", "客户准备下个月签约"])
def test_a_win_asked_about_or_still_to_come_is_no_win(text):
    assert parse(text, now=NOW).intent != "mark_won"

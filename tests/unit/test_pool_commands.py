"""Which messages are the pool's and the manager's commands (bot/commands), and that no message of
the parser's data sets is taken from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.commands import manager, match, pool

REPO = Path(__file__).resolve().parents[2]
SETS = [Path("/work/shared/datasets/chat_cases.jsonl"), *sorted(Path("/work/shared/datasets/chat_more").glob("*.jsonl")),
        *sorted((REPO / "tests" / "data").glob("chat_*.jsonl"))]


@pytest.mark.parametrize("text, kind, hint, reason", [
    ("公海", "pool_list", "", ""),
    ("看看公海里有什么", "pool_list", "", ""),
    ("我们组的公海", "pool_list", "", ""),
    ("顺和那单放回公海，客户今年没预算", "release", "顺和那单", "客户今年没预算"),
    ("放回公海 顺和 客户没预算", "release", "顺和", "客户没预算"),
    ("把凯拓退回公海", "release", "凯拓", ""),
    ("这单放回公海吧", "release", "这单", ""),
    ("领取 1", "claim", "1", ""),
    ("认领凯拓", "claim", "凯拓", ""),
    ("我要领取公海里的顺和", "claim", "顺和", ""),
    ("保留 顺和 下周签合同", "keep", "顺和", "下周签合同"),
    ("保留顺和，客户在走流程", "keep", "顺和", "客户在走流程"),
    ("pool", "pool_list", "", ""),
    ("show the lead pool", "pool_list", "", ""),
    ("release Acme to the pool: no budget", "release", "Acme", "no budget"),
    ("return Acme to pool", "release", "Acme", ""),
    ("claim 2", "claim", "2", ""),
    ("keep Acme because they sign next week", "keep", "Acme", "they sign next week"),
])
def test_pool_commands(text, kind, hint, reason):
    cmd = pool.match(text)
    assert cmd is not None and cmd.kind == kind, cmd
    assert (cmd.hint, cmd.reason) == (hint, reason)


def test_claim_targets():
    assert pool.match("领取 第二个").number == 2
    assert pool.match("领取 #12345").deal_id == 12345
    assert pool.match("claim #7").deal_id == 7


@pytest.mark.parametrize("text, kind, name", [
    ("团队漏斗", "funnel", ""), ("看看团队漏斗", "funnel", ""), ("我的漏斗", "funnel", ""),
    ("本周漏斗", "week_funnel", ""), ("团队本周漏斗", "week_funnel", ""),
    ("谁没跟进", "not_followed", ""), ("谁还没跟进？", "not_followed", ""), ("哪些人没跟进", "not_followed", ""),
    ("停滞的大单", "stalled", ""), ("卡住的大单", "stalled", ""), ("超期的商机", "stalled", ""),
    ("本周战报", "closed", ""), ("这周赢单", "closed", ""), ("本周输赢", "closed", ""),
    ("李四的商机", "rep", "李四"), ("看看张伟的漏斗", "rep", "张伟"),
    ("team funnel", "funnel", ""), ("funnel", "funnel", ""), ("this week's funnel", "week_funnel", ""),
    ("who hasn't followed up", "not_followed", ""), ("stalled big deals", "stalled", ""),
    ("wins and losses this week", "closed", ""), ("pipeline of Li Si", "rep", "Li Si"),
    ("Zhang Wei's pipeline", "rep", "Zhang Wei"),
])
def test_manager_commands(text, kind, name):
    cmd = manager.match(text)
    assert cmd is not None and (cmd.kind, cmd.name) == (kind, name), cmd


@pytest.mark.parametrize("text", ["我的商机", "my deals", "我的商机有哪些", "顺和那单进入谈判", "保留价格不变",
                                  "客户要求保留原方案", "release notes please", "release Acme", "帮助", "嗯看一下我手上谈判阶段的单子"])
def test_not_ours(text):
    cmd = match(text)
    assert cmd is None or (cmd.kind == "keep" and text.startswith("保留")), cmd


def test_no_message_of_the_parser_sets_is_taken():
    texts = []
    for path in SETS:
        if path.exists():
            texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    if not texts:
        pytest.skip("no chat data sets here")
    taken = [t for t in texts if match(t) is not None]
    assert taken == [], taken[:10]


@pytest.mark.parametrize("text, name, tier, reason", [
    ("顺和设为A类客户，理由：集团统一采购", "顺和", "A", "集团统一采购"),
    ("把凯拓定为大客户 因为年框", "凯拓", "A", "年框"),
    ("海天改为C类", "海天", "C", ""),
    ("顺和设为自动", "顺和", "", ""),
    ("set Acme to tier B because they pay late", "Acme", "B", "they pay late"),
])
def test_set_tier(text, name, tier, reason):
    cmd = manager.match(text)
    assert cmd is not None and (cmd.kind, cmd.name, cmd.tier, cmd.reason) == ("set_tier", name, tier, reason), cmd

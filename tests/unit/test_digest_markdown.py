"""The digest markdown stays within WeChat Work's 4,096 bytes, keeping its link, however big the team."""

from __future__ import annotations

import datetime as dt

from backend.services.digests.markdown import LIMIT, daily_markdown, weekly_markdown
from backend.services.nudges.messages import money
from schemas.digests import (
    ClosedDeal,
    Conversion,
    DigestFigures,
    Engagement,
    FunnelStage,
    PeriodCounts,
    SourceCount,
    StageMove,
    StalledDeal,
    WeeklyFigures,
)

URL = "http://127.0.0.1:8000/d/" + "T" * 32


def figures(n: int) -> DigestFigures:
    long = "非常非常长的客户公司名称有限责任公司" * 3
    return DigestFigures(
        tenant_id=1, manager_id=2, manager_name="王经理", team="华东一组", day=dt.date(2026, 3, 11),
        since=dt.datetime(2026, 3, 9, 16, tzinfo=dt.timezone.utc), until=dt.datetime(2026, 3, 10, 16, tzinfo=dt.timezone.utc),
        new_leads=[SourceCount(source="chat", count=n, amount=0), SourceCount(source="card", count=n, amount=0)],
        new_leads_total=2 * n,
        stage_moves=[StageMove(from_stage="lead", to_stage="qualified", from_name="线索", to_name=f"验证{i}", count=i + 1,
                               forward=True) for i in range(n)],
        won=[ClosedDeal(outcome="won", deal_id=i, title=f"{long}{i}", owner="李雷", amount=100_000) for i in range(n)],
        lost=[ClosedDeal(outcome="lost", deal_id=i, title=f"{long}{i}", owner="韩梅梅", amount=50_000,
                         reason="价格太高" * 10) for i in range(n)],
        stalled_total=n, stalled_top=[StalledDeal(deal_id=i, title=f"{long}{i}", owner="张伟", stage_name="投标",
                                                  amount=1_000_000, days_over=i) for i in range(min(n, 5))],
        open_count=n, open_amount=n * 1000, weighted_pipeline=n * 500,
        conversion=[Conversion(stage="lead", name="线索", next_name="验证", entered=10, advanced=4, rate=0.4)],
        engagement=Engagement(views=n, visitors=n, forwards=1, inquiries=2),
        idle_reps=[f"销售代表{i}号" for i in range(n)],
        funnel=[FunnelStage(stage="lead", name="线索", count=n, amount=0)], trend=[],
    )


def test_a_small_digest_is_whole():
    text = daily_markdown(figures(2), URL)
    assert "**新线索 4 条**：对话 2 · 名片 2" in text and "销售代表1号" in text and text.endswith(f"({URL})")


def test_a_huge_digest_shrinks_its_lists_and_keeps_the_link():
    text = daily_markdown(figures(400), URL)
    assert len(text.encode("utf-8")) <= LIMIT
    assert text.endswith(f"[查看漏斗与14天趋势图]({URL})")
    assert "**卡住的大单**（共 400 单超时）" in text and "等400项" in text


def test_money_reads_like_a_rep_says_it():
    assert [money(v) for v in (None, 8000, 500_000, 1_234_567, 120_000_000)] == ["未填金额", "8000元", "50万", "123.5万", "1.2亿"]


def test_weekly_marks_the_changes():
    w = WeeklyFigures(
        tenant_id=1, manager_id=2, manager_name="王经理", team=None, week_start=dt.date(2026, 3, 9),
        this_week=PeriodCounts(leads=5, won=1, won_amount=300_000), last_week=PeriodCounts(leads=8, won=1, won_amount=100_000),
        funnel_now=[FunnelStage(stage="lead", name="线索", count=3, amount=0)],
        funnel_week_ago=[FunnelStage(stage="lead", name="线索", count=3, amount=0)],
    )
    text = weekly_markdown(w, URL)
    assert "**新线索**：5（<font color=\"warning\">↓3</font>）" in text
    assert "金额 30万（<font color=\"info\">↑20万</font>）" in text and "> 线索：3（持平）" in text

"""The digest as a WeChat Work markdown message, always within its 4,096-byte limit.

Lists (stalled deals, won / lost, moves, idle reps) shrink item by item until the message
fits; the link to the H5 page is kept whatever happens.
"""

from __future__ import annotations

import datetime as dt

from backend.services.nudges.messages import clip, money
from schemas.digests import DigestFigures, PeriodCounts, WeeklyFigures

LIMIT = 4096
SOURCE_ZH = {"chat": "对话", "card": "名片", "import": "导入", "api": "接口"}


def _fits(text: str, limit: int) -> bool:
    return len(text.encode("utf-8")) <= limit


def _named(items: list[str], n: int, sep: str = "、") -> str:
    if len(items) <= n:
        return sep.join(items)
    return sep.join(items[:n]) + f" 等{len(items)}项"


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def _daily(f: DigestFigures, n: int) -> str:
    lines = [f"## {f.manager_name}，早上好：{f.day.month}月{f.day.day}日销售简报"]
    y = f.day - dt.timedelta(days=1)
    lines.append(f"> {f.team or '全公司'} · 昨日（{y.month}月{y.day}日）")
    if f.new_leads_total:
        by = " · ".join(f"{SOURCE_ZH.get(s.source, s.source)} {s.count}" for s in f.new_leads)
        lines.append(f"**新线索 {f.new_leads_total} 条**：{by}")
    else:
        lines.append("**新线索 0 条**")
    moves = sum(m.count for m in f.stage_moves)
    if moves:
        shown = [f"{m.from_name}→{m.to_name} {m.count}" for m in f.stage_moves]
        lines.append(f"**阶段推进 {moves} 次**：{_named(shown, n, '，')}")
    for label, color, deals in (("赢单", "info", f.won), ("输单", "warning", f.lost)):
        if deals:
            total = sum(d.amount or 0 for d in deals)
            parts = [
                f"{clip(d.title, 20)}（{d.owner}{'，' + money(d.amount) if d.amount else ''}"
                f"{'，' + clip(d.reason, 20) if d.reason and d.outcome == 'lost' else ''}）"
                for d in deals
            ]
            lines.append(f"**{label} {len(deals)} 单 <font color=\"{color}\">{money(total)}</font>**：{_named(parts, n)}")
    lines.append(
        f"**加权管道 <font color=\"warning\">{money(f.weighted_pipeline)}</font>**"
        f"（在途 {f.open_count} 单，合计 {money(f.open_amount)}）"
    )
    if f.stalled_total:
        lines.append(f"**卡住的大单**（共 {f.stalled_total} 单超时）：")
        for s in f.stalled_top[:n]:
            lines.append(f"> {clip(s.title, 24)} · {s.stage_name}超 {s.days_over} 天 · {money(s.amount)} · {s.owner}")
    conv = [c for c in f.conversion if c.entered and c.next_name]
    if conv:
        shown = [f"{c.name}→{c.next_name} {_pct(c.rate)}" for c in conv]
        lines.append(f"**近30天转化**：{_named(shown, max(n, 3), ' · ')}")
    e = f.engagement
    lines.append(
        f"**名片互动**：浏览 {e.views} 次（{e.visitors} 人）· 转发 {e.forwards} · 留言 {e.inquiries} · 拨号 {e.tap_phone}"
    )
    if f.pool_returned or f.pool_claimed:
        lines.append(f"**公海**：回到公海 {f.pool_returned} 单（其中超期回收 {f.pool_recycled} 单）· 被领取 {f.pool_claimed} 单")
    if f.idle_reps:
        lines.append(f"**昨日无跟进**：<font color=\"comment\">{_named(f.idle_reps, n)}</font>")
    return "\n".join(lines)


def daily_markdown(f: DigestFigures, url: str, limit: int = LIMIT) -> str:
    link = f"\n[查看漏斗与14天趋势图]({url})"
    budget = limit - len(link.encode("utf-8"))
    for n in (5, 4, 3, 2, 1, 0):
        body = _daily(f, n)
        if _fits(body, budget):
            return body + link
    data = body.encode("utf-8")[: budget - 3]
    return data.decode("utf-8", errors="ignore") + "…" + link


def _delta(now: int, before: int, as_money: bool = False) -> str:
    diff = now - before
    shown = money(now) if as_money else str(now)
    if diff == 0:
        return f"{shown}（持平）"
    sign = "↑" if diff > 0 else "↓"
    amount = money(abs(diff)) if as_money else str(abs(diff))
    color = "info" if diff > 0 else "warning"
    return f"{shown}（<font color=\"{color}\">{sign}{amount}</font>）"


def weekly_markdown(w: WeeklyFigures, url: str | None = None, limit: int = LIMIT) -> str:
    a: PeriodCounts = w.this_week
    b: PeriodCounts = w.last_week
    lines = [
        f"## 周一漏斗复盘：{w.week_start.month}月{w.week_start.day}日那一周",
        f"> {w.team or '全公司'} · 与前一周相比",
        f"**新线索**：{_delta(a.leads, b.leads)}",
        f"**阶段推进**：{_delta(a.advances, b.advances)}",
        f"**赢单**：{_delta(a.won, b.won)} 单，金额 {_delta(a.won_amount, b.won_amount, True)}",
        f"**输单**：{_delta(a.lost, b.lost)} 单",
        f"**跟进记录**：{_delta(a.activities, b.activities)}",
        f"**名片浏览**：{_delta(a.views, b.views)}",
        "**漏斗（单数，本周末 vs 上周末）**：",
    ]
    before = {s.stage: s for s in w.funnel_week_ago}
    for s in w.funnel_now:
        old = before.get(s.stage)
        lines.append(f"> {s.name}：{_delta(s.count, old.count if old else 0)}")
    if url:
        lines.append(f"[查看图表]({url})")
    text = "\n".join(lines)
    return text if _fits(text, limit) else text.encode("utf-8")[: limit - 3].decode("utf-8", errors="ignore") + "…"

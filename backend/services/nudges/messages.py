"""What nudges say (zh): WeChat Work template cards with one-tap buttons, and plain texts.

A nudge names the deal, the stage, the days in it against its SLA, the last activity and the
next step; its buttons carry ``nudge:{deal_id}:{action}`` (done / snooze3 / next), which the
chat callback acts on; the same words work as chat replies where cards do not show.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Mapping, Sequence

from schemas.outbox import TemplateCardMessage, TextMessage

ACTIONS = (("done", "已跟进", 1), ("snooze3", "推迟3天", 2), ("next", "下一阶段", 2))
ACTIVITY_ZH = {"visit": "拜访", "call": "电话", "note": "备注", "meeting": "会议", "email": "邮件", "followup": "跟进"}
CHAT_HINT = "回复“已跟进”“推迟3天”或“下一阶段”也可以"


def clip(text: str | None, limit: int) -> str:
    text = (text or "").strip().replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def money(amount: int | float | None) -> str:
    """500000 → 50万, 120000000 → 1.2亿, 8000 → 8000元."""
    if amount is None:
        return "未填金额"
    if amount >= 100_000_000:
        return f"{amount / 100_000_000:.4g}亿"
    if amount >= 10_000:
        return f"{amount / 10_000:.4g}万"
    return f"{int(amount)}元"


def days_between(later: dt.datetime, earlier: dt.datetime) -> int:
    """Whole days elapsed (26.9 days is 第26天 over, as reps count)."""
    return max(int(math.floor((later - earlier).total_seconds() / 86400)), 0)


def ago(now: dt.datetime, at: dt.datetime | None) -> str:
    if at is None:
        return "无记录"
    days = days_between(now, at)
    if days == 0:
        return "今天"
    if days == 1:
        return "昨天"
    return f"{days}天前"


def engagement_line(row: Mapping[str, Any], engaged_days: int) -> str:
    """"张总今天看了你的名片 3 次" — what the deal's customer did with the rep's card lately."""
    who = row.get("contact_name") or "客户"
    if row.get("inquiries_recent"):
        return f"{who}最近给你留言了"
    if row.get("views_today"):
        return f"{who}今天看了你的名片 {row['views_today']} 次"
    if row.get("forwards_recent"):
        return f"{who}近{engaged_days}天转发了你的名片"
    if row.get("views_recent"):
        return f"{who}近{engaged_days}天看了你的名片 {row['views_recent']} 次"
    if row.get("events_recent"):
        return f"{who}近{engaged_days}天打开过你的名片"
    return ""


def reason(row: Mapping[str, Any], now: dt.datetime, factor: float = 2.0) -> str:
    """Why this nudge, in one line."""
    stage = row.get("stage_name") or row.get("stage")
    days_in = days_between(now, row["stage_entered_at"])
    rule, level = row["rule"], row["level"]
    if rule == "stalled" and level == 2:
        return f"{row.get('owner_name') or '销售'}的这单已在{stage}{days_in}天，超过时限{row['sla_days']}天的{factor:g}倍"
    if rule == "stalled":
        return f"这单已在{stage}{days_in}天（时限{row['sla_days']}天）"
    if rule == "unpaid" and level == 2:
        return f"{row.get('owner_name') or '销售'}的这单签约{days_in}天仍未回款，超过时限{row['sla_days']}天的{factor:g}倍"
    if rule == "unpaid":
        return f"签约已{days_in}天仍未回款（时限{row['sla_days']}天）"
    if rule == "idle":
        return f"已{days_between(now, row['episode'])}天没有跟进记录"
    if rule == "close_passed":
        close = row["expected_close"]
        return f"预计成交日{close:%m月%d日}已过，请推进或更新日期"
    return rule


def headline(row: Mapping[str, Any], now: dt.datetime, engaged_days: int, factor: float = 2.0) -> str:
    """The engagement first when there is some: "张总今天看了你的名片 3 次，这单已在投标 26 天"."""
    why = reason(row, now, factor)
    line = engagement_line(row, engaged_days) if row.get("engaged") else ""
    return f"{line}，{why}" if line else why


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def micros(at: dt.datetime) -> int:
    """Microseconds since the epoch, exactly (no float rounding)."""
    return (at - _EPOCH) // dt.timedelta(microseconds=1)


def task_id(row: Mapping[str, Any]) -> str:
    """WeChat Work wants a unique task id per card ([A-Za-z0-9_-@], up to 128 bytes): the nudge's key."""
    return (f"nudge-{row['tenant_id']}-{row['deal_id']}-{row['rule']}-{row['level']}-"
            f"{micros(row['stage_entered_at'])}-{micros(row['episode'])}").replace("_", "-")


# The first-named reason on a card: the stage clock first, the close date next, silence last.
RULE_ORDER = {"stalled": 0, "unpaid": 0, "close_passed": 1, "idle": 2}


def nudge_card(rows: Sequence[Mapping[str, Any]], now: dt.datetime, *, engaged_days: int = 3,
               factor: float = 2.0) -> TemplateCardMessage:
    """One button_interaction template card for a deal: every rule that fired on it, named in one line."""
    rows = sorted(rows, key=lambda r: RULE_ORDER.get(r["rule"], 9))
    row = rows[0]
    deal_id = row["deal_id"]
    stage = row.get("stage_name") or row.get("stage")
    days_in = days_between(now, row["stage_entered_at"])
    sla = f"/{row['sla_days']}天" if row.get("sla_days") else "天"
    last = ago(now, row.get("last_activity_at"))
    if row.get("last_kind"):
        last = f"{ago(now, row.get('last_at'))} {ACTIVITY_ZH.get(row['last_kind'], row['last_kind'])}：{row.get('last_body') or ''}"
    fields = [
        {"keyname": "阶段", "value": clip(f"{stage} · 第{days_in}{sla}", 26)},
        {"keyname": "金额", "value": money(row.get("amount"))},
        {"keyname": "最近跟进", "value": clip(last, 26)},
        {"keyname": "下一步", "value": clip(row.get("next_step") or "未填写", 26)},
    ]
    if row["level"] == 2:
        fields.append({"keyname": "负责人", "value": clip(row.get("owner_name"), 26)})
    title = row.get("title") or f"商机 {deal_id}"
    company = row.get("company")
    why = "；".join(reason(r, now, factor) for r in rows)
    line = engagement_line(row, engaged_days) if row.get("engaged") else ""
    desc = f"{line}，{why}" if line else why
    card = {
        "card_type": "button_interaction",
        "source": {"desc": "拓客 · 升级提醒" if row["level"] == 2 else "拓客 · 商机提醒"},
        "main_title": {"title": clip(title, 36), "desc": clip(desc, 44)},
        "sub_title_text": clip(f"{company + '。' if company and company not in title else ''}{desc}。{CHAT_HINT}（{clip(title, 12)}）", 112),
        "horizontal_content_list": fields,
        "task_id": task_id(row),
        "button_list": [{"text": text, "style": style, "key": f"nudge:{deal_id}:{action}"} for action, text, style in ACTIONS],
    }
    return TemplateCardMessage(card=card)


def summary_text(titles: list[str], count: int, cap: int) -> TextMessage:
    named = "、".join(clip(t, 16) for t in titles[:3])
    more = "等" if count > 3 else ""
    return TextMessage(
        content=f"另有 {count} 单今天没有逐条提醒（每天最多 {cap} 条）：{named}{more}。回复“我的商机”查看全部。"
    )


HOT_VERBS = {"inquiry": "给你留言了", "repeat_view": "又在看你的名片", "forward": "转发了你的名片"}


def hot_signal_text(ctx: Mapping[str, Any], *, kind: str, visitor_name: str | None, detail: str, now: dt.datetime) -> TextMessage:
    who = visitor_name or ctx.get("contact_name") or "一位访客"
    verb = HOT_VERBS.get(kind, "有新动态")
    if kind == "repeat_view" and ctx.get("views_today"):
        verb = f"今天第 {ctx['views_today']} 次看你的名片"
    lines = [f"🔥 {who}{verb}"]
    if detail:
        lines.append(clip(detail, 300))
    if ctx.get("deal_id"):
        stage = ctx.get("stage_name") or ctx.get("stage")
        days_in = days_between(now, ctx["stage_entered_at"])
        lines.append(f"商机：{clip(ctx.get('title'), 40)}（{stage}第{days_in}天，{money(ctx.get('amount'))}）")
    lines.append("趁热联系！")
    return TextMessage(content="\n".join(lines))


def followup_text(row: Mapping[str, Any], now: dt.datetime) -> TextMessage:
    stage = row.get("stage_name") or row.get("stage")
    due = row["due_at"]
    late = "" if now - due < dt.timedelta(minutes=30) else f"（原定{ago(now, due)}）"
    return TextMessage(
        content=f"⏰ 跟进提醒{late}：{clip(row['body'], 400)}\n商机：{clip(row.get('title'), 40)}（{stage}）\n跟进后回复“已跟进”，或“推迟3天”。"
    )

"""What the pool says in chat when the recycle pass warns an owner (zh): a template card whose
buttons carry ``pool:{deal_id}:keep|release`` (the chat callback acts on them)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from backend.services.nudges.messages import clip, micros, money  # noqa: F401  (micros: outbox keys)
from schemas.outbox import TemplateCardMessage, TextMessage

BUTTONS = (("keep", "保留", 1), ("release", "放回公海", 2))


def local_date(at: dt.datetime, tz: str) -> str:
    from backend.services.nudges import manners

    local = at.astimezone(manners.zone(tz))
    return f"{local.month}月{local.day}日"


def warning_card(row: Mapping[str, Any], now: dt.datetime, tz: str) -> TemplateCardMessage:
    deal_id = row["deal_id"]
    title = row.get("title") or f"商机 {deal_id}"
    idle = max(int((now - row["episode"]).total_seconds() // 86400), 0)
    when = local_date(row["recycle_at"], tz)
    tier = f"{row['tier']}类客户 · " if row.get("tier") else ""
    desc = f"已{idle}天没有跟进，{when}将回收到公海"
    card = {
        "card_type": "button_interaction",
        "source": {"desc": "拓客 · 公海提醒"},
        "main_title": {"title": clip(title, 36), "desc": clip(desc, 44)},
        "sub_title_text": clip(
            f"{tier}{row.get('stage_name') or ''} · {money(row.get('amount'))}。要继续跟进就点“保留”并说明理由；"
            f"也可以回复“保留 {clip(row.get('company') or title, 12)} 理由”。", 112),
        "horizontal_content_list": [
            {"keyname": "阶段", "value": clip(row.get("stage_name") or "", 26)},
            {"keyname": "金额", "value": money(row.get("amount"))},
            {"keyname": "回收日期", "value": when},
        ],
        "task_id": f"pool-{row['tenant_id']}-{deal_id}-{micros(row['episode'])}",
        "button_list": [{"text": text, "style": style, "key": f"pool:{deal_id}:{action}"}
                        for action, text, style in BUTTONS],
    }
    return TemplateCardMessage(card=card)


def warning_summary(rows: list[Mapping[str, Any]], tz: str) -> TextMessage:
    """One text for the warned deals beyond the cards: how many, the first names, the date."""
    names = "、".join(clip(r.get("company") or r.get("title"), 16) for r in rows[:5])
    more = "等" if len(rows) > 5 else ""
    when = local_date(min(r["recycle_at"] for r in rows), tz)
    return TextMessage(content=(
        f"另有 {len(rows)} 单很久没有跟进，最早{when}起将回收到公海：{names}{more}。"
        f"要继续跟进请回复“保留 客户名 理由”，不跟了可以回复“客户名放回公海”。"))

"""What the bot says, in Chinese and English: a line or two, what was done and how to undo it.

Every reply fits WeChat's passive-reply limit (2048 bytes of text); a longer one is cut.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from zoneinfo import ZoneInfo

import msgspec

from backend.services.outbox import truncate_bytes

Lang = Literal["zh", "en"]
REPLY_LIMIT = 2048  # bytes, WeChat's text limit for passive replies and app messages

_T: dict[str, dict[str, str]] = {
    "undo_hint": {"zh": "回复“撤销”可撤回。", "en": 'Reply "undo" to revert.'},
    "not_registered": {
        "zh": "你好，你还没有开通拓客助手。请联系管理员在后台添加你的企业微信账号后再试。",
        "en": "Hi, you are not registered with tuoke yet. Please ask your admin to add your WeChat Work account.",
    },
    "not_registered_mp": {
        "zh": "你好，这里只对销售同事开放。如果你是销售：先在企业微信里对拓客助手发“绑定”拿到6位验证码，"
              "再在这里发“绑定 123456”。",
        "en": 'Hi, this account serves our sales team only. If you are a rep: send "bind" to the tuoke app in '
              'WeChat Work for a 6-digit code, then send "bind 123456" here.',
    },
    "mp_bound": {"zh": "绑定成功，{name}。现在可以在这里直接记录客户和商机了。",
                 "en": "Bound, {name}. You can manage your deals from here now."},
    "mp_bind_bad": {"zh": "验证码不对、已用过或已过期。请在企业微信里对拓客助手发“绑定”获取新的验证码。",
                    "en": 'That code is wrong, used or expired. Send "bind" to the tuoke app in WeChat Work for a new one.'},
    "lead_created": {"zh": "已新建线索：{what}。{undo}", "en": "New lead: {what}. {undo}"},
    "lead_needs_company": {"zh": "客户公司叫什么？直接回复公司名即可。",
                           "en": "What is the customer's company? Just reply with its name."},
    "stage_moved": {"zh": "已把「{deal}」移到「{stage}」阶段{extra}。{undo}",
                    "en": "Moved {deal} to {stage}{extra}. {undo}"},
    "stage_same": {"zh": "「{deal}」已经在「{stage}」阶段了{extra}。{undo}",
                   "en": "{deal} is in {stage} already{extra}. {undo}"},
    "stage_missing": {"zh": "要移到哪个阶段？例如“{deal}进入方案”。",
                      "en": 'Which stage? For example "{deal} moved to solution".'},
    "won": {"zh": "恭喜签约！「{deal}」已标记为签约{extra}。{undo}", "en": "Congratulations! {deal} is won{extra}. {undo}"},
    "lost": {"zh": "已将「{deal}」标记为输单{extra}。{undo}", "en": "Marked {deal} as lost{extra}. {undo}"},
    "activity": {"zh": "已记录到「{deal}」：{note}。{undo}", "en": "Logged on {deal}: {note}. {undo}"},
    "followup": {"zh": "好的，{when} 提醒你：{note}（{deal}）。{undo}", "en": "OK, I will remind you {when}: {note} ({deal}). {undo}"},
    "followup_no_time": {"zh": "什么时候跟进？请带上时间重发，例如“明天下午3点回访{deal}”。",
                         "en": 'When? Send it again with a time, e.g. "call {deal} tomorrow at 3pm".'},
    "followup_past": {"zh": "{when} 已经过去了，请给一个将来的时间。", "en": "{when} is in the past; please give a future time."},
    "snoozed": {"zh": "已暂停「{deal}」的提醒 {days} 天（到 {until}）。{undo}",
                "en": "Muted reminders for {deal} for {days} days (until {until}). {undo}"},
    "list_header": {"zh": "你有 {n} 个进行中的商机（最急的在前）：", "en": "You have {n} open deals (most urgent first):"},
    "list_header_stage": {"zh": "「{stage}」阶段有 {n} 个商机：", "en": "{n} deals in {stage}:"},
    "list_more": {"zh": "…还有 {n} 个，完整列表稍后发给你。", "en": "…and {n} more; the full list follows in a message."},
    "list_full_header": {"zh": "你的全部商机（{n} 个）：", "en": "All your deals ({n}):"},
    "list_empty": {"zh": "你还没有进行中的商机。发“新客户 公司名 联系人 电话”即可录入。",
                   "en": 'You have no open deals. Send "new lead <company> <contact> <phone>" to add one.'},
    "list_empty_stage": {"zh": "「{stage}」阶段没有商机。", "en": "No deals in {stage}."},
    "bind": {"zh": "你的绑定码：{code}，10分钟内有效，只能用一次。在小程序里输入即可完成绑定。",
             "en": "Your binding code: {code}. It is valid for 10 minutes, once. Enter it in the mini-program."},
    "undo_done": {"zh": "已撤销：{summary}。", "en": "Undone: {summary}."},
    "undo_nothing": {"zh": "没有可以撤销的操作。", "en": "There is nothing to undo."},
    "help": {
        "zh": "我是拓客助手，直接说就行（文字或语音）：\n"
              "· 新客户 顺和陶瓷 刘总 13800000000 想了解储能柜 预算50万\n"
              "· 顺和那单进入方案 / 顺和签了 80万 / 顺和丢了 价格太高\n"
              "· 今天拜访了顺和刘总 / 明天下午3点回访顺和\n"
              "· 我的商机 / 顺和先别提醒了 / 查一下储能柜卖点\n"
              "· 撤销（撤回上一步）/ 绑定（小程序绑定码）",
        "en": "I am the tuoke assistant; just tell me (text or voice):\n"
              "· new lead Acme, Tom 13800000000, wants inverters, budget 500k\n"
              "· Acme moved to negotiation / Acme closed 800k / Acme lost, price\n"
              "· visited Acme today / call Acme tomorrow at 3pm\n"
              "· my deals / snooze Acme 7 days / inverter selling points?\n"
              "· undo (reverts your last change) / bind (mini-program code)",
    },
    "unknown": {
        "zh": "没太听懂。可以这样说：“新客户 顺和陶瓷 刘总 13800000000”、“顺和那单进入谈判”、“我的商机”。发“帮助”看更多。",
        "en": 'Sorry, I did not get that. Try "new lead Acme Tom 13800000000", "Acme moved to negotiation" or '
              '"my deals". Send "help" for more.',
    },
    "pick_deal": {"zh": "你说的是哪一单？回复序号：\n{options}", "en": "Which deal do you mean? Reply with its number:\n{options}"},
    "pick_more": {"zh": "（还有更多，说得具体一点也行）", "en": "(there are more; or be more specific)"},
    "no_match_pick": {"zh": "没找到“{hint}”。是下面哪一单？回复序号：\n{options}",
                      "en": 'No deal matches "{hint}". Is it one of these? Reply with its number:\n{options}'},
    "no_deals": {"zh": "你还没有进行中的商机，先发“新客户 …”录入一个吧。", "en": 'You have no open deals yet; send "new lead …" first.'},
    "confirm": {"zh": "{question}\n回复“是”按我理解的执行，或者直接重新发一遍。",
                "en": '{question}\nReply "yes" to go ahead as I understood, or just send it again.'},
    "confirm_default": {"zh": "我理解的是：{summary}。对吗？", "en": "I understood: {summary}. Right?"},
    "cancelled": {"zh": "好的，已取消。", "en": "OK, cancelled."},
    "kb_unavailable": {"zh": "知识库还没有开通，暂时查不了资料。", "en": "The knowledge base is not available yet."},
    "kb_searching": {"zh": "正在查找“{query}”…稍后把结果发给你。", "en": 'Looking up "{query}"… I will send the answer shortly.'},
    "kb_none": {"zh": "知识库里没找到“{query}”相关的资料。", "en": 'Nothing in the knowledge base about "{query}".'},
    "kb_header": {"zh": "关于“{query}”：", "en": 'About "{query}":'},
    "kb_failed": {"zh": "抱歉，“{query}”没查成功，请稍后再问一次。", "en": 'Sorry, the search for "{query}" failed; please ask again later.'},
    "kb_empty_query": {"zh": "想查什么？例如“查一下储能柜的卖点”。", "en": 'What should I look up? e.g. "inverter selling points".'},
    "forbidden": {"zh": "这单不是你的，不能修改。", "en": "That deal belongs to someone else."},
    "deal_gone": {"zh": "这单已经不存在了。", "en": "That deal does not exist any more."},
    "failed": {"zh": "没办成：{detail}", "en": "Not done: {detail}"},
    "busy": {"zh": "系统繁忙，请稍后再发一次。", "en": "Something went wrong on our side; please send it again in a moment."},
    "unsupported": {"zh": "暂时只能处理文字和语音消息。", "en": "I can only read text and voice messages for now."},
    "voice_empty": {"zh": "没听清，请再说一次或直接打字。", "en": "I could not make that out; please say it again or type it."},
    "voice_how": {
        "zh": "没听清这条语音（这里收不到语音的文字）：请对企业微信里的“拓客助手”智能机器人说，或用输入法的语音输入转成文字发给我。",
        "en": "I could not hear this voice message: say it to the tuoke AI bot in WeChat Work, or use your keyboard's voice input.",
    },
    "nudge_done": {"zh": "已记录跟进：「{deal}」。{undo}", "en": "Logged a follow-up on {deal}. {undo}"},
    "nudge_closed": {"zh": "「{deal}」已经在「{stage}」，没有下一个阶段了。", "en": "{deal} is in {stage}; there is no next stage."},
    "nudge_bad": {"zh": "这个按钮已失效。", "en": "That button no longer works."},
}

_STAGE_EN = {
    "lead": "Lead", "qualified": "Qualified", "initiated": "Initiated", "solution": "Solution",
    "bidding": "Bidding", "negotiation": "Negotiation", "won": "Won", "paid": "Paid", "lost": "Lost",
}
_WEEKDAYS_ZH = "一二三四五六日"


def template(table: dict[str, dict[str, str]], key: str, lang: str) -> str:
    """Entry ``key`` of a zh / en reply table in ``lang`` (zh when unknown). Every area's reply table
    (this module's, the pool's, the confirmations', the AI bot's) is read through here."""
    return table[key][lang if lang in ("zh", "en") else "zh"]


def say(key: str, lang: str, **kw: Any) -> str:
    """The reply ``key`` in ``lang`` (zh when unknown), with ``{undo}`` filled in."""
    lang = lang if lang in ("zh", "en") else "zh"
    template = _T[key][lang]
    if "{undo}" in template and "undo" not in kw:
        kw["undo"] = _T["undo_hint"][lang]
    return fit(template.format(**kw).strip())


def fit(text: str) -> str:
    """Within WeChat's text limit, and safe inside a CDATA section."""
    return truncate_bytes(text.replace("]]>", "]] >"), REPLY_LIMIT)


def money(amount: int | None, lang: str) -> str:
    if amount is None:
        return ""
    if lang == "en":
        return f"¥{amount:,}"
    if amount >= 10**8 and amount % 10**6 == 0:
        return f"{amount / 10**8:g}亿"
    if amount >= 10**4 and amount % 100 == 0:
        return f"{amount / 10**4:g}万"
    return f"{amount}元"


def stage_name(key: str, lang: str, names_zh: dict[str, str] | None = None) -> str:
    if lang == "en":
        return _STAGE_EN.get(key, key)
    return (names_zh or {}).get(key, key)


def when(at: dt.datetime, tz: str, lang: str, now: dt.datetime) -> str:
    """A due time as a rep reads it: 明天(周二) 15:00 / Tue 24 Nov 15:00."""
    zone = ZoneInfo(tz)
    local, today = at.astimezone(zone), now.astimezone(zone).date()
    days = (local.date() - today).days
    if lang == "en":
        day = {0: "today", 1: "tomorrow"}.get(days, local.strftime("%a %d %b"))
        return f"{day} {local:%H:%M}"
    prefix = {0: "今天", 1: "明天", 2: "后天"}.get(days, f"{local.month}月{local.day}日")
    return f"{prefix}(周{_WEEKDAYS_ZH[local.weekday()]}) {local:%H:%M}"


def day(at: dt.datetime, tz: str, lang: str) -> str:
    local = at.astimezone(ZoneInfo(tz))
    return local.strftime("%d %b") if lang == "en" else f"{local.month}月{local.day}日"


def deal_label(row: Any) -> str:
    """How a deal is named in a reply: the customer, else the deal's title."""
    company = _get(row, "company")
    return (company or _get(row, "title") or "?")[:40]


def deal_option(row: Any, lang: str, names_zh: dict[str, str] | None = None) -> str:
    """One line of a 1/2/3 question or of a list: customer · product · stage · amount."""
    parts = [deal_label(row)]
    if _get(row, "product"):
        parts.append(str(_get(row, "product"))[:20])
    parts.append(stage_name(_get(row, "stage"), lang, names_zh))
    if _get(row, "amount"):
        parts.append(money(_get(row, "amount"), lang))
    return " · ".join(parts)


def numbered(lines: list[str]) -> str:
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


def _get(row: Any, name: str) -> Any:
    if isinstance(row, dict):
        return row.get(name)
    if isinstance(row, msgspec.Struct):  # a Deal: not subscriptable, so row[name] would raise first
        return getattr(row, name, None)
    try:
        return row[name]
    except (KeyError, TypeError, IndexError):
        return getattr(row, name, None)

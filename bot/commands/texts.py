"""What the pool and the manager's questions say in chat (zh / en), in ``bot.replies`` style."""

from __future__ import annotations

from typing import Any

from bot.replies import fit, template

_T: dict[str, dict[str, str]] = {
    # 公海
    "released": {"zh": "已把「{deal}」放回公海{reason}。同组同事现在可以领取；你{days}天内不能再领回。回复“撤销”可撤回。",
                 "en": "Returned {deal} to the pool{reason}. Your teammates can claim it now; you can take it back after {days} days. Reply \"undo\" to revert."},
    "release_which": {"zh": "要把哪一单放回公海？说得具体一点：\n{options}",
                      "en": "Which deal goes back to the pool? Be more specific:\n{options}"},
    "release_none": {"zh": "没找到“{hint}”这单，发“我的商机”看看你的单子。",
                     "en": 'No deal of yours matches "{hint}"; send "my deals" to see them.'},
    "not_yours": {"zh": "「{deal}」是{owner}的，只有{owner}或你们经理能把它放回公海。",
                  "en": "{deal} belongs to {owner}; only {owner} or your manager can return it to the pool."},
    "already_pooled": {"zh": "「{deal}」已经在公海里了。发“领取 {deal}”可以领回来。",
                       "en": '{deal} is in the pool already. Send "claim {deal}" to take it.'},
    "closed_no_pool": {"zh": "「{deal}」已经{stage}，不用放回公海。", "en": "{deal} is {stage} already; it does not go to the pool."},
    "pool_header": {"zh": "公海里有 {n} 单（最有价值的在前），回复“领取 序号”即可领取：",
                    "en": 'The pool has {n} deal(s) (most valuable first); reply "claim <number>" to take one:'},
    "pool_empty": {"zh": "公海里现在没有单子。", "en": "The pool is empty right now."},
    "pool_more": {"zh": "…还有 {n} 单，说“领取 公司名”也可以。", "en": '…and {n} more; "claim <company>" works too.'},
    "claimed": {"zh": "已领取「{deal}」（{what}），现在归你跟进。今天还能领 {left} 单。{undo}",
                "en": "You claimed {deal} ({what}); it is yours now. {left} more claims today. {undo}"},
    "claim_undo": {"zh": "回复“撤销”可放回。", "en": 'Reply "undo" to give it back.'},
    "claim_taken": {"zh": "慢了一步：「{deal}」已被{owner}领取。", "en": "Too late: {owner} claimed {deal} a moment ago."},
    "claim_mine": {"zh": "「{deal}」已经是你的了。", "en": "{deal} is yours already."},
    "claim_cap": {"zh": "今天已领取 {cap} 单，达到每日上限；{resets}后可以再领。",
                  "en": "You have claimed {cap} deals today, the daily cap; you can claim again from {resets}."},
    "claim_cooldown": {"zh": "「{deal}」是你放回（或被回收）的，{until}之后才能再领回。",
                       "en": "You returned {deal} lately; you can claim it again from {until}."},
    "claim_other_team": {"zh": "「{deal}」在别的组的公海里，不能领取。", "en": "{deal} is in another team's pool."},
    "claim_none": {"zh": "公海里没找到“{hint}”。发“公海”看看有哪些。", "en": 'Nothing in the pool matches "{hint}". Send "pool" to see it.'},
    "claim_which": {"zh": "领取哪一单？回复“领取 序号”（先发“公海”看列表）或“领取 公司名”。",
                    "en": 'Which one? Reply "claim <number>" (send "pool" for the list) or "claim <company>".'},
    "claim_bad_number": {"zh": "序号 {n} 不在刚才的公海列表里，发“公海”重新看看。",
                         "en": 'Number {n} is not on the pool list; send "pool" to see it again.'},
    "keep_ask": {"zh": "保留「{deal}」需要一个理由，直接回复理由即可（例如：下周二拜访，客户在走采购流程）。",
                 "en": "Why keep {deal}? Just reply with the reason (e.g. visiting Tuesday, purchase in progress)."},
    "kept": {"zh": "已保留「{deal}」，理由：{reason}。回收时间重新计算（{days}天）。",
             "en": "Kept {deal} (reason: {reason}); its pool clock restarts ({days} days)."},
    "keep_too_many": {"zh": "「{deal}」已连续保留{n}次没有新的跟进，不能再保留了，请找经理确认或先跟进一次。",
                      "en": "{deal} was kept {n} times in a row without a follow-up; ask your manager, or follow up first."},
    "keep_none": {"zh": "没找到要保留的单子“{hint}”。", "en": 'No deal of yours matches "{hint}".'},
    "undo_release": {"zh": "已撤销：「{deal}」回到你手上。", "en": "Undone: {deal} is yours again."},
    "undo_claim": {"zh": "已撤销：「{deal}」放回了公海。", "en": "Undone: {deal} is back in the pool."},
    "undo_moved_on": {"zh": "「{deal}」已经被别人处理了，撤销不了。", "en": "{deal} moved on meanwhile; nothing to undo."},
    "pool_failed": {"zh": "没办成：{detail}", "en": "Not done: {detail}"},
    # The manager's questions
    "funnel_header": {"zh": "{who}漏斗（进行中 {n} 单，{amount}，加权 {weighted}）：",
                      "en": "{who} funnel ({n} open, {amount}, weighted {weighted}):"},
    "funnel_week": {"zh": "本周（{since}起）：新线索 {leads}，推进 {advances}，赢单 {won}（{won_amount}），输单 {lost}。",
                    "en": "This week (since {since}): {leads} new leads, {advances} moved forward, {won} won ({won_amount}), {lost} lost."},
    "who_team": {"zh": "团队", "en": "Team"},
    "who_me": {"zh": "你的", "en": "Your"},
    "who_rep": {"zh": "{name}的", "en": "{name}'s"},
    "idle_header": {"zh": "{days}天以上没跟进的商机（按人）：", "en": "Deals with no follow-up for {days}+ days, by rep:"},
    "idle_line": {"zh": "{name}：{idle}/{open} 单没跟进，最近一次跟进 {last}",
                  "en": "{name}: {idle}/{open} deals idle, last follow-up {last}"},
    "idle_none": {"zh": "{days}天内每一单都有跟进，很好。", "en": "Every deal had a follow-up in the last {days} days."},
    "idle_never": {"zh": "从未", "en": "never"},
    "stalled_header": {"zh": "超期的大单（共 {n} 单，金额大的在前）：", "en": "Stalled deals ({n}, biggest first):"},
    "stalled_none": {"zh": "没有超过阶段时限的单子。", "en": "No deal is over its stage's time budget."},
    "stalled_line": {"zh": "{deal} · {owner} · {stage}超期{days}天 · {amount}",
                     "en": "{deal} · {owner} · {stage} {days} days over · {amount}"},
    "closed_header": {"zh": "本周（{since}起）赢单 {won} 单 {won_amount}，输单 {lost} 单 {lost_amount}：",
                      "en": "This week (since {since}): {won} won ({won_amount}), {lost} lost ({lost_amount}):"},
    "closed_none": {"zh": "本周（{since}起）还没有赢单或输单。", "en": "No deal won or lost this week (since {since})."},
    "won_line": {"zh": "✅ {deal} · {owner} · {amount}", "en": "✅ {deal} · {owner} · {amount}"},
    "lost_line": {"zh": "❌ {deal} · {owner} · {amount}{reason}", "en": "❌ {deal} · {owner} · {amount}{reason}"},
    "rep_header": {"zh": "{name}的商机：", "en": "{name}'s pipeline:"},
    "rep_unknown": {"zh": "团队里没有叫“{name}”的销售。", "en": 'No rep called "{name}" in your team.'},
    "rep_only_own": {"zh": "只能看自己的商机；发“我的漏斗”看你的数据。", "en": 'You can see your own figures only; send "my funnel".'},
    "tier_set": {"zh": "已把「{name}」设为{tier}类客户（理由：{reason}；系统评分 {score}）。发“{name}设为自动”可恢复自动分级。",
                 "en": "{name} is tier {tier} now (reason: {reason}; its score is {score}). Set it to automatic to undo."},
    "tier_cleared": {"zh": "「{name}」恢复自动分级：{tier}类（评分 {score}）。", "en": "{name} is graded automatically again: tier {tier} (score {score})."},
    "tier_reason": {"zh": "调整「{name}」的客户等级需要理由，例如“{name}设为A类客户，理由：集团统一采购”。",
                    "en": 'Say why, e.g. "set {name} to tier A because group-wide purchasing".'},
    "tier_which": {"zh": "是哪一家？说得具体一点：\n{options}", "en": "Which one? Be more specific:\n{options}"},
    "tier_managers_only": {"zh": "客户等级由经理调整；系统会根据成交、回款和商机自动评分。",
                           "en": "Only a manager sets a customer's tier; it is scored from the data otherwise."},
    "top_header": {"zh": "最值得推进的：", "en": "Worth pushing:"},
}


def text(key: str, lang: str, **kw: Any) -> str:
    return fit(template(_T, key, lang).format(**kw).strip())


def raw(key: str, lang: str) -> str:
    return template(_T, key, lang)

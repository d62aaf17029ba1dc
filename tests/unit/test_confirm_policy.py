"""The confirmation policy (bot.confirm.decide) as a pure function, and the view every channel renders."""

from __future__ import annotations

from bot import confirm
from bot.confirm import Duplicate, decide
from schemas.intents import ParsedMessage as P

POS = {"lead": 0, "qualified": 1, "initiated": 2, "solution": 3, "bidding": 4, "negotiation": 5, "won": 6,
       "paid": 7, "lost": 8}


def codes(parsed: P, **kw) -> set[str]:
    return set(decide(parsed, below=0.5, **kw).codes)


def test_plain_confident_updates_write_at_once():
    assert codes(P(intent="update_stage", deal_hint="顺和", stage="solution"), stage_from="qualified", positions=POS) == set()
    assert codes(P(intent="log_activity", deal_hint="顺和", note="拜访")) == set()
    assert codes(P(intent="schedule_followup", deal_hint="顺和", due="2026-11-24T15:00:00+08:00")) == set()
    assert codes(P(intent="snooze", deal_hint="顺和", snooze_days=7)) == set()
    assert codes(P(intent="create_lead", company="顺和", phone="13800138000")) == set()
    assert decide(P(intent="log_activity", deal_hint="顺和"), below=0.5).write


def test_consequential_writes_are_confirmed():
    assert codes(P(intent="mark_won", deal_hint="顺和")) == {"won"}
    assert codes(P(intent="mark_won", deal_hint="顺和", amount=800_000)) == {"won", "amount"}
    assert codes(P(intent="mark_lost", deal_hint="顺和", reason="价格")) == {"lost"}
    assert codes(P(intent="update_stage", deal_hint="顺和", stage="won")) == {"won"}
    assert codes(P(intent="update_stage", deal_hint="顺和", stage="paid", amount=5)) == {"amount"}
    assert codes(P(intent="create_lead", company="顺和", amount=500_000)) == {"amount"}


def test_unsure_parses_are_confirmed():
    assert codes(P(intent="log_activity", deal_hint="顺和", confidence=0.45)) == {"low_confidence"}
    assert codes(P(intent="log_activity", deal_hint="顺和", clarify="是哪一天？")) == {"low_confidence"}
    assert codes(P(intent="log_activity", deal_hint="顺和", confidence=0.5)) == set()  # the threshold itself passes
    assert set(decide(P(intent="log_activity", confidence=0.7), below=0.8).codes) == {"low_confidence"}


def test_moving_back_or_reopening_needs_the_deal():
    back = P(intent="update_stage", deal_hint="顺和", stage="solution")
    assert codes(back) == set()  # the deal is not known (offline): not decided here
    assert codes(back, stage_from="negotiation", positions=POS) == {"backwards"}
    assert codes(back, stage_from="lost", positions=POS) == {"reopen"}
    assert codes(back, stage_from="won", positions=POS) == {"reopen"}
    assert codes(P(intent="update_stage", deal_hint="顺和", stage="paid"), stage_from="won", positions=POS) == set()
    assert codes(back, stage_from="solution", positions=POS) == set()


def test_duplicate_leads_and_what_is_told_of_another_reps_deal():
    lead = P(intent="create_lead", company="佛山顺和陶瓷", phone="13800138000")
    theirs = Duplicate(deal_id=7, mine=False, owner="李四", matched="company")
    mine = Duplicate(deal_id=8, mine=True, owner="张三", matched="phone", label="佛山顺和陶瓷", stage="negotiation")
    decision = decide(lead, below=0.5, duplicates=[theirs])
    assert decision.codes == {"duplicate"} and decision.reasons[0].detail == "李四"
    line = confirm.duplicate_line([theirs, mine], "zh", {"negotiation": "谈判"}.get)
    assert line == "同名公司、同一电话：你已有进行中的商机「佛山顺和陶瓷」（谈判）；李四已有这个客户的进行中商机"
    assert "pool" in confirm.duplicate_line([Duplicate(deal_id=9, mine=False, owner=None, matched="email")], "en")


def test_confirmed_reasons_are_not_asked_again():
    won = P(intent="mark_won", deal_hint="顺和", amount=800_000, confidence=0.3)
    assert codes(won, confirmed=confirm.PARSE_REASONS) == set()
    assert codes(P(intent="create_lead", company="顺和"), duplicates=[Duplicate(1, False, "李四", "company")],
                 confirmed=confirm.PARSE_REASONS) == {"duplicate"}
    assert codes(won, confirmed=confirm.ALL_REASONS) == set()


def test_button_keys_and_the_card_view():
    class Pending:  # the fields of bot.state.Pending a view reads
        token, lang, summary, why, question = "a1b2c3d4e5f60718", "zh", "把「顺和」标记为签约，合同额80万", "签约会关闭这单", "…"

    view = confirm.view(Pending, tenant_id=3, user_id=9)
    assert [(b.text, b.key) for b in view.buttons] == [("确认", "confirm:a1b2c3d4e5f60718:yes"),
                                                       ("取消", "confirm:a1b2c3d4e5f60718:no")]
    assert confirm.parse_key("confirm:a1b2c3d4e5f60718:yes") == ("a1b2c3d4e5f60718", "yes")
    assert confirm.parse_key("confirm:a1b2c3d4e5f60718:maybe") is None and confirm.parse_key("nudge:1:done") is None
    assert confirm.is_confirm_key("confirm:x:yes") and not confirm.is_confirm_key("nudge:1:done")
    card = confirm.wecom_card(view)
    assert card["card_type"] == "button_interaction" and card["task_id"] == "confirm-3-9-a1b2c3d4e5f60718"
    assert card["main_title"]["desc"] == Pending.summary

"""Behaviour of the built-in chat parser (bot.intents.parse)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.intents import DEFAULT_STAGES, StageAlias, parse

ROOT = Path(__file__).resolve().parents[2]
DEV_SET = ROOT.parent / "shared" / "datasets" / "chat_cases.jsonl"
HELDOUT_SET = ROOT / "tests" / "data" / "chat_cases_heldout.jsonl"
SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)  # a Monday


def p(text: str, **kw):
    kw.setdefault("now", NOW)
    return parse(text, **kw)


# ---------------------------------------------------------------- numerals and amounts


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("新线索 华星光电 电话一三八一零二四七七九五", "13810247795"),
        ("新线索 华星光电 手机幺三九零零幺二三四五六", "13900123456"),
        ("new lead: Foo Ltd, +86 138-1024-7795", "13810247795"),
        ("新线索 华星光电 座机 021-5888 1234", "02158881234"),
    ],
)
def test_phone_numbers(text, phone):
    assert p(text).phone == phone


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("新线索 华星光电 预算五十万", 500_000),
        ("新线索 华星光电 预算一点二亿", 120_000_000),
        ("新线索 华星光电 预算两百万", 2_000_000),
        ("新线索 华星光电 预算50万", 500_000),
        ("新线索 华星光电 预算1.2亿", 120_000_000),
        ("新线索 华星光电 预算20w", 200_000),
        ("new lead Foo Ltd, budget 30k", 30_000),
        ("new lead Foo Ltd, budget 2.4M", 2_400_000),
        ("新线索 华星光电 预算¥80,000", 80_000),
        ("新线索 华星光电 预算大概1个亿左右", 100_000_000),
    ],
)
def test_amounts(text, amount):
    assert p(text).amount == amount


def test_product_code_is_not_an_amount():
    r = p("新线索 华星光电 想看下HC-INV-50K")
    assert r.product == "HC-INV-50K"
    assert r.amount is None


# ---------------------------------------------------------------- dates


def test_relative_dates_in_tenant_timezone():
    assert p("明天下午3点给华星光电打电话").due == "2026-11-24T15:00:00+08:00"
    assert p("后天 10:30 和华星光电开会").due == "2026-11-25T10:30:00+08:00"
    assert p("下周二上午去华星光电").due == "2026-12-01T09:00:00+08:00"
    assert p("周五下午给华星光电发方案").due == "2026-11-27T14:00:00+08:00"
    assert p("remind me to call Acme tomorrow at 4pm").due == "2026-11-24T16:00:00+08:00"
    assert p("remind me to call Acme next Tuesday").due == "2026-12-01T09:00:00+08:00"


def test_dates_across_a_week_boundary():
    sunday = dt.datetime(2026, 11, 29, 20, 0, tzinfo=SH)
    assert p("明天上午十点给华星光电打电话", now=sunday).due == "2026-11-30T10:00:00+08:00"
    assert p("下周一下午两点半拜访华星光电", now=sunday).due == "2026-11-30T14:30:00+08:00"
    assert p("大后天给华星光电发报价", now=sunday).due == "2026-12-02T09:00:00+08:00"


def test_dates_in_another_timezone():
    # 2026-11-23 10:00 in Shanghai is 2026-11-23 03:00 in Berlin (UTC+1)
    r = p("tomorrow at 9am call Acme", tz="Europe/Berlin")
    assert r.due == "2026-11-24T09:00:00+01:00"
    # late evening in Shanghai is still the same day in New York: "tomorrow" follows the tenant's clock
    late = dt.datetime(2026, 11, 23, 23, 30, tzinfo=SH)
    assert p("明天上午给Acme打电话", now=late, tz="America/New_York").due == "2026-11-24T09:00:00-05:00"


def test_naive_now_is_read_in_the_tenant_timezone():
    r = p("明天下午3点给华星光电打电话", now=dt.datetime(2026, 11, 23, 10, 0))
    assert r.due == "2026-11-24T15:00:00+08:00"


# ---------------------------------------------------------------- intents and fields


def test_new_lead_voice_style():
    r = p("嗯那个新客户啊东莞安达电子厂联系人叫黄志强电话是一三九二六八七四五一二他们想上储能预算八十万左右")
    assert r.to_expect() == {
        "intent": "create_lead", "company": "东莞安达电子厂", "contact_name": "黄志强",
        "phone": "13926874512", "product": "储能", "amount": 800000,
    }


def test_correction_takes_the_second_stage():
    r = p("刚才说错了华星光电那单不是投标是谈判")
    assert (r.intent, r.stage, r.deal_hint) == ("update_stage", "negotiation", "华星光电")


def test_stage_word_inside_a_company_name_is_not_a_stage():
    r = p("中投标准化研究院那单到方案阶段了")
    assert (r.intent, r.stage, r.deal_hint) == ("update_stage", "solution", "中投标准化研究院")
    r = p("天成交通设计院的项目现在到标前引导了")
    assert (r.intent, r.stage) == ("update_stage", "solution")


def test_traditional_characters_are_understood_and_kept():
    r = p("恆達物業那單已經進入招標了")
    assert (r.intent, r.stage, r.deal_hint) == ("update_stage", "bidding", "恆達物業")
    r = p("恆達物業那單丟了，對方選擇了本地供應商")
    assert (r.intent, r.reason) == ("mark_lost", "對方選擇了本地供應商")


def test_english_messages():
    r = p("We closed Sunridge Solar Farm, 480k signed")
    assert (r.intent, r.deal_hint, r.amount, r.lang) == ("mark_won", "Sunridge Solar Farm", 480000, "en")
    r = p("snooze Brightwell for 2 weeks")
    assert (r.intent, r.deal_hint, r.snooze_days) == ("snooze", "Brightwell", 14)
    assert p("顺和陶瓷那单3天后再提醒我").lang == "zh"


def test_competitor_winning_the_bid_is_our_loss():
    assert p("华星光电那单被宁能中标了").intent == "mark_lost"
    assert p("华星光电那单中标了").intent == "mark_won"


@pytest.mark.parametrize("text", ["撤销", "撤回", "取消上一步", "undo", "撤销上一步", "把刚才那条撤回"])
def test_undo(text):
    r = p(text)
    assert r.intent == "undo"
    assert r.to_expect() == {"intent": "undo"}


def test_this_deal_without_a_name_is_not_a_clarify_case():
    r = p("这单签了 50万")
    assert (r.intent, r.amount, r.deal_hint, r.clarify) == ("mark_won", 500000, None, None)


def test_clarify_when_a_number_reads_two_ways():
    r = p("新线索 华星光电 预算200")
    assert r.intent == "create_lead"
    assert r.amount is None
    assert r.clarify and "200" in r.clarify
    assert r.confidence < 0.5


def test_clarify_when_a_stage_word_may_be_part_of_a_name():
    r = p("鼎立项目")
    assert r.clarify
    assert r.confidence < 0.5


def test_clarify_on_a_phone_with_wrong_length():
    r = p("新线索 华星光电 电话 一三八一二三四五六七")
    assert r.phone is None and r.clarify


def test_tenant_stage_aliases():
    poc = StageAlias(key="poc", name_zh="试点", aliases=["POC", "试用"])
    r = p("华星光电那单进入试用阶段了", stages=[*DEFAULT_STAGES, poc])
    assert (r.intent, r.stage, r.deal_hint) == ("update_stage", "poc", "华星光电")
    extra = StageAlias(key="negotiation", name_zh="谈判", aliases=["砍价"])
    assert p("华星光电那单到砍价了", stages=[extra]).stage == "negotiation"


# ---------------------------------------------------------------- mechanisms found on blind batches


def test_quantity_before_a_product_is_dropped():
    assert p("新线索 华星光电 想采购三台激光切割机").product == "激光切割机"
    assert p("新线索 华星光电 要上一套MES").product == "MES"


def test_department_before_surname_honorific_is_still_a_person():
    r = p("新客户华星光电他们设备部周经理电话一三八一零二四七七九五")
    assert (r.company, r.contact_name, r.contact_title) == ("华星光电", "周经理", None)


def test_latin_department_in_a_title():
    r = p("add lead 华星光电, HR总监 Anna Lee, 13810247795")
    assert (r.contact_name, r.contact_title) == ("Anna Lee", "HR总监")


def test_deal_hint_stops_at_money_words_and_amounts():
    r = p("华星光电尾款30万到账了")
    assert (r.intent, r.stage, r.deal_hint, r.amount) == ("update_stage", "paid", "华星光电", 300000)


def test_deal_hint_stops_at_zhebian():
    r = p("华星光电这边客户已经立项了")
    assert (r.stage, r.deal_hint) == ("initiated", "华星光电")


def test_went_to_a_customer_is_not_part_of_the_name():
    r = p("上午跑了一趟华星光电，看了他们的产线")
    assert (r.intent, r.deal_hint) == ("log_activity", "华星光电")


def test_list_my_deals_with_a_stage_filter():
    r = p("列一下我投标阶段的单子")
    assert (r.intent, r.stage, r.deal_hint) == ("list_deals", "bidding", None)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("华星光电的尾款三百万到了", 3_000_000), ("华星光电回款三百万到了", 3_000_000),
     ("华星光电合同款50万打过来了", 500_000), ("华星光电的货款收到了", None)],
)
def test_a_payment_arriving_is_the_paid_stage(text, amount):
    r = p(text)
    assert (r.intent, r.stage, r.deal_hint, r.amount) == ("update_stage", "paid", "华星光电", amount)


def test_a_payment_condition_is_not_a_payment():
    assert p("客户说钱到了就发货").stage is None


def test_a_planned_next_stage_does_not_replace_the_current_one():
    r = p("华星光电那边需求确认了，下一步做方案")
    assert (r.intent, r.stage, r.deal_hint) == ("update_stage", "qualified", "华星光电")
    r = p("华星光电那单确认需求了 接下来准备投标")
    assert r.stage == "qualified"
    assert p("华星光电那单准备投标了").stage == "bidding"


def test_bracketed_place_inside_a_company_name():
    r = p("新线索 星河（深圳）科技有限公司 联系人王磊 13810247795")
    assert (r.company, r.contact_name) == ("星河（深圳）科技有限公司", "王磊")
    assert p("new lead: Orion医疗(苏州)有限公司, contact Amy Li").company == "Orion医疗(苏州)有限公司"


def test_brought_someone_from_a_customer():
    r = p("今天带华星光电的王总参观了样板工程")
    assert (r.intent, r.deal_hint) == ("log_activity", "华星光电")


@pytest.mark.parametrize(
    ("text", "stage"),
    [("看下我谈判中的单子", "negotiation"), ("我在投标的项目有哪些", "bidding"), ("看看我的商机", None)],
)
def test_own_deals_with_stage_wording(text, stage):
    r = p(text)
    assert (r.intent, r.stage) == ("list_deals", stage)


def test_a_named_deal_is_not_a_list_request():
    assert p("我华星光电的单子到谈判了").intent == "update_stage"


def test_department_and_person_glued_after_a_company():
    r = p("新客户华星光电财务处李处长想要ERP预算五十万")
    assert (r.company, r.contact_name, r.product, r.amount) == ("华星光电", "李处长", "ERP", 500000)
    assert p("华星光电那家已经立项了").deal_hint == "华星光电"


# ---------------------------------------------------------------- the labelled sets


def _eval(path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "eval_parser"), str(path), "--json"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    return json.loads(out.stdout)


@pytest.mark.skipif(not DEV_SET.exists(), reason="shared/datasets not present")
def test_dev_set_targets():
    res = _eval(DEV_SET)
    assert res["n"] == 100
    assert res["intent_accuracy"] >= 0.95
    assert res["all_fields_exact"] >= 0.90


def test_heldout_set_targets():
    res = _eval(HELDOUT_SET)
    assert res["intent_accuracy"] >= 0.90
    assert res["all_fields_exact"] >= 0.80


def test_no_clarify_on_clear_dev_messages():
    if not DEV_SET.exists():
        pytest.skip("shared/datasets not present")
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        r = parse(case["text"], now=NOW)
        assert r.clarify is None, (case["id"], r.clarify)
        assert 0.0 <= r.confidence <= 1.0


# ---------------------------------------------------------------- blind batches 3-5 mechanisms


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("新线索 华星光电 预算八十万不对是九十万", 900_000),
        ("新线索 华星光电 预算三十万哦不对是四十万", 400_000),
        ("新线索 华星光电 预算一百二十万不对一百五十万", 1_500_000),
        ("新线索 华星光电 预算不是八十万是九十万", 900_000),
        ("新线索 华星光电 预算六十五万五千", 655_000),
    ],
)
def test_corrected_and_compound_amounts(text, amount):
    assert p(text).amount == amount


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("新线索 NovaMed 诺迈医疗 联系人 周博", "NovaMed 诺迈医疗"),
        ("线索 NexaCloud 云枢科技 联系人 Amy 邹", "NexaCloud 云枢科技"),
        ("嗯加个新客户哈尔滨冰雪大世界运营公司联系人孟经理", "哈尔滨冰雪大世界运营公司"),
    ],
)
def test_company_names_latin_brand_and_ha_place(text, company):
    assert p(text).company == company


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("跟你说个好消息精拓自动化那单拿下了八十六万", "精拓自动化"),
        ("搞定了湘味坊签下来了合同一百四十八万", "湘味坊"),
    ],
)
def test_openers_are_not_the_deal(text, hint):
    r = p(text)
    assert r.intent == "mark_won" and r.deal_hint == hint


@pytest.mark.parametrize("text", ["中午吃啥", "今晚球赛谁赢了", "周末去哪玩啊"])
def test_everyday_questions_are_chitchat(text):
    assert p(text).intent == "unknown"


def test_customer_paid_without_a_payment_noun():
    r = p("冀东钢铁那单客户打款了 预付款三十八万")
    assert (r.intent, r.stage, r.amount, r.deal_hint) == ("update_stage", "paid", 380_000, "冀东钢铁")


def test_fei_dan_is_a_loss():
    r = p("唉冀东钢铁振动监测那单被飞单了客户私下找了一家小厂做")
    assert (r.intent, r.deal_hint, r.reason) == ("mark_lost", "冀东钢铁振动监测", "客户私下找了一家小厂做")


def test_done_today_is_an_activity_not_a_followup():
    r = p("今天下午去黔北水泥装了五个测点在窑头 龙飞说数据先跑两周看看")
    assert (r.intent, r.deal_hint, r.due) == ("log_activity", "黔北水泥", None)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("霍尼韦尔的无线温振传感器多少钱一个", "competitor"),
        ("Rational 的蒸烤箱售后在国内怎么样", "competitor"),
        ("储能柜的循环寿命多少", "selling_point"),
        ("我们的焊接机器人重复定位精度是多少", "selling_point"),
    ],
)
def test_a_brand_owning_a_product_is_a_competitor(text, kind):
    assert p(text).kb_kind == kind


def test_title_glued_before_the_name():
    r = p("录个客户 唐山冀东钢铁集团有限公司 设备处处长张卫东 13831576204")
    assert (r.contact_title, r.contact_name) == ("设备处处长", "张卫东")
    r = p("新线索：上海外滩华庭酒店管理有限公司，行政总厨Jacky Zhou，电话021-63218877")
    assert (r.contact_title, r.contact_name) == ("行政总厨", "Jacky Zhou")


def test_query_prefix_cha_xia():
    assert p("帮我查下有没有水泥行业的预测性维护案例").query == "有没有水泥行业的预测性维护案例"


def test_move_command_is_not_the_deal():
    assert p("move Lakeshore Water to bidding stage").deal_hint == "Lakeshore Water"


def test_english_company_with_bracketed_place_and_joined_product():
    r = p("add lead: Skyline Fintech (深圳) Ltd, CISO Daniel Ho, daniel.ho@skylinefin.com, needs WAF + bot management, budget 1.2M")
    assert (r.company, r.contact_title, r.contact_name, r.product) == ("Skyline Fintech (深圳) Ltd", "CISO", "Daniel Ho", "WAF + bot management")


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("外滩华庭改一下 不是投标 是商务谈判", "外滩华庭"),
        ("Skyline Fintech is at bidding now, quoted 1.15M", "Skyline Fintech"),
        ("鼎泰餐飲先退回驗證階段吧 他們老闆要重新看預算", "鼎泰餐飲"),
    ],
)
def test_deal_hint_stops_at_corrections_and_adverbs(text, hint):
    assert p(text).deal_hint == hint


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("刚在高原牧歌中央厨房做了蒸烤箱试菜 马部长挺满意", "高原牧歌"),
        ("大后天下午四点约湘味坊周总去门店量尺寸", "湘味坊"),
    ],
)
def test_a_site_inside_the_customer_is_not_the_deal(text, hint):
    assert p(text).deal_hint == hint


def test_english_deposit_received_is_paid():
    r = p("Acme Corp deposit received, 50k")
    assert (r.intent, r.stage, r.amount, r.deal_hint) == ("update_stage", "paid", 50_000, "Acme Corp")


def test_na_bi_is_a_deal_word():
    assert p("台北鼎泰那筆尾款收到了 二十萬").deal_hint == "台北鼎泰"


def test_comparison_with_a_named_brand_is_competitor():
    assert p("我们的蒸烤箱和Rational比有啥优势").kb_kind == "competitor"


def test_parse_never_raises():
    """Speed is measured by scripts/eval_parser (ms_per_message), not asserted here."""
    import random

    random.seed(7)
    alphabet = "新线索签了丢单预算万亿点零一二三四五六七八九十百千那单的了吗？?()（）[]*+\\|^$.{}0123456789 abcXYZ🎉\n\t\x00"
    for _ in range(2000):
        text = "".join(random.choice(alphabet) for _ in range(random.randint(0, 80)))
        assert p(text).intent


# ---------------------------------------------------------------- mechanisms from batch 6 (fixed after its honest measurement)


def test_kuai_before_a_noun_counts_things_not_yuan():
    r = p("帮我加个客户啊成都天府七中他们想采购八十块智慧黑板联系人是信息中心的罗主任电话一三五五一二零七六八三预算两百四十万")
    assert (r.product, r.amount, r.contact_name) == ("智慧黑板", 2_400_000, "罗主任")
    assert p("新线索 华星光电 预算五千块").amount == 5_000


def test_taiwan_landline_with_one_digit_area_code():
    assert p("新客戶 新竹晶采光電股份有限公司 聯絡人 張志豪 03-5781234").phone == "035781234"


def test_reported_future_after_a_done_call_is_an_activity():
    r = p("那个刚跟天府七中罗主任通完电话他说下周要来公司看样品")
    assert (r.intent, r.due) == ("log_activity", None)
    assert p("下周二上午去一趟黔电科技现场勘察").intent == "schedule_followup"


def test_assistant_features_question_is_help():
    assert p("这个助手都有哪些功能").intent == "help"


def test_who_question_with_a_comparison_is_a_competitor_query():
    r = p("安捷伦和我们比维保费用谁贵")
    assert (r.intent, r.kb_kind) == ("search_kb", "competitor")


# ---------------------------------------------------------------- mechanisms from batches 7-8 (dev-style blind rounds)


@pytest.mark.parametrize("text", ["录个商机：杭州云栖精密，联系人许明，13905711234", "新建商机 长春一汽配套厂 对接人 王芳", "帮我登记一个新商机 兰州黄河化工"])
def test_shang_ji_after_a_verb_creates_a_lead(text):
    assert p(text).intent == "create_lead"
    assert p("我的商机").intent == "list_deals"


@pytest.mark.parametrize(("text", "stage"), [("帮我把云栖精密调到需求确认那个阶段", "qualified"), ("云栖精密挪到投标", "bidding")])
def test_tiao_dao_moves_a_stage_and_is_not_the_deal(text, stage):
    r = p(text)
    assert (r.intent, r.stage, r.deal_hint) == ("update_stage", stage, "云栖精密")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("黄河化工没戏了 原因：预算被砍", "预算被砍"),
        ("黄河化工那单吹了，项目整体取消", "项目整体取消"),
        ("黄河化工的项目泡汤了，甲方换了供应商", "甲方换了供应商"),
    ],
)
def test_everyday_loss_wording(text, reason):
    r = p(text)
    assert (r.intent, r.deal_hint, r.reason) == ("mark_lost", "黄河化工", reason)


def test_a_title_after_a_keyword_is_not_a_company_ending():
    r = p("唉那个黄河化工没谈成厂长说今年不换设备了")
    assert (r.intent, r.deal_hint, r.reason) == ("mark_lost", "黄河化工", "厂长说今年不换设备了")


def test_guo_n_tian_zai_ti_xing_snoozes():
    r = p("云栖精密那单过10天再提醒我")
    assert (r.intent, r.deal_hint, r.snooze_days) == ("snooze", "云栖精密", 10)


def test_a_win_word_opening_a_name_closed_by_a_deal_word():
    r = p("中标达咨询那单转入立项了")
    assert (r.intent, r.stage, r.deal_hint) == ("update_stage", "initiated", "中标达咨询")
    r = p("成交通物流那单签了")
    assert (r.intent, r.deal_hint) == ("mark_won", "成交通物流")
    assert p("拿下黄河化工那单了").intent == "mark_won"


def test_english_time_word_ends_the_deal_name():
    r = p("Closed Bluewater Labs today, 1.2M contract")
    assert (r.intent, r.deal_hint, r.amount) == ("mark_won", "Bluewater Labs", 1_200_000)


def test_customer_side_role_and_done_verb_are_not_the_deal():
    r = p("云栖精密 带厂方去看了苏州的样板线 反馈不错")
    assert (r.intent, r.deal_hint) == ("log_activity", "云栖精密")


def test_a_rivals_promotion_is_a_competitor_question():
    r = p("嗯汇川最近是不是在搞促销啊")
    assert (r.intent, r.kb_kind) == ("search_kb", "competitor")


@pytest.mark.parametrize("text", ["嗯我想绑一下小程序账号", "名片要绑一下", "帮我绑个小程序"])
def test_bang_without_ding_binds(text):
    assert p(text).intent == "bind"


# ---------------------------------------------------------------- mechanisms from dev-style probes (after batches 7-8)


def test_back_from_a_customer_is_an_activity():
    r = p("刚从黄河化工回来，他们对交期有顾虑")
    assert (r.intent, r.deal_hint) == ("log_activity", "黄河化工")


def test_a_duration_after_the_name_is_not_the_deal():
    r = p("暂停提醒云栖精密一周")
    assert (r.intent, r.deal_hint, r.snooze_days) == ("snooze", "云栖精密", 7)


def test_a_deadlines_qian_goes_with_the_due_words():
    r = p("周五前把报价发给云栖精密")
    assert (r.intent, r.note, r.due) == ("schedule_followup", "把报价发给云栖精密", "2026-11-27T09:00:00+08:00")


def test_an_invitation_to_dinner_is_chitchat():
    assert p("晚上一起吃饭吗").intent == "unknown"


def test_surname_honorific_repeating_the_contact_is_no_product():
    r = p("新线索：常熟梅李纺织，联系人殷建国 殷总，手机13962388888")
    assert (r.contact_name, r.product) == ("殷建国", None)


def test_bei_jie_hu_with_nothing_between_is_one_loss_phrase():
    r = p("西湖电子被截胡了，对方用了更便宜的方案")
    assert (r.intent, r.deal_hint, r.reason) == ("mark_lost", "西湖电子", "对方用了更便宜的方案")
    r = p("西湖电子被汇川抢走了")
    assert (r.intent, r.deal_hint) == ("mark_lost", "西湖电子")


def test_knowledge_questions_without_a_question_mark():
    """The issue's own example, and bare topics the knowledge base answers."""
    for text, kind in [
        ("储能柜比宁能的好在哪", "competitor"),
        ("HC-ESS-215 的循环寿命", "selling_point"),
        ("宁能的价格", None),
        ("VoltEdge pricing", None),
    ]:
        parsed = parse(text)
        assert parsed.intent == "search_kb", text
        assert parsed.query == text
        if kind:
            assert parsed.kb_kind == kind, text
    assert parse("今天好累").intent == "unknown"


@pytest.mark.parametrize(
    ("text", "intent", "stage", "hint"),
    [
        # a win / stage word inside the name (not only at its start) that a deal word closes
        ("瑞成交通那单到投标了", "update_stage", "bidding", "瑞成交通"),
        ("中诚招标代理的项目进谈判了", "update_stage", "negotiation", "中诚招标代理"),
        ("嗯华成交通那边已经立项了", "update_stage", "initiated", "华成交通"),
        # the keyword right before the deal word is still the event
        ("顺和陶瓷那单签约了", "mark_won", None, "顺和陶瓷"),
        ("刚才说错了锦城云谷那单不是投标是谈判", "update_stage", "negotiation", "锦城云谷"),
    ],
)
def test_a_keyword_inside_a_deals_name_is_part_of_the_name(text, intent, stage, hint):
    r = p(text)
    assert (r.intent, r.stage, r.deal_hint) == (intent, stage, hint)


def test_greetings_strung_together_are_chit_chat_and_any_ji_measure_word_asks():
    for text in ("喂你好在吗", "喂 在不在啊", "你好"):
        assert parse(text).intent == "unknown", text
    parsed = parse("FleetOne 车载终端支持几路摄像头")
    assert parsed.intent == "search_kb" and parsed.query == "FleetOne 车载终端支持几路摄像头"
    assert parse("储能柜几乎没有噪音").intent == "unknown"  # 几乎 (almost) asks nothing


@pytest.mark.parametrize(
    "text,not_intent",
    [
        ("合同签好了吗", "mark_won"),  # a win asked about with its complement is a question
        ("招标公告出来了吗", "update_stage"),  # a tender asked about is no stage event
        ("今天运气好 抽奖中了", "mark_won"),  # 中了 names no customer here
        ("我们付了首期款给供应商", "update_stage"),  # we paid: not the customer's payment
        ("他们说下周付了首期款再安排发货", "update_stage"),  # a condition, not a payment
    ],
)
def test_event_words_asked_or_not_ours_are_no_event(text, not_intent):
    assert p(text).intent != not_intent


@pytest.mark.parametrize("text", ["快递费到了", "电费收到了吗"])
def test_the_reps_own_expenses_are_no_payment(text):
    assert p(text).intent != "update_stage"


@pytest.mark.parametrize("text", ["会议时间定下来了", "方案敲定了"])
def test_settled_without_a_deal_is_no_win(text):
    assert p(text).intent != "mark_won"

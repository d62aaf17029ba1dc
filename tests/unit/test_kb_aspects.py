"""The aspect layer (backend/services/kb/aspects.py): what a question asks about a product, what a passage is
about, and how the second stage uses the match. Each case: the text, then the aspect(s) it must name."""

from __future__ import annotations

import pytest

from backend.services.kb.aspects import aspect_match, detect, passage_aspects, question_aspects
from backend.services.kb.rerank import Units, aspect_scores, rerank

QUESTIONS = [
    # the specific cue wins over the generic one inside it (longest first, no overlap)
    ("质谱买回去一年养着要花多少钱", "running_cost"),
    ("这台设备每年耗材和电费大概多少", "running_cost"),
    ("What are the running costs per year?", "running_cost"),
    ("软件一年要交多少服务费", "price"),
    ("一个账号一年收多少", "price"),
    ("学校买能便宜点不", "price"),
    ("能打几折", "price"),
    ("how much is the full package", "price"),
    ("q96有没有械字号 医院临检能不能用", "certification"),
    ("Is it CE certified?", "certification"),
    ("数据存在哪 能不能私有化", "data_security"),
    ("从签合同到能用上要多长时间", "installation"),
    ("多久能发货", "delivery"),
    ("What's the lead time?", "delivery"),
    ("坏了多久能到现场", "warranty_service"),
    ("how long does it take to get an engineer on site", "warranty_service"),
    ("what's the max pressure the pump can take", "performance"),
    ("电池能用多少年", "performance"),
    ("能不能和我们的ERP对接", "integration"),
    ("有没有医院的案例", "cases"),
    ("几年能回本", "roi"),
    ("能不能融资租赁", "financing"),
    ("操作人员要培训多久", "training"),
    ("能不能先借台样机试用", "trial"),
]


@pytest.mark.parametrize("question, aspect", QUESTIONS)
def test_the_question_names_its_aspect(question, aspect):
    found = question_aspects(question)
    assert max(found, key=found.get) == aspect, found


def test_a_question_without_aspect_names_none():
    assert question_aspects("HC-ESS-215") == {}
    assert question_aspects("") == {}


def test_sureness_is_shared_and_a_weak_cue_counts_half():
    both = question_aspects("拿对手的低价来压我怎么接")  # price and the competitive answer
    assert set(both) == {"price", "talktrack"} and sum(both.values()) == pytest.approx(1.0)
    assert sum(question_aspects("any other costs?").values()) == pytest.approx(0.5)


def test_cues_are_words_in_english_not_pieces_of_words():
    assert "certification" not in detect("the price of the service")  # "ce" inside "price", "service"
    assert "certification" in detect("CE and UL listed")


def test_a_title_says_more_than_a_passage():
    running = passage_aspects("KP-MS-620：日常维护与运行成本", None, "每年耗材约 1.8 万元")
    price = passage_aspects("KP-MS-620：价格与付款方式", None, "整机报价 195 万元，每年的保养另算")
    asked = question_aspects("一年养着要花多少钱")
    assert aspect_match(asked, running) == pytest.approx(1.0)
    assert aspect_match(asked, price) < 0.5  # the word in its passage counts a little


def test_the_second_stage_prefers_the_aspect_asked():
    candidates = {1: {"title": "X-1：价格与付款方式", "heading": None, "text": "报价 20 万元", "kind": "selling_point",
                      "held": [], "held_title": []},
                  2: {"title": "X-1：注册证与认证", "heading": None, "text": "已取得二类注册证", "kind": "selling_point",
                      "held": [], "held_title": []}}
    asked = question_aspects("X-1 有没有械字号")
    assert aspect_scores(candidates, asked) == {1: 0.0, 2: 1.0}
    scores = {1: 0.5, 2: 0.0}
    rerank(scores, candidates, Units(), competition_named=False, asked=asked)
    assert max(scores, key=scores.get) == 2
    unchanged = {1: 0.5, 2: 0.0}
    rerank(unchanged, candidates, Units(), competition_named=False, asked={})
    assert unchanged == {1: 0.5, 2: 0.0}


def test_a_named_competitor_keeps_the_aspect_to_its_own_notes():
    # 华灶 质保: our warranty note matches the aspect, the competitor's note names 华灶; only the latter earns it
    candidates = {1: {"title": "保修与售后政策", "heading": None, "text": "整机保修两年", "kind": "selling_point",
                      "competitor": None, "held": [], "held_title": []},
                  2: {"title": "华灶电器：竞品概况", "heading": None, "text": "华灶整机保修一年", "kind": "competitor",
                      "competitor": "华灶电器", "held": [], "held_title": []}}
    asked = question_aspects("华灶 质保")
    scores = {1: 0.4, 2: 0.0}
    rerank(scores, candidates, Units(), competition_named=True, asked=asked, competitors=["华灶电器"])
    no_aspect = {1: 0.4, 2: 0.0}
    rerank(no_aspect, candidates, Units(), competition_named=True, asked={}, competitors=["华灶电器"])
    assert scores[1] == no_aspect[1]  # our own note earned no aspect bonus
    assert scores[2] > no_aspect[2]  # the named competitor's note did
    mine = {1: 0.4, 2: 0.0}
    rerank(mine, candidates, Units(), competition_named=True, asked=asked)
    assert mine[1] > 0.4  # without the named competitor it does


def test_paying_over_time_is_financing():
    assert max(question_aspects("客户钱不够 能不能拿充电赚的钱慢慢还").items(), key=lambda kv: kv[1])[0] == "financing"


def test_a_named_competitor_puts_its_notes_before_our_own():
    candidates = {1: {"title": "售后服务与维保", "heading": None, "text": "48 小时到场", "kind": "selling_point",
                      "competitor": None, "held": [], "held_title": []},
                  2: {"title": "Formetrix weaknesses", "heading": None, "text": "service takes two weeks", "kind": "competitor",
                      "competitor": "Formetrix", "held": [], "held_title": []}}
    scores = {1: 1.0, 2: 0.0}
    rerank(scores, candidates, Units(), competition_named=True, asked={}, competitors=["Formetrix"])
    assert scores[2] > scores[1]
    unnamed = {1: 1.0, 2: 0.0}
    rerank(unnamed, candidates, Units(), competition_named=False, asked={})
    assert unnamed[1] > unnamed[2]


def test_a_question_naming_our_product_and_no_competitor_weighs_competitor_notes_down_more():
    from backend.services.kb.rerank import COMPETITOR_PRIOR, OWN_PRODUCT_FACTOR, Units, rerank

    candidates = {1: {"kind": "competitor", "competitor": "X", "title": "X", "heading": None, "text": "x",
                      "held": [], "held_title": []},
                  2: {"kind": "selling_point", "competitor": None, "title": "Y", "heading": None, "text": "y",
                      "held": [], "held_title": []}}
    plain, named = {1: 0.0, 2: 0.0}, {1: 0.0, 2: 0.0}
    rerank(plain, candidates, Units(), competition_named=False)
    rerank(named, candidates, Units(), competition_named=False, product_named=True)
    assert plain[1] == -COMPETITOR_PRIOR and named[1] == -COMPETITOR_PRIOR * OWN_PRODUCT_FACTOR
    assert plain[2] == named[2] == 0.0


def test_a_product_name_the_question_uses_is_no_aspect_cue():
    from backend.services.kb.aspects import question_aspects
    from backend.services.kb.search import _without_names

    assert "environment" in question_aspects("户外屏多少钱一平")  # 户外 alone reads as the environment
    assert set(question_aspects(_without_names("户外屏多少钱一平", ["户外屏"]))) == {"price"}


def test_a_competitors_reliability_is_asked_to_find_its_weak_points():
    from backend.services.kb.aspects import of_a_competitor, question_aspects

    assert question_aspects("易成 稳定性") == {"reliability": 1.0}
    assert of_a_competitor(question_aspects("易成 稳定性")) == {"weaknesses": 1.0}
    assert of_a_competitor({"price": 1.0}) == {"price": 1.0}

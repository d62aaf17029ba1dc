"""Deal finding: hints are cleaned and scored against a deal's customer, title, product and contact."""

from __future__ import annotations

from bot.finder import MATCH, clean_hint, coverage, pick, rank, score


def deal(deal_id, company, product=None, contact=None, title=None):
    return {"deal_id": deal_id, "company": company, "product": product, "contact_name": contact,
            "title": title or (f"{company} · {product}" if product else company)}


HUAWEI_ESS = deal(1, "华为技术有限公司", "储能柜", "张总")
HUAWEI_EMS = deal(2, "华为数字能源有限公司", "EMS云平台")
SHUNHE = deal(3, "佛山顺和陶瓷有限公司", "光伏逆变器", "刘总")
NORTHGATE = deal(4, "Northgate Robotics Ltd.", "inverters")
DEALS = [HUAWEI_ESS, HUAWEI_EMS, SHUNHE, NORTHGATE]


def test_clean_hint_drops_deal_words_and_pronouns():
    assert clean_hint("顺和陶瓷那单") == "顺和陶瓷"
    assert clean_hint("储能项目") == "储能"
    assert clean_hint("Northgate deal") == "northgate"
    assert clean_hint("這單") == "" and clean_hint("这单") == "" and clean_hint(None) == ""
    assert clean_hint("順和陶瓷") == "顺和陶瓷"  # traditional characters


def test_one_clear_match():
    assert rank("顺和", DEALS).deal is SHUNHE
    assert rank("northgate", DEALS).deal is NORTHGATE
    assert rank("华为储能柜", DEALS).deal is HUAWEI_ESS
    assert rank("数字能源", DEALS).deal is HUAWEI_EMS
    assert rank("逆变器", DEALS).deal is SHUNHE  # by product alone


def test_ambiguous_and_no_match():
    found = rank("华为", DEALS)
    assert found.deal is None and {d["deal_id"] for d in found.options} == {1, 2} and not found.no_match
    found = rank("阿里巴巴", DEALS)
    assert found.deal is None and found.no_match and len(found.options) == 3 and found.more


def test_scores_are_bounded_and_reward_containment():
    assert score("顺和", SHUNHE) >= MATCH > score("顺和", HUAWEI_ESS)
    assert 0 <= score("完全无关的词", SHUNHE) < MATCH
    assert coverage("华为储能柜", "华为技术储能柜") == 100.0
    assert coverage("华为储能柜", "华为数字能源") == 40.0


def test_pick_by_number_ordinal_or_name():
    options = [HUAWEI_ESS, HUAWEI_EMS]
    assert pick("1", options) is HUAWEI_ESS
    assert pick("２", options) is HUAWEI_EMS  # full-width
    assert pick("第二个", options) is HUAWEI_EMS
    assert pick("the second", options) is HUAWEI_EMS
    assert pick("数字能源那个", options) is HUAWEI_EMS
    assert pick("3", options) is None
    assert pick("我的商机", options) is None

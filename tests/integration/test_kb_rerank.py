"""The second stage: among neighbours about the same product, the passage about the aspect asked comes
first (residual term coverage), and our own selling point beats a competitor note the question does
not name (the competitor prior). Real PostgreSQL, the packaged models."""

from __future__ import annotations

import pytest

from backend.services.kb.filters import names_competition
from backend.services.kb.rerank import Units, rerank, residual_coverage
from tests.kb_fixtures import doc, first_doc_id, tenant_with_kb



HP = "RX-50 空气源热泵"
KB = [
    doc("sp_rx50_overview", "RX-50 空气源热泵：产品概览", "selling_point",
         "RX-50 是一款商用空气源热泵机组，制热量 50 kW，适合酒店、学校和医院的热水与采暖。机组采用喷气增焓压缩机。",
         product=HP),
    doc("sp_rx50_efficiency", "RX-50：能效", "selling_point",
         "RX-50 名义工况 COP 4.6，低温工况 COP 2.8，全年综合能效系数 APF 4.1，达到国家一级能效。", product=HP),
    doc("sp_rx50_price", "RX-50 报价与付款", "selling_point",
         "RX-50 标准报价 8.6 万元/台，含税含运费。付款方式：合同签订付 30%，发货前付 60%，验收后付 10%。",
         product=HP),
    doc("sp_rx50_warranty", "RX-50 质保与售后", "selling_point",
         "RX-50 整机质保 3 年，压缩机质保 5 年。全国 60 个服务网点，地级市 4 小时响应、24 小时到场。", product=HP),
    doc("sp_rx50_delivery", "RX-50 交期与安装", "selling_point",
         "RX-50 标准交期 4 周，到现场后由工程师免费调试，一般 2 天内完成开机。", product=HP),
    doc("sp_maintenance", "维保合同", "selling_point",
         "质保期外可签年度维保合同：每台每年 1.2 万元，含 4 次巡检。", product="维保服务"),
    doc("other_commission", "销售提成规则", "other",
         "提成按回款计算：热泵产品按回款额的 2%，维保合同 5%。提成每季度结算一次。"),
    doc("cp_yuanshan_pricing", "远山热泵：价格与质保", "competitor",
         "远山热泵报价比我们低 15% 左右，但整机质保只有 1 年，售后由经销商负责。", competitor="远山热泵"),
]


@pytest.fixture(scope="module")
async def kb_tenant(pool, database_url):
    return await tenant_with_kb(pool, KB)



async def test_the_passage_about_the_aspect_asked_comes_first(kb_tenant, db):
    assert await first_doc_id(db, kb_tenant, "RX-50 的 COP 是多少") == "sp_rx50_efficiency"
    assert await first_doc_id(db, kb_tenant, "RX-50 低温工况能效怎么样") == "sp_rx50_efficiency"
    assert await first_doc_id(db, kb_tenant, "维保合同一年多少钱") == "sp_maintenance"


async def test_own_selling_point_beats_an_unnamed_competitor(kb_tenant, db):
    assert await first_doc_id(db, kb_tenant, "热泵质保几年") == "sp_rx50_warranty"
    assert await first_doc_id(db, kb_tenant, "远山的质保几年") == "cp_yuanshan_pricing"
    assert names_competition("竞品的质保几年") and names_competition("How do rivals price it?")
    assert not names_competition("热泵质保几年")


def test_residual_coverage_ignores_what_every_candidate_shares():
    # Units: 0 = the product name (held by all three), 1 = "cop" (one), 2 = "能效" (two, one in its title).
    units = Units(tsqueries=["a", "b", "c"], tsqueries_title=["a", "b", "c"], idfs=[2.0, 2.0, 1.0], total=5.0)
    candidates = {1: {"held": [0, 1, 2], "held_title": [0, 2], "kind": "selling_point"},
                  2: {"held": [0, 2], "held_title": [0], "kind": "selling_point"},
                  3: {"held": [0], "held_title": [0], "kind": "competitor"}}
    share = residual_coverage(candidates, units)
    assert share[3] == 0.0  # the name alone tells nothing
    assert share[1] > share[2] > 0.0
    scores = {1: 0.0, 2: 0.5, 3: 1.0}
    rerank(scores, candidates, units, competition_named=False)
    assert max(scores, key=scores.get) == 1 and scores[3] < 1.0
    named = {1: 0.0, 2: 0.5, 3: 1.0}
    rerank(named, candidates, units, competition_named=True)
    assert named[3] == 1.0  # a named competitor's note keeps its score

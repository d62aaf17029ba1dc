"""End to end through search(): among one product's notes, the one about the aspect asked comes first — the
running cost, not the price, for "一年养着要花多少钱"; the registration, not the price, for "有没有械字号".
Real PostgreSQL, the packaged models."""

from __future__ import annotations

import pytest

from backend.services.kb import rerank as kb_rerank
from tests.kb_fixtures import doc, first_doc_id, tenant_with_kb

US = "KX-9 彩色超声诊断仪"
KB = [
    doc("sp_kx9_price", "KX-9：价格与付款方式", "selling_point",
        "KX-9 标准配置含两个探头，含税报价 68 万元；加配心脏探头另加 6 万元。付款方式：合同预付 30%，到货 60%，"
        "验收合格后付 10%。医院每年要花的维护费用另行约定。", product=US),
    doc("sp_kx9_running", "KX-9：日常维护与运行成本", "selling_point",
        "KX-9 整机功率 600 W，耦合剂、打印纸等常规耗材每年约 1.2 万元；探头免保养，用户每月自检一次即可。",
        product=US),
    doc("sp_kx9_registration", "KX-9：注册证与认证", "selling_point",
        "KX-9 已取得国家药品监督管理局二类医疗器械注册证，可用于医院临床检查；同时通过欧盟 CE 认证。", product=US),
    doc("sp_kx9_specs", "KX-9：性能参数", "selling_point",
        "KX-9 探测深度 30 cm，帧频最高 900 帧每秒，开机 15 秒进入检查。", product=US),
    doc("sp_kx9_service", "KX-9：质保与售后", "selling_point",
        "KX-9 整机质保 3 年，全国 40 个服务网点，省会城市 8 小时内工程师到场。", product=US),
    doc("other_demo", "样机借用流程", "other", "样机借用需填写申请单，借用期最长 30 天，由区域经理审批。"),
]


@pytest.fixture(scope="module")
async def kb_tenant(pool, database_url):
    return await tenant_with_kb(pool, KB)



@pytest.mark.parametrize("question, answer", [
    ("KX-9 买回去一年养着要花多少钱", "sp_kx9_running"),
    ("KX-9 有没有械字号 医院能不能用", "sp_kx9_registration"),
    ("KX-9 多少钱", "sp_kx9_price"),
    ("what does the KX-9 cost per year to run", "sp_kx9_running"),
    ("KX-9 坏了多久能到现场", "sp_kx9_service"),
])
async def test_the_note_on_the_aspect_asked_comes_first(kb_tenant, db, question, answer):
    assert await first_doc_id(db, kb_tenant, question) == answer


async def test_without_the_aspect_layer_the_price_note_wins(kb_tenant, db, monkeypatch):
    # The mechanism is what puts the running-cost note first: switched off, the price note (which shares the
    # question's 每年 / 维护 / 费用 words) ranks above it.
    monkeypatch.setattr(kb_rerank, "ASPECT_WEIGHT", 0.0)
    assert await first_doc_id(db, kb_tenant, "KX-9 买回去一年养着要花多少钱") != "sp_kx9_running"

"""The floor's subject check end to end: a question whose object this tenant's documents never mention
(洗衣机保修几年, a made-up model number, another company's product) gets "not found" even though its
aspect words (保修, 多少钱) match a note; a legitimate question with an unusual word is still answered."""

from __future__ import annotations

import pytest

from backend.services.kb import search
from backend.services.kb.ingest import ingest_documents
from backend.services.kb.search import FLOOR, retrieve
from bot.kb_answers import answer_text
from tests.kb_fixtures import doc, tenant_with_kb



KB = [
    doc("sp_cabinet_service", "XT-300 储能柜：质保与售后", "selling_point",
         "XT-300 储能柜整机质保 5 年，电芯质保 10 年。全国 40 个服务网点，地级市 24 小时到场维修，偏远地区 48 小时到场。",
         product="XT-300 储能柜"),
    doc("sp_cabinet_price", "XT-300 储能柜：价格与付款", "selling_point",
         "XT-300 储能柜标准报价每台 68 万元，含运输与安装调试。付款方式为 30% 预付款，发货前付 60%，验收后付 10%。",
         product="XT-300 储能柜"),
    doc("sp_cabinet_delivery", "XT-300 储能柜：交期与安装", "selling_point",
         "XT-300 储能柜标准交期 6 周，现场安装调试 3 天，可提供 CE 与 UL9540A 认证文件。", product="XT-300 储能柜"),
    doc("sp_cabinet_cold", "XT-300 储能柜：环境适应性", "selling_point",
         "工作温度零下 30 度到 55 度，自带电加热，海拔 4000 米以下无需降额，适合西藏、青海等高原地区。",
         product="XT-300 储能柜"),
    doc("cp_lanfeng_price", "蓝峰电气：价格策略", "competitor",
         "蓝峰电气的储能柜报价比我们低 10% 左右，但质保只有 3 年，远程运维单独收费。", competitor="蓝峰电气"),
    doc("other_travel", "差旅报销标准", "other",
         "出差住宿标准：一线城市每晚 600 元，其他城市每晚 400 元。报销须在出差结束后 30 天内提交。"),
    doc("other_leave", "请假与年假制度", "other", "工作满一年的员工每年享有 5 天带薪假，满十年 10 天，须提前 3 天申请。"),
    doc("other_office_move", "上海办事处搬迁通知", "other", "上海办事处将于 12 月 7 日迁至闵行区虹梅科创园 B 座 5 楼。"),
    doc("sp_cabinet_cooling", "XT-300 储能柜：液冷温控", "selling_point",
         "XT-300 储能柜采用液冷温控，冷媒为 R1234ze refrigerant (low GWP)，电芯温差小于 3 度。", product="XT-300 储能柜"),
]


@pytest.fixture(scope="module")
async def kb_tenant(pool, database_url):
    return await tenant_with_kb(pool, KB)


@pytest.mark.parametrize("question, reason", [
    ("洗衣机保修几年", "洗衣机"),  # a product this seller never mentions, asked with its warranty words
    ("电动自行车电池保修几年", "电动自行车电池"),  # 电池 alone is a word the documents use; 电动自行车 is not
    ("XJ-900 交期多久", "xj-900"),  # a model number no document spells
    ("格力的储能柜多少钱", "格力"),  # another company's cabinet
    ("发那科的储能柜多少钱", "发那科"),  # a transliterated name the dictionary does not know, owning the thing
    ("你们的充电宝有没有CE认证", "充电宝"),  # jieba cuts 充电 + 宝: the documents write 充电 nowhere as 充电宝
    ("冰箱保修几年", "冰箱"),  # refrigerator stems like the note's refrigerant, but is not written there
    ("what is the warranty on your electric scooters", "electric scooters"),  # one English noun phrase: no
    # candidate writes 滑板车, 踏板车 … (the dictionary's words for scooters)
])
async def test_an_unknown_object_is_not_found_though_its_aspect_words_match(kb_tenant, db, question, reason):
    scored = await retrieve(db, kb_tenant.tenant_id, question, k=3)
    assert scored and scored[0].unknown_subject is not None and reason in scored[0].unknown_subject
    assert not any(s.passes_floor for s in scored)
    assert await search(db, kb_tenant.tenant_id, question) == []


@pytest.mark.parametrize("question", ["洗衣机保修几年", "what is the warranty on your electric scooters", "发那科的储能柜多少钱"])
async def test_the_bot_says_it_found_nothing(kb_tenant, db, question):
    text = await answer_text(db, kb_tenant.tenant_id, question)
    assert "没有找到" in text and "sp_cabinet_service" not in text and "XT-300" not in text


@pytest.mark.parametrize("question, doc_id", [
    ("西藏那边海拔高 柜子能用吗", "sp_cabinet_cold"),  # 西藏 is the documents' word too; 柜子 is not, 海拔 is
    ("村里的储能柜坏了多久能来人", "sp_cabinet_service"),  # 村里 and 来人: words no document uses
    ("hotel allowance for business trips", "other_travel"),  # English against Chinese notes
    ("年假有几天", "other_leave"),  # the notes' segmentation cuts 与年 / 假制度: no term 年假, but it is written there
    ("上海办事处搬到哪了", "other_office_move"),  # 搬到 is what is done to the office, not the thing asked about
    ("xt300 质保几年", "sp_cabinet_service"),  # the catalogue's model however typed
    ("储能柜多少钱一台", "sp_cabinet_price"),  # only aspect words besides the product
    ("蓝峰的储能柜便宜多少", "cp_lanfeng_price"),  # a competitor the catalogue knows owns the thing
    ("what is the warranty on the energy storage cabinet", "sp_cabinet_service"),  # cabinet → 柜子, head 柜 written
    ("Does the cabinet have UL certification?", "sp_cabinet_delivery"),
    ("储能柜子的电芯质保几年", "sp_cabinet_service"),  # 储能柜 is written; the spoken 柜子 is its head
    ("冷媒用的什么", "sp_cabinet_cooling"),  # 冷媒 → refrigerant, written whole in the note
    ("蓝峰的液冷温控怎么样", "sp_cabinet_cooling"),  # a name the catalogue knows is no stranger
])
async def test_legitimate_questions_with_unusual_words_are_still_answered(kb_tenant, db, question, doc_id):
    passages = await search(db, kb_tenant.tenant_id, question, k=3)
    assert passages and doc_id in [p.doc_id for p in passages[:2]], (question, [p.doc_id for p in passages])


async def test_the_check_reads_only_this_tenants_documents(kb_tenant, db, factory):
    other, _ = await factory.tenant()
    await ingest_documents(db, other.tenant_id, [doc(
        "sp_washer_warranty", "洗衣机：质保", "selling_point", "洗衣机整机质保 3 年，电机质保 10 年。", product="洗衣机")])
    assert [p.doc_id for p in await search(db, other.tenant_id, "洗衣机保修几年")] == ["sp_washer_warranty"]
    assert await search(db, kb_tenant.tenant_id, "洗衣机保修几年") == []


@pytest.mark.parametrize("question", ["洗衣机保修几年", "电动自行车电池保修几年", "XJ-900 交期多久", "格力的储能柜多少钱",
                                      "发那科的储能柜多少钱", "你们的充电宝有没有CE认证", "冰箱保修几年",
                                      "what is the warranty on your electric scooters"])
async def test_the_evidence_floor_alone_would_have_answered(kb_tenant, db, question):
    """The questions refused above pass the evidence floor: it is the subject check that refuses them."""
    scored = await retrieve(db, kb_tenant.tenant_id, question, k=3)
    assert max(s.evidence for s in scored) >= FLOOR


INVERTER_KB = [
    doc("sp_inv_service", "HC-INV-50K 光伏逆变器：质保与运维", "selling_point",
         "HC-INV-50K 光伏逆变器标准质保 10 年，可延保至 20 年，全国 200 个服务网点 48 小时到场。",
         product="HC-INV-50K 光伏逆变器"),
    doc("sp_inv_price", "HC-INV-50K 光伏逆变器：价格", "selling_point",
         "HC-INV-50K 光伏逆变器标准报价每台 1.2 万元，含税含运费。", product="HC-INV-50K 光伏逆变器"),
    doc("other_leave", "请假与年假制度", "other", "工作满一年的员工每年享有 5 天带薪假，须提前 3 天申请。"),
]


@pytest.fixture(scope="module")
async def inverter_tenant(pool, database_url):
    return await tenant_with_kb(pool, INVERTER_KB)


async def test_a_thin_dictionary_entry_is_judged_by_the_models_closeness_to_the_catalogue(inverter_tenant, db):
    # inverter → 反相器 in the dictionary, never 逆变器, and no document is in English: the models place
    # "inverter" near the catalogue's 光伏逆变器, so the question is answered
    passages = await search(db, inverter_tenant.tenant_id, "what is the warranty on the inverter")
    assert passages and passages[0].doc_id == "sp_inv_service"
    # antivirus → 杀毒软件, 杀软 (thin too): nowhere near an inverter
    scored = await retrieve(db, inverter_tenant.tenant_id, "what is the warranty on your antivirus", k=3)
    assert not any(s.passes_floor for s in scored)


@pytest.mark.parametrize("question, named", [("蓝峰电气他们有啥软肋", True), ("XT-300 报价多少", True),
                                             ("上海办事处搬到哪了", False)])
async def test_a_question_naming_the_catalogue_needs_a_smaller_margin(kb_tenant, db, question, named):
    """蓝峰 / XT-300 are the tenant's own names: the question is about the knowledge base by its own words, so the
    models' closeness needs NAMED_FLOOR_MARGIN less over chit-chat; a question naming nothing keeps FLOOR."""
    from backend.services.kb.search import NAMED_FLOOR_MARGIN

    floor = FLOOR - NAMED_FLOOR_MARGIN if named else FLOOR
    scored = await retrieve(db, kb_tenant.tenant_id, question, k=3)
    assert scored and NAMED_FLOOR_MARGIN > 0
    assert [s.passes_floor for s in scored] == [s.evidence >= floor and s.unknown_subject is None for s in scored]

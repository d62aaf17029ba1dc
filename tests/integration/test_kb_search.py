"""Knowledge retrieval against the real PostgreSQL with pgvector and the packaged models:
ingest, re-ingest, tenant isolation, filters, the score floor, Chinese / English / model-number questions."""

from __future__ import annotations

import pytest

from backend.services.kb import format_passages, model_is_warm, search, warm_up
from backend.services.kb.ingest import delete_document, ingest_documents, list_documents
from backend.services.kb.search import retrieve
from tests.kb_fixtures import doc


KB = [
    doc("sp_cabinet_safety", "XT-300 储能柜：消防与安全", "selling_point",
         "XT-300 储能柜采用三级电池管理系统，异常时 100 毫秒内切断回路。消防采用 Pack 级全氟己酮喷淋和舱级气溶胶双重灭火，"
         "通过 UL9540A 热失控传播测试。", product="XT-300 储能柜"),
    doc("sp_cabinet_service", "XT-300 储能柜：售后服务", "selling_point",
         "整机质保 5 年，电芯质保 10 年。全国 40 个服务网点，地级市 24 小时到场，偏远地区 48 小时到场。", product="XT-300 储能柜"),
    doc("sp_cabinet_cold", "XT-300 储能柜：环境适应性", "selling_point",
         "工作温度零下 30 度到 55 度，自带电加热，海拔 4000 米以下无需降额，适合西藏、青海等高原地区。", product="XT-300 储能柜"),
    doc("sp_meter_spec", "SM-9 智能电表：规格", "selling_point",
         "SM-9 通过 GB/T 17215 认证，支持 RS485 与 4G 通讯，精度 0.5S 级。", product="SM-9 智能电表"),
    doc("cp_lanfeng_price", "蓝峰电气：价格策略", "competitor",
         "蓝峰电气的储能柜报价比我们低 10% 左右，但质保只有 3 年，远程运维单独收费。", competitor="蓝峰电气"),
    doc("cp_lanfeng_weak", "蓝峰电气：劣势", "competitor",
         "蓝峰电气采用风冷方案，电芯温差大；县城项目到场时间常超过 72 小时。", competitor="蓝峰电气"),
    doc("cp_northwind_en", "Northwind Energy: Overview", "competitor",
         "Northwind Energy is a US storage vendor. Its cabinets ship from overseas with a lead time of 20 weeks, "
         "and it has no direct service team in China.", competitor="Northwind Energy"),
    doc("other_travel", "差旅报销标准", "other",
         "出差住宿标准：一线城市每晚 600 元，其他城市每晚 400 元。报销须在出差结束后 30 天内提交。"),
]


@pytest.fixture(scope="module")
async def kb_tenant(pool, database_url):
    from tests.factory import Factory

    tenant, _ = await Factory(pool).tenant()
    async with pool.acquire() as conn:
        results = await ingest_documents(conn, tenant.tenant_id, KB)
    assert [r.status for r in results] == ["created"] * len(KB)
    return tenant


async def _top(db, tenant, query, **kw) -> list[str]:
    return [p.doc_id for p in await search(db, tenant.tenant_id, query, **kw)]


async def test_model_is_warm_after_warm_up():
    await warm_up()
    assert model_is_warm()


async def test_chinese_question_finds_its_passage(kb_tenant, db):
    assert (await _top(db, kb_tenant, "柜子万一起火有什么灭火手段"))[0] == "sp_cabinet_safety"
    assert (await _top(db, kb_tenant, "西藏那种高海拔的地方能装吗"))[0] == "sp_cabinet_cold"


async def test_english_question_finds_its_passage(kb_tenant, db):
    assert (await _top(db, kb_tenant, "How long is the lead time of Northwind cabinets?"))[0] == "cp_northwind_en"
    assert "other_travel" in (await _top(db, kb_tenant, "hotel allowance for business trips"))[:2]


async def test_model_number_hits_exactly(kb_tenant, db):
    assert (await _top(db, kb_tenant, "GB/T 17215"))[0] == "sp_meter_spec"
    assert (await _top(db, kb_tenant, "UL9540A"))[0] == "sp_cabinet_safety"


async def test_passages_carry_title_kind_source_and_a_score(kb_tenant, db):
    passages = await search(db, kb_tenant.tenant_id, "蓝峰电气 报价", k=3)
    best = passages[0]
    assert best.doc_id == "cp_lanfeng_price" and best.kind == "competitor" and best.competitor == "蓝峰电气"
    assert best.source == "cp_lanfeng_price.md" and best.title == "蓝峰电气：价格策略" and "10%" in best.text
    assert 0 < best.score <= 1 and [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    assert len(passages) == len({p.doc_id for p in passages}) <= 3


async def test_naming_a_competitor_drops_other_competitors_notes(kb_tenant, db):
    ranked = await retrieve(db, kb_tenant.tenant_id, "蓝峰的售后怎么样", k=8)
    docs = [s.passage.doc_id for s in ranked]
    assert "cp_northwind_en" not in docs
    assert docs[0] in ("cp_lanfeng_weak", "cp_lanfeng_price", "sp_cabinet_service")


async def test_naming_a_product_drops_other_products_selling_points(kb_tenant, db):
    docs = [s.passage.doc_id for s in await retrieve(db, kb_tenant.tenant_id, "储能柜 认证", k=8)]
    assert "sp_meter_spec" not in docs


async def test_kind_filter(kb_tenant, db):
    passages = await search(db, kb_tenant.tenant_id, "储能柜报价和质保", k=5, kind="competitor")
    assert passages and all(p.kind == "competitor" for p in passages)
    assert await search(db, kb_tenant.tenant_id, "储能柜报价和质保", k=5, kind="other") == [] or all(
        p.kind == "other" for p in await search(db, kb_tenant.tenant_id, "储能柜报价和质保", k=5, kind="other"))


async def test_score_floor_says_nothing_rather_than_guess(kb_tenant, db):
    assert await search(db, kb_tenant.tenant_id, "今天天气怎么样") == []
    assert await search(db, kb_tenant.tenant_id, "book me a taxi to the airport") == []
    assert await search(db, kb_tenant.tenant_id, "   ") == []


async def test_a_query_never_returns_another_tenants_passage(kb_tenant, db, factory):
    other, _ = await factory.tenant()
    await ingest_documents(db, other.tenant_id, [doc(
        "sp_other_cabinet", "另一家的储能柜", "selling_point",
        "我们的储能柜消防采用全氟己酮喷淋，通过 UL9540A 测试，质保 8 年。", product="储能柜")])
    for query in ("柜子起火怎么灭", "UL9540A", "质保几年"):
        mine = await _top(db, kb_tenant, query, k=8)
        theirs = await _top(db, other, query, k=8)
        assert "sp_other_cabinet" not in mine
        assert set(theirs) <= {"sp_other_cabinet"}
    empty, _ = await factory.tenant()
    assert await search(db, empty.tenant_id, "UL9540A") == []


async def test_reingest_is_idempotent_and_a_change_replaces_chunks(db, factory):
    tenant, _ = await factory.tenant()
    original = doc("sp_x", "XT-500 卖点", "selling_point", "XT-500 采用液冷温控，循环寿命 9000 次。", product="XT-500")
    first = await ingest_documents(db, tenant.tenant_id, [original])
    again = await ingest_documents(db, tenant.tenant_id, [original])
    assert (first[0].status, again[0].status, again[0].version) == ("created", "unchanged", 1)
    chunk_ids = await db.fetch("SELECT chunk_id FROM kb_chunks WHERE tenant_id = $1", tenant.tenant_id)
    changed = doc(
        "sp_x", "XT-500 卖点", "selling_point", "XT-500 采用风冷散热，循环寿命 7000 次。", product="XT-500")
    updated = await ingest_documents(db, tenant.tenant_id, [changed])
    assert (updated[0].status, updated[0].version) == ("updated", 2)
    new_ids = await db.fetch("SELECT chunk_id FROM kb_chunks WHERE tenant_id = $1", tenant.tenant_id)
    assert {r["chunk_id"] for r in new_ids}.isdisjoint({r["chunk_id"] for r in chunk_ids})
    assert (await search(db, tenant.tenant_id, "XT-500 循环寿命多少次"))[0].text.endswith("7000 次。")
    terms = await db.fetchval("SELECT count(*) FROM kb_terms WHERE tenant_id = $1 AND term = '液冷'", tenant.tenant_id)
    assert terms == 0  # the old chunk's terms no longer count
    assert await db.fetchval("SELECT count(DISTINCT model) FROM kb_embeddings WHERE tenant_id = $1",
                             tenant.tenant_id) == 2  # the default pair of models


async def test_delete_removes_chunks_vectors_and_terms(db, factory):
    tenant, _ = await factory.tenant()
    await ingest_documents(db, tenant.tenant_id, [doc("other_a", "年会", "other", "年会定在 1 月 20 日。")])
    assert [d.doc_id for d in await list_documents(db, tenant.tenant_id)] == ["other_a"]
    await delete_document(db, tenant.tenant_id, "other_a")
    for table in ("kb_documents", "kb_chunks", "kb_embeddings", "kb_terms"):
        assert await db.fetchval(f"SELECT count(*) FROM {table} WHERE tenant_id = $1", tenant.tenant_id) == 0
    assert await search(db, tenant.tenant_id, "年会哪天") == []


async def test_reply_quotes_the_best_passages_within_one_message(kb_tenant, db):
    passages = await search(db, kb_tenant.tenant_id, "储能柜比蓝峰的好在哪")
    reply = format_passages(passages, "zh")
    assert passages and len(reply.encode()) <= 2048 and passages[0].title in reply and "来源:" in reply

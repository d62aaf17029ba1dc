"""Questions however the rep asks: spoken paraphrase through the tenant's lexicon (admin API), model
numbers however typed, an honest "not found" for off-topic and out-of-catalogue questions, and the
final answer text the AI-bot channel streams."""

from __future__ import annotations

import pytest

from backend.services.kb import search
from bot.kb_answers import answer_text
from tests.kb_fixtures import doc, tenant_with_kb



KB = [
    doc("sp_e6_battery", "E6 电动叉车：电池与续航", "selling_point",
         "E6 采用 80V 磷酸铁锂电池。满电续航 8 小时，约 60 公里。快充 1.5 小时可充至 80%。", product="E6 电动叉车"),
    doc("sp_e6_service", "E6 电动叉车：质保与售后", "selling_point",
         "整车质保 3 年，电池质保 5 年或 1 万小时。地级市 24 小时到场维修。", product="E6 电动叉车"),
    doc("sp_t3_spec", "T3 牵引车：参数", "selling_point",
         "T3 牵引重量 3 吨，最高车速 12 km/h，适合厂内物流。", product="T3 牵引车"),
    doc("cp_dali_weak", "大力叉车：劣势", "competitor",
         "大力叉车用铅酸电池，充电要 8 小时，需要换电间。", competitor="大力叉车"),
    doc("other_leave", "年假规定", "other", "入职满一年有 5 天年假，须提前 3 天在系统里申请。"),
]


@pytest.fixture(scope="module")
async def kb_tenant(pool, database_url):
    return await tenant_with_kb(pool, KB)


async def _top(db, tenant, query) -> list[str]:
    return [p.doc_id for p in await search(db, tenant.tenant_id, query, k=3)]


async def test_spoken_measures_find_the_fact(kb_tenant, db):
    assert (await _top(db, kb_tenant, "嗯那个E6满电能跑多远啊"))[0] == "sp_e6_battery"
    assert (await _top(db, kb_tenant, "E6 多久充满"))[0] == "sp_e6_battery"


async def test_model_numbers_however_typed(kb_tenant, db):
    for typed in ("E6 保修几年", "e-6 保修几年", "E 6 保修几年"):
        assert (await _top(db, kb_tenant, typed))[0] == "sp_e6_service", typed


async def test_off_topic_and_unknown_products_get_not_found(kb_tenant, db):
    assert await search(db, kb_tenant.tenant_id, "房贷利率是多少") == []
    assert await search(db, kb_tenant.tenant_id, "孩子发烧38度要不要去医院") == []
    text = await answer_text(db, kb_tenant.tenant_id, "房贷利率是多少")
    assert "没有找到" in text


async def test_answer_text_quotes_the_sentence_and_source(kb_tenant, db):
    text = await answer_text(db, kb_tenant.tenant_id, "E6满电能跑多远")
    assert "满电续航 8 小时，约 60 公里。" in text and "来源: sp_e6_battery.md" in text
    assert len(text.encode()) <= 2048


async def test_admin_extends_the_lexicon(client, admin_headers, kb_tenant):
    url = f"/admin/v1/tenants/{kb_tenant.slug}/kb/lexicon"
    listed = (await client.get(url, headers=admin_headers)).json()
    assert any(e["phrase"] == "能跑多远" and e["source"] == "built-in" for e in listed)
    r = await client.put(f"{url}/拉多重", headers=admin_headers, json={"terms": ["牵引重量"]})
    assert r.status_code == 200 and r.json()["terms"] == ["牵引重量"] and r.json()["source"] == "tenant"
    listed = (await client.get(url, headers=admin_headers)).json()
    assert {"phrase": "拉多重", "terms": ["牵引重量"], "source": "tenant"}.items() <= next(
        e for e in listed if e["phrase"] == "拉多重").items()
    hits = (await client.get(f"/admin/v1/tenants/{kb_tenant.slug}/kb/search", headers=admin_headers,
                             params={"q": "那个车能拉多重"})).json()
    assert hits and hits[0]["doc_id"] == "sp_t3_spec"
    assert (await client.delete(f"{url}/拉多重", headers=admin_headers)).status_code == 204
    assert (await client.delete(f"{url}/拉多重", headers=admin_headers)).status_code == 404
    bad = await client.put(f"{url}/拉多重", headers=admin_headers, json={"terms": "牵引重量"})
    assert bad.status_code == 400

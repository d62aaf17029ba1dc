"""Knowledge search in the mini-program: a signed-in rep asks, the knowledge area's search answers."""

from __future__ import annotations

from backend.services.kb.ingest import ingest_documents
from schemas.kb import DocumentIn
from tests.integration.miniapp_support import bound_rep, card_of, sign_in

DOCS = [
    DocumentIn(doc_id="s1-selling", title="储能柜 S1 卖点", kind="selling_point", product="储能柜 S1",
               source="s1.md", body="# 储能柜 S1\n\n循环寿命 8000 次，比同类产品长 30%。液冷温控，电芯温差小于 3 度。"),
    DocumentIn(doc_id="ningneng-notes", title="宁能竞品分析", kind="competitor", competitor="宁能",
               source="ningneng.md", body="# 宁能\n\n宁能的储能柜报价低 10%，但质保只有 5 年，售后网点少。"),
]


async def test_rep_searches_the_knowledge_base_and_features_a_document(client, factory, pool):
    tenant, _ = await factory.tenant()
    async with pool.acquire() as conn:
        await ingest_documents(conn, tenant.tenant_id, DOCS)
    _, rep = await bound_rep(client, pool, factory, tenant)
    r = await client.get("/miniapp/v1/kb/search", params={"q": "宁能的质保多久"}, headers=rep["headers"])
    assert r.status_code == 200, r.text
    passages = r.json()
    assert passages and passages[0]["doc_id"] == "ningneng-notes" and "质保" in passages[0]["text"]
    r = await client.get("/miniapp/v1/kb/search", params={"q": "循环寿命", "kind": "selling_point"}, headers=rep["headers"])
    assert [p["doc_id"] for p in r.json()] == ["s1-selling"]
    docs = (await client.get("/miniapp/v1/kb/documents", headers=rep["headers"])).json()
    assert {d["doc_id"] for d in docs} == {"s1-selling", "ningneng-notes"}
    r = await client.patch("/miniapp/v1/me/card", headers=rep["headers"], json={
        "products": [{"title": "储能柜 S1", "summary": "循环寿命 8000 次", "doc_id": "s1-selling"}]})
    assert r.status_code == 200 and r.json()["products"][0]["doc_id"] == "s1-selling"
    card = await card_of(client, rep)
    public = (await client.get(f"/miniapp/v1/cards/{card['code']}")).json()
    assert public["products"][0]["title"] == "储能柜 S1"


async def test_kb_search_checks_input_role_and_tenant(client, factory, pool):
    tenant, _ = await factory.tenant()
    other, _ = await factory.tenant()
    async with pool.acquire() as conn:
        await ingest_documents(conn, tenant.tenant_id, DOCS)
    _, rep = await bound_rep(client, pool, factory, other)  # another company's rep
    r = await client.get("/miniapp/v1/kb/search", params={"q": "宁能的质保多久"}, headers=rep["headers"])
    assert r.status_code == 200 and r.json() == []
    for params in ({}, {"q": ""}, {"q": "   "}, {"q": "x" * 501}, {"q": "质保", "k": 0}, {"q": "质保", "kind": "secret"}):
        r = await client.get("/miniapp/v1/kb/search", params=params, headers=rep["headers"])
        assert r.status_code == 400, params
    customer = await sign_in(client, tenant.slug)
    r = await client.get("/miniapp/v1/kb/search", params={"q": "质保"}, headers=customer["headers"])
    assert r.status_code == 403
    assert (await client.get("/miniapp/v1/kb/search", params={"q": "质保"})).status_code == 401

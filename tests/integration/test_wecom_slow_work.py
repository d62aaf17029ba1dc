"""Work that could pass WeChat's 5 s answers at once and finishes through the outbox: knowledge
search on a cold model (or over its time budget), and long deal lists."""

from __future__ import annotations

import asyncio
import time

import pytest

from backend.services import outbox
from backend.services.kb.ingest import ingest_documents
from bot import jobs, kb_answers
from schemas.kb import DocumentIn
from tests.fakes.wecom_client import rep_chat

DOCS = [
    DocumentIn(doc_id="sp-ess", title="HC-ESS-215 储能柜卖点", kind="selling_point", product="储能柜",
               source="sp-ess.md", body="HC-ESS-215 储能柜采用液冷温控，循环寿命超过8000次，支持并离网切换，质保十年。"),
    DocumentIn(doc_id="cp-ningneng", title="对比宁能储能", kind="competitor", competitor="宁能",
               source="cp-ningneng.md", body="宁能的储能柜是风冷方案，循环寿命约6000次，质保五年，价格低约8%。"),
]


@pytest.fixture
async def kb_chat(client, factory, pool):
    tenant, rep, wc = await rep_chat(client, factory)
    async with pool.acquire() as conn:
        await ingest_documents(conn, tenant.tenant_id, DOCS)
    return tenant, rep, wc


async def _wait_done(db, tenant_id, timeout=30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = await db.fetchval("SELECT status FROM bot_deferred WHERE tenant_id = $1", tenant_id)
        if status in ("done", "failed"):
            return status
        await asyncio.sleep(0.05)
    raise AssertionError("the deferred answer did not finish")


async def test_warm_search_answers_in_the_reply(kb_chat, db):
    tenant, rep, wc = kb_chat
    r = await wc.text(rep.wecom_userid, "查一下储能柜的卖点")
    assert "液冷" in r.content, r.content
    assert await db.fetchval("SELECT count(*) FROM bot_deferred WHERE tenant_id = $1", tenant.tenant_id) == 0


async def test_slow_search_answers_through_the_outbox_once(kb_chat, db, pool, fake_wechat, monkeypatch):
    tenant, rep, wc = kb_chat
    monkeypatch.setattr(kb_answers, "SEARCH_BUDGET", 0.0)  # every search is "too slow" for the reply
    xml = wc.text_xml(rep.wecom_userid, "宁能的储能柜和我们比怎么样")
    r = await wc.post(xml)
    assert "正在查找" in r.content
    assert await _wait_done(db, tenant.tenant_id) == "done"
    again = await wc.post(xml)  # WeChat's retry of the same message
    assert again.content == r.content
    await outbox.deliver_until_idle(pool)
    sent = fake_wechat.sent(rep.wecom_userid)
    assert len(sent) == 1 and sent[0]["msgtype"] == "text"
    assert "宁能" in sent[0]["text"]["content"]
    assert await jobs.answer_deferred(pool) == {"done": 0, "retry": 0, "failed": 0}


async def test_worker_answers_what_a_dead_process_left(kb_chat, db, pool, fake_wechat):
    tenant, rep, wc = kb_chat
    # The row a process took in a callback's transaction and never ran (it died right after).
    await db.execute(
        "INSERT INTO bot_deferred (tenant_id, user_id, recipient, kind, payload, msg_key, created_at)"
        " VALUES ($1, $2, $3, 'kb_search', $4, 'wecom:m:424242', now())",
        tenant.tenant_id, rep.user_id, rep.wecom_userid, {"query": "储能柜质保几年", "kind": None, "lang": "zh"})
    counts = await jobs.answer_deferred(pool)
    assert counts["done"] >= 1
    await outbox.deliver_until_idle(pool)
    sent = fake_wechat.sent(rep.wecom_userid)
    assert len(sent) == 1 and "质保" in sent[0]["text"]["content"]


async def test_long_list_replies_the_top_and_sends_the_rest(client, factory, db, pool, fake_wechat):
    tenant, rep, wc = await rep_chat(client, factory)
    for i in range(12):
        await factory.deal(rep, f"测试客户{i:02d}有限公司", entered_days_ago=i)
    r = await wc.text(rep.wecom_userid, "我的商机")
    numbered = [line for line in r.content.splitlines() if line[:1].isdigit()]
    assert len(numbered) == 10 and "还有 2 个" in r.content
    assert numbered[0].startswith("1. 测试客户11")  # the longest in its stage first
    await outbox.deliver_until_idle(pool)
    sent = fake_wechat.sent(rep.wecom_userid)
    assert len(sent) == 1
    full = sent[0]["text"]["content"]
    assert all(f"测试客户{i:02d}" in full for i in range(12))

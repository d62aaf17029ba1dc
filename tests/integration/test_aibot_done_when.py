"""Issue 10's done-when, through /wecom/{tenant}/aibot: dictate a lead by voice, move a deal, undo,
ask a selling-point question and watch the stream complete, confirm a win by tapping a card — each
acting exactly once however often WeChat Work retries."""

from __future__ import annotations

import asyncio
import time

from backend.services.kb.ingest import ingest_documents
from schemas.kb import DocumentIn
from tests.fakes.aibot_client import aibot_chat

DOCS = [
    DocumentIn(doc_id="sp-ess", title="HC-ESS-215 储能柜卖点", kind="selling_point", product="储能柜",
               source="sp-ess.md", body="HC-ESS-215 储能柜采用液冷温控，循环寿命超过8000次，支持并离网切换，质保十年。"),
]


async def _stage(db, tenant_id: int, company: str) -> tuple[str, int | None]:
    row = await db.fetchrow("SELECT d.stage, d.amount FROM deals d JOIN accounts a USING (tenant_id, account_id)"
                            " WHERE d.tenant_id = $1 AND a.name LIKE $2 ORDER BY d.deal_id LIMIT 1",
                            tenant_id, f"%{company}%")
    return row["stage"], row["amount"]


async def _changes(db, tenant_id: int) -> int:
    return await db.fetchval("SELECT count(*) FROM deal_stage_history WHERE tenant_id = $1", tenant_id)


async def watch_stream(ac, user: str, first, timeout: float = 90.0) -> list[dict]:
    """Refresh a stream as WeChat Work does until it finishes; every body seen."""
    seen = [first.body]
    stream_id = first.stream["id"]
    deadline = time.monotonic() + timeout
    while not seen[-1]["stream"]["finish"]:
        assert time.monotonic() < deadline, "the stream did not finish"
        await asyncio.sleep(0.2)
        r = await ac.refresh(user, stream_id)
        assert r.stream["id"] == stream_id
        seen.append(r.body)
    return seen


async def tap_through(ac, user: str, reply, first_key_index: int = 0):
    """Tap the first button of each card the bot shows until it says what was done; (last reply, taps)."""
    taps = []
    while reply.body.get("msgtype") == "template_card" or reply.body.get("response_type") == "update_template_card":
        card = reply.card
        key = card["button_list"][first_key_index]["key"]
        if key.endswith(":done"):
            break
        msg = ac.tap_msg(user, card["task_id"], key)
        reply = await ac.post(msg)
        again = await ac.post(msg)  # WeChat Work retries the same event
        assert again.body == reply.body
        taps.append(msg)
    return reply, taps


async def test_done_when_through_the_callback(client, factory, db, pool):
    tenant, rep, ac = await aibot_chat(client, factory)
    async with pool.acquire() as conn:
        await ingest_documents(conn, tenant.tenant_id, DOCS)
    u = rep.wecom_userid

    # 1. A lead dictated by voice (WeChat Work's transcript), retried twice: written once.
    msg = ac.voice_msg(u, "新客户 佛山顺和陶瓷 刘总 电话一三八零零一三八零零零 要储能柜 预算三十二万")
    r = await ac.post(msg)
    assert (await ac.post(msg)).body == r.body and (await ac.post(msg)).body == r.body
    r, _ = await tap_through(ac, u, r)  # where a write with an amount is confirmed first, tap 确认
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 1
    assert await _stage(db, tenant.tenant_id, "顺和") == ("lead", 320000)
    phone = await db.fetchval("SELECT phone FROM contacts WHERE tenant_id = $1", tenant.tenant_id)
    assert phone == "13800138000"

    # 2. Move it; a retry moves nothing more.
    msg = ac.text_msg(u, "顺和那单进入方案阶段")
    r = await ac.post(msg)
    await ac.post(msg)
    r, _ = await tap_through(ac, u, r)
    assert "方案" in r.content and (await _stage(db, tenant.tenant_id, "顺和"))[0] == "solution"
    moves = await _changes(db, tenant.tenant_id)

    # 3. Undo, retried: undone once (the lead itself stays).
    msg = ac.text_msg(u, "撤销")
    r = await ac.post(msg)
    await ac.post(msg)
    assert "撤销" in r.content or "回到" in r.content
    assert (await _stage(db, tenant.tenant_id, "顺和"))[0] == "lead"
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 1

    # 4. A selling-point question streams: "looking it up", then the answer on WeChat Work's refreshes.
    msg = ac.text_msg(u, "查一下储能柜的卖点")
    first = await ac.post(msg)
    assert first.body["msgtype"] == "stream" and first.stream["finish"] is False and "查找" in first.content
    assert first.stream["feedback"] == {"id": first.stream["id"]}  # the rep may rate the answer
    assert (await ac.post(msg)).stream["id"] == first.stream["id"]  # the retry gets the same stream
    seen = await watch_stream(ac, u, first)
    assert "液冷" in seen[-1]["stream"]["content"]
    assert await db.fetchval("SELECT count(*) FROM aibot_streams WHERE tenant_id = $1", tenant.tenant_id) == 1

    # 5. Confirm a win by tapping a card: two deals match "顺和", so the bot asks which (and, where the
    #    confirmation policy asks, to confirm) on a button card; each tap acts once.
    await factory.deal(rep, "顺和物流有限公司", stage="negotiation")
    before = await _changes(db, tenant.tenant_id)
    r = await ac.text(u, "顺和签了 32万")
    assert r.body["msgtype"] == "template_card", r.body
    card = r.card
    assert card["card_type"] == "button_interaction" and len(card["button_list"]) >= 2
    task_id = card["task_id"]
    done, taps = await tap_through(ac, u, r)
    assert taps and done.body["response_type"] == "update_template_card"
    assert done.card["task_id"] == task_id and ("签约" in done.content or "恭喜" in done.content)
    won = await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1 AND stage = 'won'", tenant.tenant_id)
    assert won == 1
    assert await _changes(db, tenant.tenant_id) == before + 1
    # A second tap on the same card (a new event id) does nothing more and shows what was done.
    again = await ac.tap(u, task_id, taps[-1]["event"]["template_card_event"]["event_key"])
    assert again.body["response_type"] == "update_template_card" and "签约" in again.content
    assert await _changes(db, tenant.tenant_id) == before + 1
    assert moves >= 2

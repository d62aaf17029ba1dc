"""The same MsgId never acts twice: sequential retries, concurrent retries, and a retry that
arrives while the first attempt is still running (held inside its transaction)."""

from __future__ import annotations

import asyncio

from tests.fakes.wecom_client import rep_chat


async def _deals(db, tenant_id) -> int:
    return await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant_id)


async def test_sequential_retry_gets_the_same_reply_and_acts_once(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    xml = wc.text_xml(rep.wecom_userid, "新客户 深圳前海星辰科技 陈经理 13600001111", msg_id=910001)
    first = await wc.post(xml)
    second = await wc.post(xml)  # WeChat's retry: same MsgId, new signature/nonce
    third = await wc.post(xml)
    assert first.content.startswith("已新建线索")
    assert second.content == first.content == third.content
    assert await _deals(db, tenant.tenant_id) == 1
    assert await db.fetchval("SELECT reply FROM inbound_messages WHERE tenant_id = $1 AND msg_key = 'm:910001'",
                             tenant.tenant_id) == first.content


async def test_concurrent_retries_act_once(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    xml = wc.text_xml(rep.wecom_userid, "新客户 杭州云栖数据 吴总 13700002222", msg_id=910002)
    replies = await asyncio.gather(*(wc.post(xml) for _ in range(6)))
    assert {r.status for r in replies} == {200}
    assert len({r.content for r in replies}) == 1 and replies[0].content.startswith("已新建线索")
    assert await _deals(db, tenant.tenant_id) == 1


async def test_retry_while_the_first_attempt_still_runs(client, factory, pool, db):
    """Hold the first attempt inside its transaction (it waits for the rep's lock, which this test
    holds), send the retry meanwhile, then let both go: one deal, one reply for both."""
    tenant, rep, wc = await rep_chat(client, factory)
    xml = wc.text_xml(rep.wecom_userid, "新客户 成都天府智造 周工 13800003333", msg_id=910003)
    async with pool.acquire() as holder:
        tx = holder.transaction()
        await tx.start()
        await holder.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(format('tuoke.bot:%s:%s', $1::bigint, $2::bigint), 0))",
            tenant.tenant_id, rep.user_id)
        first = asyncio.create_task(wc.post(xml))
        await asyncio.sleep(0.3)
        retry = asyncio.create_task(wc.post(xml))
        await asyncio.sleep(0.3)
        assert not first.done() and not retry.done()  # both are waiting: the first on the lock, the retry on the key
        assert await _deals(db, tenant.tenant_id) == 0
        await tx.rollback()  # releases the lock
    a, b = await asyncio.gather(first, retry)
    assert a.content.startswith("已新建线索") and b.content == a.content
    assert await _deals(db, tenant.tenant_id) == 1


async def test_a_refused_attempt_keeps_no_key_so_a_later_retry_acts(client, factory, db):
    """Keys are written only together with an action: a message refused (its sender was inactive)
    leaves no key behind, and the same MsgId acts once the sender is active again."""
    tenant, rep, wc = await rep_chat(client, factory)
    xml = wc.text_xml(rep.wecom_userid, "新客户 西安秦川动力 郑总 13900004444", msg_id=910004)
    await db.execute("UPDATE users SET active = false WHERE tenant_id = $1 AND user_id = $2", tenant.tenant_id,
                     rep.user_id)
    refused = await wc.post(xml)
    assert "还没有开通" in refused.content
    assert await db.fetchval("SELECT count(*) FROM inbound_messages WHERE tenant_id = $1", tenant.tenant_id) == 0
    await db.execute("UPDATE users SET active = true WHERE tenant_id = $1 AND user_id = $2", tenant.tenant_id,
                     rep.user_id)
    accepted = await wc.post(xml)
    assert accepted.content.startswith("已新建线索")
    assert await _deals(db, tenant.tenant_id) == 1


async def test_events_are_keyed_by_sender_and_create_time(client, factory, db):
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    xml = wc.event_xml(rep.wecom_userid, "template_card_event", f"nudge:{deal.deal_id}:done", create_time=1795390000,
                       TaskId="task-1", CardType="button_interaction", ResponseCode="rc-1")
    r1, r2 = await asyncio.gather(wc.post(xml), wc.post(xml))
    assert r1.content == r2.content and "已记录跟进" in r1.content
    assert await db.fetchval("SELECT count(*) FROM activities WHERE tenant_id = $1", tenant.tenant_id) == 1
    # Another click (a new CreateTime) is another event.
    xml2 = wc.event_xml(rep.wecom_userid, "template_card_event", f"nudge:{deal.deal_id}:done", create_time=1795390007)
    await wc.post(xml2)
    assert await db.fetchval("SELECT count(*) FROM activities WHERE tenant_id = $1", tenant.tenant_id) == 2

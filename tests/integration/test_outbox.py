"""Outbox delivery against the fake WeChat Work server: retries, token expiry, races, limits.

Each test delivers only its own tenant's rows: the run shares one database, and other tests'
messages must not consume the failures a test injects.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from backend import clock
from backend.services import outbox
from schemas.outbox import MarkdownMessage, TextMessage


async def _rows(db, tenant_id):
    return await db.fetch("SELECT * FROM outbox WHERE tenant_id = $1 ORDER BY outbox_id", tenant_id)


async def test_enqueue_is_idempotent_per_key(factory, db):
    tenant, _ = await factory.tenant()
    first = await outbox.enqueue(db, tenant.tenant_id, "wanglei", TextMessage(content="你好"), "k1")
    again = await outbox.enqueue(db, tenant.tenant_id, "wanglei", TextMessage(content="你好"), "k1")
    assert first is not None and again is None
    assert len(await _rows(db, tenant.tenant_id)) == 1


async def test_failure_then_success_is_sent_exactly_once(factory, db, pool, fake_wechat):
    tenant, _ = await factory.tenant()
    await outbox.enqueue(db, tenant.tenant_id, "wanglei", TextMessage(content="顺和陶瓷在投标阶段 26 天了"), "nudge-1")
    fake_wechat.fail_next("send", "http500")
    counts = await outbox.deliver_due(pool, tenant_id=tenant.tenant_id)
    assert counts["retry"] == 1 and fake_wechat.sent("wanglei") == []
    row = (await _rows(db, tenant.tenant_id))[0]
    assert row["status"] == "pending" and row["attempts"] == 1 and "500" in row["last_error"]
    assert row["next_attempt_at"] > clock.now(), "backs off before the next try"
    await outbox.deliver_due(pool, tenant_id=tenant.tenant_id)
    assert fake_wechat.sent("wanglei") == [], "not before the backoff"
    clock.set_now(row["next_attempt_at"] + dt.timedelta(seconds=1))
    assert (await outbox.deliver_due(pool, tenant_id=tenant.tenant_id))["sent"] == 1
    await outbox.deliver_until_idle(pool, tenant_id=tenant.tenant_id)
    sent = fake_wechat.sent("wanglei")
    assert len(sent) == 1
    assert sent[0]["msgtype"] == "text" and sent[0]["agentid"] == 1000002
    assert sent[0]["text"]["content"] == "顺和陶瓷在投标阶段 26 天了"
    assert (await _rows(db, tenant.tenant_id))[0]["status"] == "sent"


async def test_expired_token_is_refreshed_and_the_message_still_goes_once(factory, db, pool, fake_wechat):
    tenant, _ = await factory.tenant()
    await outbox.enqueue(db, tenant.tenant_id, "u1", TextMessage(content="one"), "a")
    await outbox.deliver_until_idle(pool, tenant_id=tenant.tenant_id)
    fetches = fake_wechat.token_fetches
    fake_wechat.expire_tokens()
    await outbox.enqueue(db, tenant.tenant_id, "u1", MarkdownMessage(content="**two**"), "b")
    counts = await outbox.deliver_until_idle(pool, tenant_id=tenant.tenant_id)
    assert counts["sent"] == 1 and counts["retry"] == 0
    assert fake_wechat.token_fetches == fetches + 1
    assert [m["msgtype"] for m in fake_wechat.sent("u1")] == ["text", "markdown"]


async def test_timeouts_and_rate_limit_codes_are_retried_permanent_errors_kept_dead(factory, db, pool, fake_wechat):
    tenant, _ = await factory.tenant()
    await outbox.enqueue(db, tenant.tenant_id, "u2", TextMessage(content="x"), "t1")
    fake_wechat.fail_next("send", "rate_limit")
    await outbox.deliver_due(pool, tenant_id=tenant.tenant_id)
    row = (await _rows(db, tenant.tenant_id))[0]
    assert row["status"] == "pending" and "45009" in row["last_error"]
    clock.set_now(row["next_attempt_at"] + dt.timedelta(seconds=1))
    fake_wechat.fail_next("send", "bad_user")
    await outbox.deliver_due(pool, tenant_id=tenant.tenant_id)
    row = (await _rows(db, tenant.tenant_id))[0]
    assert row["status"] == "dead" and "81013" in row["last_error"], "a permanent error is kept, not retried forever"
    assert fake_wechat.sent("u2") == []


async def test_two_delivery_loops_racing_send_each_row_once(factory, db, pool, fake_wechat):
    tenant, _ = await factory.tenant()
    for i in range(40):
        await outbox.enqueue(db, tenant.tenant_id, f"rep{i % 4}", TextMessage(content=f"msg {i}"), f"race-{i}")
    results = await asyncio.gather(*(outbox.deliver_until_idle(pool, tenant_id=tenant.tenant_id) for _ in range(3)))
    assert sum(r["sent"] for r in results) == 40
    contents = sorted(m["text"]["content"] for m in fake_wechat.sent())
    assert contents == sorted(f"msg {i}" for i in range(40)), "every message once, none twice"


async def test_per_member_minute_limit_defers_instead_of_dropping(factory, db, pool, fake_wechat):
    tenant, _ = await factory.tenant()
    for i in range(outbox.PER_MINUTE + 3):
        await outbox.enqueue(db, tenant.tenant_id, "busyrep", TextMessage(content=f"n{i}"), f"lim-{i}")
    counts = await outbox.deliver_until_idle(pool, tenant_id=tenant.tenant_id)
    assert counts["sent"] == outbox.PER_MINUTE and counts["deferred"] >= 3
    assert len(fake_wechat.sent("busyrep")) == outbox.PER_MINUTE
    clock.set_now(clock.now() + dt.timedelta(minutes=2))
    await outbox.deliver_until_idle(pool, tenant_id=tenant.tenant_id)
    assert len(fake_wechat.sent("busyrep")) == outbox.PER_MINUTE + 3


async def test_long_text_is_trimmed_to_wechat_limits(factory, db, pool, fake_wechat):
    tenant, _ = await factory.tenant()
    await outbox.enqueue(db, tenant.tenant_id, "u3", TextMessage(content="长" * 2000), "long")
    await outbox.deliver_until_idle(pool, tenant_id=tenant.tenant_id)
    content = fake_wechat.sent("u3")[0]["text"]["content"]
    assert len(content.encode()) <= outbox.TEXT_LIMIT and content.endswith("…")


async def test_a_timeout_is_retried_not_lost(factory, db, pool, fake_wechat):
    tenant, _ = await factory.tenant()
    await outbox.enqueue(db, tenant.tenant_id, "slow", TextMessage(content="稍后送达"), "to-1")
    fake_wechat.fail_next("send", "timeout")
    counts = await outbox.deliver_due(pool, tenant_id=tenant.tenant_id)
    assert counts["retry"] == 1
    row = (await _rows(db, tenant.tenant_id))[0]
    assert "timed out" in row["last_error"]
    clock.set_now(row["next_attempt_at"] + dt.timedelta(seconds=1))
    await outbox.deliver_until_idle(pool, tenant_id=tenant.tenant_id)
    assert [m["text"]["content"] for m in fake_wechat.sent("slow")] == ["稍后送达"]


async def test_slow_wechat_and_three_delivery_loops_send_each_message_once(factory, db, pool, fake_wechat, monkeypatch):
    """Issue 11 #3: sends slower than the lease let a second loop re-claim rows still being sent.

    The batch lease is cut to 1 s and each send takes 0.25 s, so one loop's batch of 12 outlives
    its lease; the other two loops re-claim what it has not reached. Each message must still be
    accepted by WeChat exactly once, and every row end up sent.
    """
    tenant, _ = await factory.tenant()
    monkeypatch.setattr(outbox, "LEASE", dt.timedelta(seconds=1))
    fake_wechat.send_delay = 0.25
    for i in range(12):
        await outbox.enqueue(db, tenant.tenant_id, f"rep{i % 4}", TextMessage(content=f"消息 {i}"), f"slow-{i}")

    async def loop() -> None:
        for _ in range(200):
            await outbox.deliver_due(pool, tenant_id=tenant.tenant_id)
            left = await pool.fetchval(
                "SELECT count(*) FROM outbox WHERE tenant_id = $1 AND status <> 'sent'", tenant.tenant_id)
            if left == 0:
                return
            await asyncio.sleep(0.05)

    await asyncio.gather(loop(), loop(), loop())
    contents = [m["text"]["content"] for m in fake_wechat.sent()]
    mine = [c for c in contents if c.startswith("消息 ")]
    assert sorted(mine) == sorted(f"消息 {i}" for i in range(12)), "every message once, none twice"
    assert {r["status"] for r in await _rows(db, tenant.tenant_id)} == {"sent"}


async def test_a_payload_to_render_is_rendered_when_sent_and_never_sent_raw(factory, db, pool, fake_wechat):
    """A payload ``{"render": KIND, …}`` is made into its message by the renderer its area
    registered, at send time; a kind nobody registered is retried later, never sent as it is."""
    tenant, _ = await factory.tenant()

    async def greet(conn, tenant_id, key, payload):
        name = await conn.fetchval("SELECT name FROM tenants WHERE tenant_id = $1", tenant_id)
        return outbox.to_wecom(TextMessage(content=f"{payload['hello']}，{name}（{key}）"))

    outbox.register_renderer("test_greet", greet)
    try:
        await outbox.enqueue(db, tenant.tenant_id, "render-a", {"render": "test_greet", "hello": "早上好"}, "greet-1")
        await outbox.enqueue(db, tenant.tenant_id, "render-b", {"render": "no_such_kind"}, "greet-2")
        counts = await outbox.deliver_due(pool, tenant_id=tenant.tenant_id)
    finally:
        outbox.RENDERERS.pop("test_greet", None)
    assert (counts["sent"], counts["retry"]) == (1, 1)
    sent = fake_wechat.sent("render-a")
    assert len(sent) == 1 and sent[0]["text"]["content"] == f"早上好，{tenant.name}（greet-1）"
    assert fake_wechat.sent("render-b") == []
    row = [r for r in await _rows(db, tenant.tenant_id) if r["idempotency_key"] == "greet-2"][0]
    assert row["status"] == "pending" and "no_such_kind" in row["last_error"]

"""``tuoke aibot run`` against a local fake of the long-connection server: the done-when scenario
through the official SDK, two processes on one bot acting once per message, and reconnects."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backend.services.kb.ingest import ingest_documents
from tests.fakes.aibot_client import AibotClient, aibot_chat
from tests.fakes.aibot_ws_server import FakeAibotWs
from tests.integration.test_aibot_done_when import DOCS

REPO = Path(__file__).resolve().parents[2]


async def _until(check, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = await check() if asyncio.iscoroutinefunction(check) else check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


@pytest.fixture
def fake_ws():
    fake = FakeAibotWs().start()
    yield fake
    fake.stop()


def _start(slug: str, url: str, log: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = open(log, "w")
    return subprocess.Popen([sys.executable, "-c", "from backend.cli import main; main()", "aibot", "run",
                             "--tenant", slug, "--ws-url", url], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)


async def test_long_connection_done_when_two_processes_and_reconnect(client, factory, db, pool, fake_ws, tmp_path):
    tenant, rep, ac = await aibot_chat(client, factory)
    async with pool.acquire() as conn:
        await ingest_documents(conn, tenant.tenant_id, DOCS)
    u = rep.wecom_userid
    procs = [_start(tenant.slug, fake_ws.url, tmp_path / f"aibot{i}.log") for i in range(2)]
    try:
        await _until(lambda: fake_ws.live() == 2, 90, "two authenticated connections")

        async def ask(body: dict, *, event: bool = False, final: bool = True) -> dict:
            req = fake_ws.push(body, event=event)

            def done():
                frames = fake_ws.replies(req)
                for f in frames:
                    b = f.get("body") or {}
                    if not final or "response_type" in b or b.get("msgtype") != "stream" or b["stream"]["finish"]:
                        return f
                return None

            return await _until(done, 90, f"a reply to {req}")

        deals = "SELECT count(*) FROM deals WHERE tenant_id = $1"
        # 1. Voice lead: both processes get the frame; the lead is written once.
        async def settle(r: dict) -> dict:
            """Where the bot asks first (a write with an amount may be confirmed), tap the first button."""
            for _ in range(3):
                if r["body"].get("msgtype") != "template_card" and "response_type" not in r["body"]:
                    return r
                card = r["body"]["template_card"]
                if card["button_list"][0]["key"].endswith(":done"):
                    return r
                r = await ask(ac.tap_msg(u, card["task_id"], card["button_list"][0]["key"]), event=True)
            return r

        def said(r: dict) -> str:
            b = r["body"]
            return b["stream"]["content"] if "stream" in b else b.get("template_card", {}).get("sub_title_text", "")

        r = await settle(await ask(AibotClient.voice_msg(ac, u, "新客户 佛山顺和陶瓷 刘总 一三八零零一三八零零零 预算三十二万")))
        assert r["cmd"] in ("aibot_respond_msg", "aibot_respond_update_msg") and "顺和" in said(r)
        await asyncio.sleep(0.5)
        assert await db.fetchval(deals, tenant.tenant_id) == 1
        assert await db.fetchval("SELECT amount FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 320000
        # 2. Move; 3. undo.
        r = await settle(await ask(ac.text_msg(u, "顺和那单进入方案阶段")))
        assert "方案" in said(r)
        r = await ask(ac.text_msg(u, "撤销"))
        assert await db.fetchval("SELECT stage FROM deals WHERE tenant_id = $1", tenant.tenant_id) == "lead"
        # 4. A selling-point question: "looking it up" first, the answer on the same req_id.
        r = await ask(ac.text_msg(u, "查一下储能柜的卖点"))
        assert "液冷" in r["body"]["stream"]["content"] and r["body"]["stream"]["finish"] is True
        # The network drops: the SDK reconnects with backoff and the next message is answered.
        auths = fake_ws.auths
        fake_ws.drop_all()
        await _until(lambda: fake_ws.auths >= auths + 2 and fake_ws.live() == 2, 60, "reconnects")
        # 5. A win confirmed by tapping the card's buttons (event frames; the card is updated).
        await factory.deal(rep, "顺和物流有限公司", stage="negotiation")
        r = await ask(ac.text_msg(u, "顺和签了 32万"))
        assert r["body"]["msgtype"] == "template_card"
        card = r["body"]["template_card"]
        for _ in range(3):
            key = card["button_list"][0]["key"]
            r = await ask(ac.tap_msg(u, card["task_id"], key), event=True)
            assert r["cmd"] == "aibot_respond_update_msg"
            card = r["body"]["template_card"]
            if card["button_list"][0]["key"].endswith(":done"):
                break
        assert "签约" in card["sub_title_text"]
        won = "SELECT count(*) FROM deals WHERE tenant_id = $1 AND stage = 'won'"
        assert await db.fetchval(won, tenant.tenant_id) == 1
        # enter_chat: a welcome on its own command.
        r = await ask(ac.event_msg(u, "enter_chat"), event=True)
        assert r["cmd"] == "aibot_respond_welcome_msg" and rep.name in r["body"]["text"]["content"]
        assert all(p.poll() is None for p in procs), "a runner died"
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        for i in range(2):
            print((tmp_path / f"aibot{i}.log").read_text()[-3000:])

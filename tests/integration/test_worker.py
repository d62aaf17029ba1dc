"""Two `tuoke worker` processes at once: every outbox row reaches WeChat exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from backend.services import outbox
from schemas.outbox import TextMessage

TUOKE = str(Path(sys.executable).with_name("tuoke"))


async def test_two_workers_deliver_each_message_once(factory, db, database_url, fake_wechat):
    tenant, _ = await factory.tenant()
    for i in range(30):
        await outbox.enqueue(db, tenant.tenant_id, f"w{i % 3}", TextMessage(content=f"worker msg {i}"), f"wk-{i}")
    env = dict(os.environ, DATABASE_URL=database_url)
    workers = [subprocess.Popen([TUOKE, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            left = await db.fetchval("SELECT count(*) FROM outbox WHERE tenant_id = $1 AND status <> 'sent'", tenant.tenant_id)
            if left == 0:
                break
            time.sleep(0.3)
        assert left == 0, "the workers did not deliver everything within a minute"
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=20)
    # The workers deliver every tenant's pending rows (cards of earlier tests too): keep this test's texts.
    texts = [m["text"]["content"] for m in fake_wechat.sent() if "text" in m]
    mine = [t for t in texts if t.startswith("worker msg")]
    assert sorted(mine) == sorted(f"worker msg {i}" for i in range(30))

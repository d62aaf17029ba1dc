"""Running as a company's IT would: several app processes, a reverse proxy in front, JSON logs with
request ids, and workers that stop gracefully on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from backend.services import outbox
from schemas.outbox import TextMessage

TUOKE = str(Path(sys.executable).with_name("tuoke"))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": database_url, "TUOKE_DATA_DIR": str(tmp_path), "TUOKE_WARM_MODELS": "0", **extra})
    env.pop("TUOKE_TRUSTED_PROXIES", None)
    env.update(extra)
    return env


def _wait_up(base: str, proc: subprocess.Popen) -> None:
    deadline = time.time() + 60
    while True:
        try:
            httpx.get(f"{base}/health", timeout=2)
            return
        except httpx.HTTPError:
            if time.time() > deadline or proc.poll() is not None:
                raise AssertionError("tuoke serve did not come up: " + (proc.stdout.read() if proc.stdout else ""))
            time.sleep(0.2)


def test_serve_workers_behind_a_proxy_with_json_logs(database_url, tmp_path, admin_headers):
    port = _port()
    proc = subprocess.Popen(
        [TUOKE, "serve", "--port", str(port), "--workers", "2", "--no-worker", "--proxy-headers",
         "--forwarded-allow-ips", "127.0.0.1"],
        env=_env(database_url, tmp_path, TUOKE_LOG_FORMAT="json", TUOKE_ADMIN_TOKEN=admin_headers["Authorization"][7:]),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_up(base, proc)
        # Two app processes forked from the factory, under one supervisor.
        def app_processes() -> list[psutil.Process]:
            return [p for p in psutil.Process(proc.pid).children()
                    if "resource_tracker" not in " ".join(p.cmdline())]

        deadline = time.time() + 30
        while len(app_processes()) < 2 and time.time() < deadline:
            time.sleep(0.2)
        assert len(app_processes()) == 2
        r = httpx.get(f"{base}/health", headers={"X-Forwarded-For": "198.51.100.9, 203.0.113.7",
                                                  "X-Request-ID": "req-health-1"})
        assert r.status_code == 200 and r.headers["x-request-id"] == "req-health-1"
        r = httpx.get(f"{base}/admin/v1/tenants/no-such-tenant", headers={**admin_headers, "X-Request-ID": "req-admin-1"})
        assert r.status_code == 404 and r.headers["x-request-id"] == "req-admin-1"
        generated = httpx.get(f"{base}/health").headers["x-request-id"]
        assert len(generated) == 16
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=40)
    assert proc.returncode == 0, out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert lines and len(lines) == len([x for x in out.splitlines() if x.strip()]), out  # every line is JSON
    health = [x for x in lines if x.get("request_id") == "req-health-1" and x["logger"] == "tuoke.access"]
    assert health and health[0]["client"] == "203.0.113.7" and health[0]["status"] == 200
    admin = [x for x in lines if x.get("request_id") == "req-admin-1" and x["logger"] == "tuoke.access"]
    assert admin and admin[0]["tenant"] == "no-such-tenant" and admin[0]["status"] == 404
    assert len({x["pid"] for x in lines if x["logger"] == "tuoke.access"}) >= 1


def test_without_trusted_proxies_forwarded_for_is_ignored(database_url, tmp_path):
    port = _port()
    proc = subprocess.Popen(
        [TUOKE, "serve", "--port", str(port), "--no-worker"],
        env=_env(database_url, tmp_path, TUOKE_LOG_FORMAT="json"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_up(base, proc)
        httpx.get(f"{base}/health", headers={"X-Forwarded-For": "203.0.113.7", "X-Request-ID": "req-direct-1"})
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=40)
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    hit = [x for x in lines if x.get("request_id") == "req-direct-1" and x["logger"] == "tuoke.access"]
    assert hit and hit[0]["client"] == "127.0.0.1"


def test_worker_stops_on_sigterm(database_url, tmp_path):
    proc = subprocess.Popen([TUOKE, "worker"], env=_env(database_url, tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = proc.stdout.readline()
        while "worker running" not in first:
            assert proc.poll() is None, first
            first = proc.stdout.readline()
        time.sleep(1)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=40)
    assert proc.returncode == 0, out
    assert "worker stopped" in out and "Traceback" not in out


async def test_a_stopped_delivery_pass_gives_back_what_it_had_not_started(factory, db, pool, fake_wechat):
    tenant, _ = await factory.tenant()
    for i in range(3):
        await outbox.enqueue(db, tenant.tenant_id, f"rep{i}", TextMessage(content=f"第{i}条"), f"stop-{i}")
    fake_wechat.fail_next("send", "timeout")  # the first send hangs: the pass is stopped meanwhile
    task = asyncio.create_task(outbox.deliver_due(pool, tenant_id=tenant.tenant_id))
    deadline = time.monotonic() + 10
    while not any(r.path == "/cgi-bin/message/send" for r in list(fake_wechat.received)) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    rows = await db.fetch("SELECT status, attempts FROM outbox WHERE tenant_id = $1 ORDER BY outbox_id",
                          tenant.tenant_id)
    statuses = sorted(r["status"] for r in rows)
    assert statuses == ["pending", "pending", "sending"]  # the one on the wire keeps its lease
    assert sorted(r["attempts"] for r in rows if r["status"] == "pending") == [0, 0]


def test_db_stop_stops_the_embedded_server(tmp_path):
    """What scripts/run does when the service ends: the embedded PostgreSQL it started stops."""
    env = dict(os.environ, TUOKE_DATA_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    started = subprocess.run([TUOKE, "migrate"], env=env, capture_output=True, text=True, timeout=180)
    assert started.returncode == 0, started.stderr
    pid_file = tmp_path / "pgdata" / "postmaster.pid"
    assert pid_file.exists()
    pid = int(pid_file.read_text().split()[0])
    assert psutil.pid_exists(pid)
    stopped = subprocess.run([TUOKE, "db", "stop"], env=env, capture_output=True, text=True, timeout=60)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout, stopped.stderr
    def running(pid: int) -> bool:  # a stopped server may linger as a zombie until its parent reaps it
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    deadline = time.time() + 10
    while running(pid) and time.time() < deadline:
        time.sleep(0.1)
    assert not pid_file.exists() and not running(pid)
    again = subprocess.run([TUOKE, "db", "stop"], env=env, capture_output=True, text=True, timeout=60)
    assert "was not running" in again.stdout

"""The real entry points: the `tuoke` CLI and `tuoke serve` as a separate process."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

TUOKE = str(Path(sys.executable).with_name("tuoke"))


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": database_url, **extra})
    return env


def _tuoke(database_url: str, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([TUOKE, *args], env=_env(database_url, **extra), capture_output=True, text=True, timeout=120)


def test_tenant_and_user_commands(database_url):
    slug = "cli-" + secrets.token_hex(3)
    r = _tuoke(database_url, "tenant", "create", slug, "--name", "命令行公司", "--corp-id", "ww1", "--agent-id", "1000002")
    assert r.returncode == 0, r.stderr
    created = json.loads(r.stdout)
    assert created["tenant"]["slug"] == slug and created["tenant"]["wecom"]["corp_id"] == "ww1"
    r = _tuoke(database_url, "user", "create", "--tenant", slug, "--name", "王磊", "--team", "华东", "--wecom-userid", "wl")
    assert r.returncode == 0, r.stderr
    user_id = json.loads(r.stdout)["user_id"]
    r = _tuoke(database_url, "user", "update", "--tenant", slug, str(user_id), "--set", "role=manager")
    assert r.returncode == 0 and json.loads(r.stdout)["role"] == "manager"
    r = _tuoke(database_url, "user", "list", "--tenant", slug)
    assert "王磊\tmanager\t华东\twl" in r.stdout
    r = _tuoke(database_url, "tenant", "update", slug, "--set", "digest_time=09:15")
    assert r.returncode == 0 and json.loads(r.stdout)["digest_time"] == "09:15"
    # Bad input: a clear error and exit code 2, nothing written.
    r = _tuoke(database_url, "tenant", "create", "Bad Slug", "--name", "x")
    assert r.returncode == 2 and "slug" in r.stderr
    r = _tuoke(database_url, "user", "create", "--tenant", "no-such-tenant", "--name", "x")
    assert r.returncode == 2 and "no tenant" in r.stderr
    r = _tuoke(database_url, "migrate")
    assert r.returncode == 0 and "up to date" in r.stdout


def test_serve_with_demo_data(database_url, tmp_path):
    """`tuoke demo` then `tuoke serve`: /health is up and the admin API lists the demo deals."""
    token = "serve-test-" + secrets.token_hex(4)
    extra = {"TUOKE_ADMIN_TOKEN": token, "TUOKE_DATA_DIR": str(tmp_path)}
    r = _tuoke(database_url, "demo", **extra)
    assert r.returncode == 0, r.stderr
    assert "demo tenant 'demo'" in r.stdout and token in r.stdout
    again = _tuoke(database_url, "demo", **extra)
    assert "already there" in again.stdout
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [TUOKE, "serve", "--port", str(port)], env=_env(database_url, **extra),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.HTTPError:
                if time.time() > deadline or proc.poll() is not None:
                    raise AssertionError("tuoke serve did not come up")
                time.sleep(0.2)
        assert health.json()["database"] == "up"
        headers = {"Authorization": f"Bearer {token}"}
        r = httpx.get(f"{base}/admin/v1/tenants/demo/deals", headers=headers, params={"limit": 500})
        assert r.headers["x-total-count"] == "30" and len(r.json()) == 30
        stages = {d["stage"] for d in r.json()}
        assert stages == {"lead", "qualified", "initiated", "solution", "bidding", "negotiation", "won", "paid", "lost"}
        r = httpx.post(f"{base}/admin/v1/tenants", headers=headers, json={"slug": "acme-" + secrets.token_hex(2), "name": "Acme"})
        assert r.status_code == 201
        slug = r.json()["tenant"]["slug"]
        r = httpx.post(f"{base}/admin/v1/tenants/{slug}/users", headers=headers, json={"name": "Ann", "role": "manager"})
        assert r.status_code == 201
    finally:
        proc.terminate()
        proc.wait(timeout=20)

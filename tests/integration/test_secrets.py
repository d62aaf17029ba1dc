"""Secrets are write-only (issue 11 #6): answers and `tuoke tenant show` mask them, a masked value
sent back keeps the stored one, and no log line of a run carries any of them."""

from __future__ import annotations

import logging
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

from backend.services import outbox
from schemas.outbox import TextMessage
from tests.integration.miniapp_support import sign_in

TUOKE = str(Path(sys.executable).with_name("tuoke"))


def _secret(n: int = 24) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


def _config() -> dict:
    return {
        "wecom": {"corp_id": "ww" + secrets.token_hex(6), "agent_id": 1000002, "token": _secret(),
                  "encoding_aes_key": _secret(43), "secret": _secret(40)},
        "miniapp": {"appid": "wx" + secrets.token_hex(6), "secret": _secret(32)},
        "mp": {"appid": "wx" + secrets.token_hex(6), "token": _secret(), "encoding_aes_key": _secret(43),
               "secret": _secret(32)},
    }


def _secrets_of(config: dict) -> list[str]:
    return [v for block in config.values() for k, v in block.items() if k in ("token", "encoding_aes_key", "secret")]


def _leaks(text: str, values: list[str]) -> list[str]:
    return [v for v in values if v in text]


async def test_answers_mask_secrets_and_a_masked_echo_keeps_them(client, admin_headers, pool):
    config = _config()
    values = _secrets_of(config)
    slug = "sec-" + secrets.token_hex(3)
    r = await client.post("/admin/v1/tenants", headers=admin_headers, json={"slug": slug, "name": "密钥", **config})
    assert r.status_code == 201 and not _leaks(r.text, values)
    tenant_token = r.json()["api_token"]
    assert r.json()["tenant"]["wecom"]["secret"] == "****" + config["wecom"]["secret"][-4:]
    for headers in (admin_headers, {"Authorization": f"Bearer {tenant_token}"}):
        for path in (f"/admin/v1/tenants/{slug}", "/admin/v1/tenants"):
            r = await client.get(path, headers=headers)
            assert r.status_code == 200 and not _leaks(r.text, values), path
    # A GET edited and sent back (masked secrets and all) changes what was edited, nothing else.
    shown = (await client.get(f"/admin/v1/tenants/{slug}", headers=admin_headers)).json()
    shown["wecom"]["corp_id"] = "wwchanged"
    r = await client.patch(f"/admin/v1/tenants/{slug}", headers=admin_headers,
                           json={"wecom": shown["wecom"], "mp": shown["mp"], "miniapp": shown["miniapp"]})
    assert r.status_code == 200 and not _leaks(r.text, values)
    stored = await pool.fetchrow("SELECT wecom, miniapp, mp FROM tenants WHERE slug = $1", slug)
    assert stored["wecom"]["corp_id"] == "wwchanged"
    assert stored["wecom"]["secret"] == config["wecom"]["secret"]
    assert stored["mp"]["encoding_aes_key"] == config["mp"]["encoding_aes_key"]
    assert stored["miniapp"]["secret"] == config["miniapp"]["secret"]


async def test_no_secret_in_any_log_line_of_a_run(client, admin_headers, pool, caplog, database_url, fake_wechat):
    caplog.set_level(logging.INFO)
    config = _config()
    values = _secrets_of(config)
    slug = "log-" + secrets.token_hex(3)
    r = await client.post("/admin/v1/tenants", headers=admin_headers, json={"slug": slug, "name": "日志", **config})
    assert r.status_code == 201
    tenant_id = r.json()["tenant"]["tenant_id"]
    await sign_in(client, slug)  # jscode2session carries the mini-program secret
    async with pool.acquire() as conn:  # gettoken carries the corp secret, message/send the access token
        await outbox.enqueue(conn, tenant_id, "someone", TextMessage(content="hi"), "secret-log-test")
    fake_wechat.fail_next("send", "token_expired")
    await outbox.deliver_until_idle(pool, tenant_id=tenant_id)
    tokens = [rec.query.get("access_token") for rec in fake_wechat.received if rec.query.get("access_token")]
    assert tokens, "the run fetched and used an access token"
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert not _leaks(logged, values + tokens)
    # `tuoke tenant show` masks them too, and logs none.
    env = dict(os.environ, DATABASE_URL=database_url)
    shown = subprocess.run([TUOKE, "tenant", "show", slug], env=env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and "****" in shown.stdout
    assert not _leaks(shown.stdout + shown.stderr, values)


def test_http_client_logs_are_masked_even_when_turned_up(caplog):
    from backend import logs

    logs.install()
    caplog.set_level(logging.DEBUG, logger="httpx")
    logging.getLogger("httpx").info(
        'HTTP Request: GET %s "HTTP/1.1 200 OK"', "https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=S3cr3tValue")
    assert "S3cr3tValue" not in caplog.text and "corpsecret=***" in caplog.text

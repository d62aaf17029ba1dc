"""A bounded schemathesis run against the live app: every operation of the OpenAPI document,
generated valid and invalid input, with an admin token and a bound rep's mini-program session.
0 server errors and 0 answers that break the document (status, content type, body schema).

Bounded to stay within about two minutes on a shared 2-core machine: ``MAX_EXAMPLES`` per
operation and generation mode (valid, then invalid input; ``TUOKE_SCHEMATHESIS_EXAMPLES`` to go
deeper by hand).
"""

from __future__ import annotations

import asyncio
import os
import secrets

import httpx
import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import ADMIN_TOKEN

MAX_EXAMPLES = int(os.environ.get("TUOKE_SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _bind(database_url: str, slug: str, wecom_userid: str) -> str:
    """A bind code for the tenant's user (what the bot would send them)."""
    from backend.db.pool import connect
    from backend.services import binding, tenants

    async def go() -> str:
        conn = await connect(database_url)
        try:
            tenant = await tenants.tenant_by_slug(conn, slug)
            user_id = await conn.fetchval("SELECT user_id FROM users WHERE tenant_id = $1 AND wecom_userid = $2",
                                          tenant.tenant_id, wecom_userid)
            actor = await tenants.actor_for_user(conn, tenant.tenant_id, user_id)
            code, _ = await binding.issue_code(conn, actor)
            return code
        finally:
            await conn.close()

    return asyncio.run(go())


@pytest.fixture(scope="module")
def world(app_url: str, database_url: str) -> dict:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    slug = "st-" + secrets.token_hex(3)
    with httpx.Client(base_url=app_url, timeout=30) as http:
        r = http.post("/admin/v1/tenants", headers=admin, json={
            "slug": slug, "name": "Schemathesis",
            "wecom": {"corp_id": "wwst" + secrets.token_hex(4), "agent_id": 1000002, "token": "sttoken",
                      "encoding_aes_key": "a" * 43, "secret": "st-secret"},
            "miniapp": {"appid": "wxst" + secrets.token_hex(4), "secret": "st-mini"}})
        assert r.status_code == 201, r.text
        r = http.post(f"/admin/v1/tenants/{slug}/users", headers=admin,
                      json={"name": "测试管理员", "role": "admin", "wecom_userid": "st-admin"})
        assert r.status_code == 201, r.text
        r = http.post("/miniapp/v1/session", json={"tenant": slug, "code": "st-admin#1"})
        token = r.json()["token"]
        session = {"Authorization": f"Bearer {token}"}
        r = http.post("/miniapp/v1/me/bind", headers=session, json={"code": _bind(database_url, slug, "st-admin")})
        assert r.status_code == 200, r.text
        card = http.get("/miniapp/v1/me/card", headers=session).json()["code"]
    return {"slug": slug, "card": card, "admin": admin, "session": session}


def _prepare(case, world) -> dict:
    for name in ("slug", "tenant"):
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = world["slug"]
    if case.path_parameters and "code" in case.path_parameters and case.path.startswith(("/c/", "/miniapp/v1/cards")):
        case.path_parameters["code"] = world["card"]
    headers = dict(case.headers or {})
    if "authorization" not in {k.lower() for k in headers}:
        headers.update(world["session"] if case.path.startswith("/miniapp/") else world["admin"])
    if case.method.upper() == "DELETE" and case.path == "/miniapp/v1/session":
        headers = {}  # keep the session the other operations use: signing out is tested elsewhere
    return headers


def test_every_operation_answers_as_documented(app_url, world):
    api = schemathesis.openapi.from_url(f"{app_url}/schema/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in api.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):  # valid input, then invalid

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                      derandomize=True, database=None, phases=[Phase.explicit, Phase.generate])
            def run(case) -> None:
                case.call_and_validate(headers=_prepare(case, world), checks=CHECKS)

            try:
                run()
            except Unsatisfiable:  # nothing in the operation can be made invalid (no body, free-text path)
                pass
            except (Exception, BaseExceptionGroup) as exc:  # collect, report every operation's at the end
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {str(exc)[:700]}")
    assert operations > 50
    assert not failures, "\n".join(failures[:20])

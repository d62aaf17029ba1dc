"""The admin API over HTTP: shapes, validation errors, tenant isolation on every route."""

from __future__ import annotations

import secrets

import pytest

AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def _slug() -> str:
    return "co-" + secrets.token_hex(4)


async def _tenant(client, admin_headers, **extra):
    body = {
        "slug": _slug(),
        "name": "华储能源",
        "wecom": {"corp_id": "ww123", "agent_id": 1000002, "token": "tok", "encoding_aes_key": AES, "secret": "s"},
        "miniapp": {"appid": "wxabc", "secret": "ms"},
        **extra,
    }
    r = await client.post("/admin/v1/tenants", json=body, headers=admin_headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_health_says_database_is_up(client):
    r = await client.get("/health")
    assert r.status_code == 200
    assert r.json()["database"] == "up"


async def test_openapi_schema_is_served(client):
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    assert "/admin/v1/tenants" in r.json()["paths"]


async def test_create_tenant_with_config_and_default_pipeline(client, admin_headers):
    created = await _tenant(client, admin_headers, timezone="Asia/Hong_Kong")
    tenant = created["tenant"]
    assert tenant["wecom"]["corp_id"] == "ww123"
    assert tenant["miniapp"]["appid"] == "wxabc"
    assert tenant["timezone"] == "Asia/Hong_Kong"
    assert tenant["digest_time"] == "08:30" and tenant["quiet_start"] == "21:00"
    assert created["api_token"].startswith("tk_")
    r = await client.get(f"/admin/v1/tenants/{tenant['slug']}/stages", headers=admin_headers)
    stages = {s["key"]: s for s in r.json()}
    assert list(stages) == ["lead", "qualified", "initiated", "solution", "bidding", "negotiation", "won", "paid", "lost"]
    assert stages["bidding"]["sla_days"] == 21 and stages["negotiation"]["probability"] == 0.75
    assert stages["paid"]["sla_days"] is None


async def test_agent_id_as_digits_is_taken_as_a_number(client, admin_headers):
    created = await _tenant(client, admin_headers, wecom={"corp_id": "ww9", "agent_id": "1000005"})
    assert created["tenant"]["wecom"]["agent_id"] == 1000005


async def test_duplicate_slug_is_a_conflict(client, admin_headers):
    created = await _tenant(client, admin_headers)
    r = await client.post("/admin/v1/tenants", json={"slug": created["tenant"]["slug"], "name": "x"}, headers=admin_headers)
    assert r.status_code == 409
    assert r.json()["field"] == "slug"


async def test_users_and_teams(client, admin_headers):
    slug = (await _tenant(client, admin_headers))["tenant"]["slug"]
    r = await client.post(f"/admin/v1/tenants/{slug}/users", headers=admin_headers,
                          json={"name": "李经理", "role": "manager", "team": "华南", "wecom_userid": "li"})
    assert r.status_code == 201, r.text
    manager = r.json()
    assert manager["team"] == "华南" and manager["role"] == "manager"
    r = await client.post(f"/admin/v1/tenants/{slug}/users", headers=admin_headers,
                          json={"name": "王五", "team": "华南", "wecom_userid": "wang"})
    assert r.json()["role"] == "rep" and r.json()["team_id"] == manager["team_id"]
    r = await client.post(f"/admin/v1/tenants/{slug}/users", headers=admin_headers,
                          json={"name": "重复", "wecom_userid": "wang"})
    assert r.status_code == 409
    r = await client.patch(f"/admin/v1/tenants/{slug}/users/{manager['user_id']}", headers=admin_headers,
                           json={"role": "admin"})
    assert r.status_code == 200 and r.json()["role"] == "admin"
    teams = (await client.get(f"/admin/v1/tenants/{slug}/teams", headers=admin_headers)).json()
    assert [t["name"] for t in teams] == ["华南"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "no slug"}, "slug"),
        ({"slug": "ok-slug", "name": 12}, "name"),
        ({"slug": "ok-slug", "name": "x" * 101}, "name"),
        ({"slug": "Bad Slug!", "name": "x"}, "slug"),
        ({"slug": "ok-slug", "name": "x", "wecom": {"agent_id": "abc"}}, "wecom.agent_id"),
        ({"slug": "ok-slug", "name": "x", "unknown_field": 1}, "unknown_field"),
    ],
)
async def test_validation_errors_name_the_field(client, admin_headers, body, field):
    r = await client.post("/admin/v1/tenants", json=body, headers=admin_headers)
    assert r.status_code == 400, r.text
    data = r.json()
    assert data["error"] == "invalid"
    assert field in (data.get("field", "") + data["detail"])


async def test_bad_timezone_and_malformed_json(client, admin_headers):
    r = await client.post("/admin/v1/tenants", json={"slug": _slug(), "name": "x", "timezone": "Mars/Base"}, headers=admin_headers)
    assert r.status_code == 400 and r.json()["field"] == "timezone"
    r = await client.post("/admin/v1/tenants", content=b"{not json", headers=admin_headers | {"content-type": "application/json"})
    assert r.status_code == 400


async def test_missing_or_wrong_token_is_401(client):
    assert (await client.get("/admin/v1/tenants")).status_code == 401
    r = await client.get("/admin/v1/tenants", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"


async def test_tenant_token_sees_nothing_of_another_tenant(client, admin_headers):
    a = await _tenant(client, admin_headers)
    b = await _tenant(client, admin_headers)
    slug_b = b["tenant"]["slug"]
    r = await client.post(f"/admin/v1/tenants/{slug_b}/users", headers=admin_headers, json={"name": "B rep", "wecom_userid": "b1"})
    b_user = r.json()["user_id"]
    token_a = {"Authorization": f"Bearer {a['api_token']}"}
    # Its own tenant works.
    assert (await client.get(f"/admin/v1/tenants/{a['tenant']['slug']}/users", headers=token_a)).status_code == 200
    listed = (await client.get("/admin/v1/tenants", headers=token_a)).json()
    assert [t["slug"] for t in listed] == [a["tenant"]["slug"]]
    # Every route of tenant B answers 404, and nothing changes.
    attempts = [
        ("GET", f"/admin/v1/tenants/{slug_b}", None),
        ("PATCH", f"/admin/v1/tenants/{slug_b}", {"name": "hijacked"}),
        ("POST", f"/admin/v1/tenants/{slug_b}/tokens", None),
        ("GET", f"/admin/v1/tenants/{slug_b}/teams", None),
        ("POST", f"/admin/v1/tenants/{slug_b}/teams", {"name": "evil"}),
        ("GET", f"/admin/v1/tenants/{slug_b}/users", None),
        ("POST", f"/admin/v1/tenants/{slug_b}/users", {"name": "evil"}),
        ("GET", f"/admin/v1/tenants/{slug_b}/users/{b_user}", None),
        ("PATCH", f"/admin/v1/tenants/{slug_b}/users/{b_user}", {"role": "admin"}),
        ("GET", f"/admin/v1/tenants/{slug_b}/stages", None),
        ("POST", f"/admin/v1/tenants/{slug_b}/stages", {"key": "evil", "name_zh": "坏"}),
        ("PATCH", f"/admin/v1/tenants/{slug_b}/stages/lead", {"sla_days": 99}),
        ("GET", f"/admin/v1/tenants/{slug_b}/deals", None),
        ("GET", f"/admin/v1/tenants/{slug_b}/deals/1", None),
        ("GET", f"/admin/v1/tenants/{slug_b}/activities", None),
    ]
    for method, path, body in attempts:
        r = await client.request(method, path, json=body, headers=token_a)
        assert r.status_code == 404, (method, path, r.status_code, r.text)
    # Only the global token creates tenants.
    r = await client.post("/admin/v1/tenants", json={"slug": _slug(), "name": "x"}, headers=token_a)
    assert r.status_code == 403
    tenant_b = (await client.get(f"/admin/v1/tenants/{slug_b}", headers=admin_headers)).json()
    assert tenant_b["name"] == "华储能源"
    users_b = (await client.get(f"/admin/v1/tenants/{slug_b}/users", headers=admin_headers)).json()
    assert [u["name"] for u in users_b] == ["B rep"] and users_b[0]["role"] == "rep"
    stages_b = {s["key"]: s for s in (await client.get(f"/admin/v1/tenants/{slug_b}/stages", headers=admin_headers)).json()}
    assert "evil" not in stages_b and stages_b["lead"]["sla_days"] == 3


async def test_deal_listing_shape(client, admin_headers, factory):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id, "赵六")
    await factory.deal(rep, "东莞安达电子厂", contact_name="黄志强", phone="13926874512", amount=800000, product="储能")
    r = await client.get(f"/admin/v1/tenants/{tenant.slug}/deals", headers=admin_headers)
    assert r.status_code == 200
    assert r.headers["x-total-count"] == "1"
    deal = r.json()[0]
    for key in ("id", "deal_id", "title", "company", "contact_name", "phone", "email", "stage", "amount", "owner_id",
                "source", "stage_entered_at", "last_activity_at"):
        assert key in deal
    assert deal["company"] == "东莞安达电子厂" and deal["stage"] == "lead" and deal["amount"] == 800000
    assert deal["id"] == deal["deal_id"] and deal["contact_name"] == "黄志强" and deal["phone"] == "13926874512"
    r = await client.get(f"/admin/v1/tenants/{tenant.slug}/deals", params={"limit": 100000}, headers=admin_headers)
    assert r.status_code == 400

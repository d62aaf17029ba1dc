"""Every admin route of tenant B, called with tenant A's token: nothing read, nothing changed.

The routes are taken from the app itself, so a route added later is covered without editing this
test.
"""

from __future__ import annotations

import re

from backend.asgi import create_app

SAMPLE_BODIES = {
    "PATCH": {"name": "hijacked", "sla_days": 99, "role": "admin", "rules": {}},
    "POST": {"name": "evil", "key": "evil", "name_zh": "坏", "title": "x", "body": "x", "kind": "other"},
    "PUT": {"title": "evil", "body": "evil", "kind": "other"},
}


def _tenant_routes() -> list[tuple[str, str]]:
    out = []
    for route in create_app().routes:
        if route.path.startswith("/admin/v1/tenants/{slug"):
            for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
                out.append((method, route.path))
    return out


async def _snapshot(db, tenant_id: int) -> dict[str, str]:
    tables = [r["table_name"] for r in await db.fetch(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'"
        " ORDER BY table_name")]
    out = {}
    for table in tables:
        out[table] = await db.fetchval(
            f'SELECT md5(coalesce(string_agg(t::text, \',\' ORDER BY t::text), \'\')) FROM "{table}" t WHERE tenant_id = $1',
            tenant_id,
        )
    return out


async def test_every_admin_route_of_another_tenant_is_closed(client, db, factory):
    tenant_a, token_a = await factory.tenant()
    tenant_b, _ = await factory.tenant(name="乙方秘密公司")
    rep_b = await factory.user(tenant_b.tenant_id, "乙方销售")
    manager_b = await factory.user(tenant_b.tenant_id, "乙方经理", role="manager")
    deal_b = await factory.deal(rep_b, "乙方的客户")
    routes = _tenant_routes()
    assert len(routes) >= 20, "the admin API lost routes?"
    before = await _snapshot(db, tenant_b.tenant_id)
    headers = {"Authorization": f"Bearer {token_a}"}
    seen: list[int] = []
    params = {"q": "储能", "manager_id": str(manager_b.user_id), "deal_id": str(deal_b.deal_id)}
    for method, template in routes:
        path = template.replace("{slug:str}", tenant_b.slug)
        path = path.replace("{user_id:int}", str(rep_b.user_id)).replace("{deal_id:int}", str(deal_b.deal_id))
        path = re.sub(r"\{key:str\}", "lead", path)
        path = re.sub(r"\{doc_id:str\}", "doc1", path)
        r = await client.request(method, path, headers=headers, params=params, json=SAMPLE_BODIES.get(method))
        seen.append(r.status_code)
        assert r.status_code in (400, 404), (method, path, r.status_code, r.text[:200])
        assert "乙方" not in r.text, (method, path, "leaked tenant B's data")
    assert await _snapshot(db, tenant_b.tenant_id) == before, "tenant B's data changed"
    assert seen.count(404) >= len(seen) - 3, f"most routes must refuse with 404, not a validation error: {seen}"
    # The same token works on its own tenant.
    r = await client.get(f"/admin/v1/tenants/{tenant_a.slug}/deals", headers=headers)
    assert r.status_code == 200

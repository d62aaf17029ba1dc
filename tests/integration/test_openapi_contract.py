"""The OpenAPI document matches the service (issue 11 #9) and authentication is the routers'
default, not each handler's (issue 11 #10)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PUBLIC_OPS = {"health", "miniappOpenCard", "miniappSignIn", "h5Card", "h5Beacon", "h5Forward", "h5VCard",
              "h5Inquiry", "digestPage", "wecomVerifyUrl", "wecomCallback", "wechatMpVerifyUrl", "wechatMpCallback",
              "aibotVerifyUrl", "aibotCallback",  # callbacks: the signature is the authentication
              "h5JsSdk"}


async def _spec(client):
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    return r.json()


def _ops(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, op


async def test_errors_security_and_descriptions_are_documented(client):
    spec = await _spec(client)
    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"error", "detail", "field"}
    assert "status_code" not in str(spec) and "extra" not in error["properties"]
    assert spec["components"]["securitySchemes"]["bearer"] == {**spec["components"]["securitySchemes"]["bearer"],
                                                               "type": "http", "scheme": "bearer"}
    seen: set[str] = set()
    for path, method, op in _ops(spec):
        assert op.get("description"), (method, path, "no description")
        for code, response in op["responses"].items():
            if code.startswith(("4", "5")) and code != "503":
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", (method, path, code)
                seen.add(code)
        secured = bool(op.get("security"))
        assert secured == (op["operationId"] not in PUBLIC_OPS), (op["operationId"], secured)
        if secured:
            assert {"401", "403"} <= set(op["responses"]), (method, path)
    assert {"400", "401", "403", "404", "409", "429"} <= seen


async def test_swagger_ui_loads_nothing_from_elsewhere(client):
    r = await client.get("/schema/swagger")
    assert r.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", r.text)
    assert urls and not [u for u in urls if u.startswith(("http:", "https:", "//"))], urls
    for url in urls:
        asset = await client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 100, url


async def test_every_route_needs_a_token_unless_it_says_it_is_public(client, app_url):
    from backend.asgi import create_app
    from litestar.routes import HTTPRoute

    app = create_app()
    checked = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            guards = {g.__name__ for g in handler.resolve_guards()}
            if route.path.startswith("/admin/"):
                assert "require_admin" in guards, route.path
                checked += 1
            if route.path.startswith("/miniapp/"):
                assert "require_access" in guards, route.path
                checked += 1
    assert checked > 40
    # And over HTTP: every operation that documents a token refuses to work without one.
    spec = await _spec(client)
    for path, method, op in _ops(spec):
        if not op.get("security"):
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: "1" if "id" in m[1] else "x", path)
        r = await client.request(method.upper(), url, json={})
        assert r.status_code == 401, (method, url, r.status_code)


def test_routes_jobs_and_cli_groups_are_named_not_imported_by_string():
    for name in ("backend/core.py", "backend/cli.py", "backend/jobs/registry.py"):
        source = (REPO / name).read_text()
        assert "import_module(" not in source and "__import__(" not in source, name


async def test_allow_headers_list_the_documented_methods(client, admin_headers):
    spec = await _spec(client)
    checked = 0
    for path, item in spec["paths"].items():
        documented = sorted(m.upper() for m in item if m in ("get", "post", "put", "patch", "delete"))
        other = next(m for m in ("PUT", "DELETE", "PATCH", "POST") if m not in documented)
        url = re.sub(r"\{(\w+)\}", lambda m: "1" if "id" in m[1] else "x", path)
        r = await client.request(other, url, headers=admin_headers)
        if r.status_code == 405:
            assert sorted(m.strip() for m in r.headers["allow"].split(",")) == documented, (path, r.headers["allow"])
            checked += 1
    assert checked > 20

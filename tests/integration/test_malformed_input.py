"""Malformed input gets a 4xx with the usual error body, never a 500, and nothing is logged as a
crash (issue 11 #5): NUL characters in every string of every operation, ids above bigint, deeply
nested or oddly encoded XML before the signature check, broken and deeply nested JSON bodies."""

from __future__ import annotations

import logging
import re
import urllib.parse
from typing import Any

import pytest

from tests.integration.miniapp_support import bound_rep, card_of

NUL = "a\x00b"


def _resolve(spec: dict, schema: dict | None) -> dict:
    seen = 0
    while schema and "$ref" in schema and seen < 10:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
        seen += 1
    if schema and "oneOf" in schema:  # X | None: the non-null branch
        options = [o for o in schema["oneOf"] if o.get("type") != "null"]
        return _resolve(spec, options[0]) if options else {}
    return schema or {}


def _sample(spec: dict, schema: dict, nul: bool) -> Any:
    schema = _resolve(spec, schema)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        return {name: _sample(spec, sub, nul) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [_sample(spec, schema.get("items", {}), nul)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return NUL if nul else "x"


@pytest.fixture
async def world(client, pool, factory, admin_headers):
    tenant, _ = await factory.tenant()
    _, session = await bound_rep(client, pool, factory, tenant, role="admin", team="一组")
    card = await card_of(client, session)
    spec = (await client.get("/schema/openapi.json")).json()
    values = {"slug": tenant.slug, "tenant": tenant.slug, "code": card["code"], "key": "lead", "doc_id": "d1"}
    headers = {**admin_headers, "X-Session": session["token"]}
    return spec, values, session, headers


def _operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, op


def _headers_for(path: str, admin_headers: dict, session: dict) -> dict:
    return session["headers"] if path.startswith("/miniapp") else admin_headers


async def test_nul_characters_anywhere_are_a_400(client, world, admin_headers, caplog):
    spec, values, session, _ = world
    caplog.set_level(logging.INFO)
    answers = []
    for path, method, op in _operations(spec):
        params = [p for p in op.get("parameters", []) if p["in"] in ("path", "query")]
        path_params = {p["name"]: p for p in params if p["in"] == "path"}
        body_schema = (op.get("requestBody", {}).get("content", {}).get("application/json", {}) or {}).get("schema")
        probes = []
        for target in [p["name"] for p in params] + (["body"] if body_schema else []):
            url = path
            for name, p in path_params.items():
                is_int = _resolve(spec, p.get("schema")).get("type") == "integer"
                value = NUL if name == target else (1 if is_int else values.get(name, "x"))
                url = url.replace("{%s}" % name, urllib.parse.quote(str(value), safe=""))
            query = {p["name"]: NUL for p in params if p["in"] == "query" and p["name"] == target}
            body = _sample(spec, body_schema, nul=target == "body") if body_schema else None
            if target in path_params and _resolve(spec, path_params[target].get("schema")).get("type") == "integer":
                continue  # an int path parameter cannot hold text: routing answers 404 (tested below for range)
            probes.append((url, query, body))
        for url, query, body in probes:
            r = await client.request(method.upper(), url, params=query, json=body,
                                     headers=_headers_for(path, admin_headers, session))
            answers.append((method, url, r.status_code, r.text[:120]))
            assert r.status_code < 500, (method, url, query, r.text)
            if r.status_code == 400 and r.headers.get("content-type", "").startswith("application/json"):
                assert {"error", "detail"} <= set(r.json()), r.text
    assert len(answers) > 40
    crashes = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert not crashes, [rec.getMessage() for rec in crashes]


async def test_ids_above_bigint_are_a_400(client, world, admin_headers):
    spec, values, session, _ = world
    huge = str(2**63)
    tried = 0
    for path, method, op in _operations(spec):
        ints = [p["name"] for p in op.get("parameters", [])
                if p["in"] == "path" and _resolve(spec, p.get("schema")).get("type") == "integer"]
        if not ints:
            continue
        url = path
        for p in op.get("parameters", []):
            if p["in"] == "path":
                url = url.replace("{%s}" % p["name"], huge if p["name"] in ints else str(values.get(p["name"], "x")))
        body = _sample(spec, (op.get("requestBody", {}).get("content", {}).get("application/json", {}) or {}).get("schema") or {}, False) if op.get("requestBody") else None
        r = await client.request(method.upper(), url, json=body, headers=_headers_for(path, admin_headers, session))
        assert r.status_code == 400, (method, url, r.text)
        assert r.json()["error"] == "invalid" and r.json()["field"] in ints
        tried += 1
    assert tried >= 5
    # In a body, a query string or a listing filter too.
    r = await client.get(f"/admin/v1/tenants/{values['slug']}/deals", params={"owner_id": huge}, headers=admin_headers)
    assert r.status_code == 400


async def test_hostile_xml_is_refused_before_the_signature_check(client, world, caplog):
    _, values, _, _ = world
    caplog.set_level(logging.INFO)
    url = f"/wecom/{values['slug']}/callback"
    query = {"msg_signature": "x", "timestamp": "1", "nonce": "n"}
    bodies = [
        b"<xml>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</xml>",
        b'<?xml version="1.0" encoding="x-unknown-42"?><xml><Encrypt>abc</Encrypt></xml>',
        b'<?xml version="1.0" encoding="utf-16"?><xml><Encrypt>abc</Encrypt></xml>',
        b"<xml><Encrypt>abc\x00</Encrypt></xml>",
    ]
    for body in bodies:
        for path in (url, f"/wechat/{values['slug']}/callback"):
            r = await client.post(path, params={**query, "signature": "x"}, content=body,
                                  headers={"Content-Type": "text/xml"})
            assert 400 <= r.status_code < 500, (path, body[:60], r.text)
            assert r.json()["error"] in ("invalid", "not_found"), r.text
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]


async def test_broken_and_deeply_nested_json_bodies_are_a_400(client, world, admin_headers, caplog):
    spec, values, session, _ = world
    caplog.set_level(logging.INFO)
    bodies = [b"{", b"[" * 5000, b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000]
    posted = 0
    for path, method, op in _operations(spec):
        if method not in ("post", "put", "patch") or "requestBody" not in op:
            continue
        content = op["requestBody"].get("content", {})
        if "application/json" not in content:
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: str(values.get(m[1], 1)), path)
        for body in bodies:
            r = await client.request(method.upper(), url, content=body, headers={
                **_headers_for(path, admin_headers, session), "Content-Type": "application/json"})
            assert 400 <= r.status_code < 500, (method, url, body[:10], r.status_code, r.text[:200])
            posted += 1
    # The H5 inquiry form reads JSON itself.
    for body in bodies:
        r = await client.post(f"/c/{values['code']}/inquiry", content=body,
                              headers={"Content-Type": "application/json", "Accept": "application/json"})
        assert 400 <= r.status_code < 500, (body[:10], r.text[:200])
        r = await client.post(f"/c/{values['code']}/beacon", content=body, headers={"Content-Type": "text/plain"})
        assert 400 <= r.status_code < 500, (body[:10], r.text[:200])
    assert posted > 40
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]

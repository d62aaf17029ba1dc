"""The request guard every route passes before its parameters are read (``before_request`` on
the app): what the database cannot store is refused at the edge with a 400 that names the field,
instead of failing deep inside a handler as a 500.

- NUL characters (PostgreSQL text cannot hold them) in a path or query parameter, or anywhere in
  a body (raw, ``\\u0000`` in JSON, ``%00`` in a form); multipart uploads (PDF, Word) are binary
  and exempt — their text is extracted and cleaned by the knowledge-base ingest.
- Integers in path parameters outside PostgreSQL's bigint (ids are bigint everywhere).
- JSON nested deeper than the decoder's recursion limit (``[[[[…`` 5,000 deep), which would
  otherwise surface as a RecursionError: a body with many brackets is test-decoded once here.

Bodies with ids inside are checked by their schemas (``schemas.types.Id``); anything that still
slips through to the database as a data error is answered 400 by ``backend.core``.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request

from backend.errors import Invalid

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
NUL_DETAIL = "text may not contain NUL (\\u0000) characters"


def _nul_path(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) holding a NUL in decoded JSON."""
    if isinstance(value, str):
        return path or "body" if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return sub
            found = _nul_path(item, sub)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_path(item, f"{path}[{i}]")
            if found:
                return found
    return None


def _body_nul_field(body: bytes, content_type: str) -> str | None | bool:
    """False when the body holds no NUL; else the field that does (None when it cannot be told)."""
    if b"\x00" in body:
        return None
    if "json" in content_type or body[:1] in (b"{", b"["):
        if b"\\u0000" not in body:
            return False
        try:
            return _nul_path(msgspec.json.decode(body)) or False
        except (msgspec.DecodeError, RecursionError):
            return False  # not JSON after all: the handler refuses it as such
    if "x-www-form-urlencoded" in content_type and b"%00" in body:
        for pair in body.split(b"&"):
            name, _, value = pair.partition(b"=")
            if b"%00" in name or b"%00" in value:
                return name.decode("latin-1")[:50] or None
    return False


BRACKETS_BEFORE_DEPTH_CHECK = 256  # below this many, no JSON can nest too deep to decode


def _too_deep(body: bytes) -> bool:
    if body.count(b"[") + body.count(b"{") < BRACKETS_BEFORE_DEPTH_CHECK:
        return False
    try:
        msgspec.json.decode(body)
    except RecursionError:
        return True
    except msgspec.DecodeError:
        return False  # malformed: the handler's decoder says so
    return False


async def guard(request: Request) -> None:
    for name, value in request.path_params.items():
        if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
            raise Invalid(f"{name} is out of range", field=name)
        if isinstance(value, str) and "\x00" in value:
            raise Invalid(NUL_DETAIL, field=name)
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            raise Invalid(NUL_DETAIL, field=name.replace("\x00", "") or None)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        content_type = request.headers.get("content-type", "").lower()
        if content_type.startswith("multipart/"):
            return
        body = await request.body()
        field = _body_nul_field(body, content_type)
        if field is not False:
            raise Invalid(NUL_DETAIL, field=field)
        if _too_deep(body):
            raise Invalid("the body nests too deeply")

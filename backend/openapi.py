"""The OpenAPI document, made to match what the service answers.

- Every error is ``{"error", "detail", "field"}`` (``backend.core`` maps every exception to it):
  the document says so (component ``Error``) for each status an operation can answer — 400 always;
  401 / 403 where a bearer token is needed (the admin API, the mini-program's non-public routes);
  403 on the signed WeChat callbacks; 404 where the path names something; 409 on writes; 413 with
  a body; 429 where a rate limit applies; 502 where WeChat is called.
- The bearer security scheme, on exactly the operations whose router guard asks for a token.
- Operation descriptions from the handlers' docstrings.
- Swagger UI from assets served here (``swagger-ui-bundle-v2``'s files), not from a CDN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, OpenAPIMediaType, OpenAPIResponse, Reference, Schema, SecurityScheme
from litestar.openapi.spec.enums import OpenAPIType
from litestar.routes import HTTPRoute
from litestar.static_files import create_static_files_router

SWAGGER_ASSETS = "/schema/assets"

DESCRIPTIONS = {
    "400": "Invalid input: `field` names the culprit when one can be named.",
    "401": "No bearer token, or an unknown, expired or revoked one.",
    "403": "The token (or signature) is good but may not do this.",
    "404": "Nothing by that name here (or not for this token).",
    "409": "Conflicts with what exists (a duplicate, a stale state).",
    "410": "Gone: the link has expired.",
    "413": "The body is too large.",
    "429": "Too many requests: `detail` says when to try again.",
    "502": "WeChat failed or refused the call.",
}
ERROR_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["error", "detail"],
    properties={
        "error": Schema(type=OpenAPIType.STRING, description="a short code: invalid, unauthorized, forbidden, "
                        "not_found, conflict, too_large, rate_limited, upstream …"),
        "detail": Schema(type=OpenAPIType.STRING, description="what went wrong, for a person"),
        "field": Schema(one_of=[Schema(type=OpenAPIType.STRING), Schema(type=OpenAPIType.NULL)],
                        description="the input field at fault, when there is one"),
    },
)


def _swagger_dir() -> Path | None:
    try:
        import swagger_ui_bundle
    except ImportError:  # the UI is optional; /schema and /schema/openapi.json work without it
        return None
    return Path(swagger_ui_bundle.swagger_ui_path)


def config() -> OpenAPIConfig:
    assets = _swagger_dir()
    swagger = SwaggerRenderPlugin(
        js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
        css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{SWAGGER_ASSETS}/favicon-32x32.png'>",
    ) if assets else SwaggerRenderPlugin()
    return OpenAPIConfig(
        title="tuoke",
        version="0.1.0",
        description="Chat-first social selling: WeChat Work bot, mini-program API, admin API. Errors are "
                    '`{"error", "detail", "field"}` with a 4xx status.',
        path="/schema",
        render_plugins=[swagger],
        use_handler_docstrings=True,
        components=Components(
            security_schemes={"bearer": SecurityScheme(
                type="http", scheme="bearer",
                description="The admin API: `TUOKE_ADMIN_TOKEN` or a tenant's API token. The mini-program: "
                            "the session token from `POST /miniapp/v1/session`.")},
        ),
    )


def asset_routes() -> list:
    assets = _swagger_dir()
    if assets is None:
        return []
    return [create_static_files_router(path=SWAGGER_ASSETS, directories=[assets], include_in_schema=False,
                                       opt={"access": "public"})]


def _access(handler: HTTPRouteHandler) -> str:
    names = {getattr(g, "__name__", "") for g in handler.resolve_guards()}
    if "require_admin" in names:
        return "token"
    if "require_access" in names and handler.opt.get("access", "session") != "public":
        return "token"
    return "public"


def _codes(path: str, method: str, op: Any, access: str) -> set[str]:
    codes = {"400"}
    if access == "token":
        codes |= {"401", "403"}
    if "{" in path:
        codes.add("404")
    if method in ("post", "put", "patch", "delete"):
        codes.add("409")
    if op.request_body is not None:
        codes.add("413")
    if path.startswith(("/miniapp/", "/c/")):
        codes |= {"404", "429"}
    if path.startswith(("/wecom/", "/wechat/")):
        codes |= {"403", "404"}
    if op.operation_id in ("miniappSignIn",):
        codes.add("502")
    if op.operation_id == "digestPage":
        codes.add("410")
    return codes


def document(app: Litestar) -> None:
    """Add the error answers and security of each operation to the generated document (at start-up,
    before anyone reads it)."""
    handlers: dict[str, HTTPRouteHandler] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                if isinstance(handler.operation_id, str):
                    handlers[handler.operation_id] = handler
    schema = app.openapi_schema
    schema.components.schemas = {**(schema.components.schemas or {}), "Error": ERROR_SCHEMA}
    error = OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Error"))
    page = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, description="an HTML page saying what went wrong"))
    for path, item in (schema.paths or {}).items():
        for method in ("get", "post", "put", "patch", "delete"):
            op = getattr(item, method, None)
            if op is None:
                continue
            handler = handlers.get(op.operation_id or "")
            access = _access(handler) if handler is not None else "public"
            responses = dict(op.responses or {})
            content = {"application/json": error}
            html = handler is not None and str(getattr(handler.media_type, "value", handler.media_type)).startswith("text/html")
            if html or path.startswith("/c/"):  # pages answer browsers with a page (H5: scripts get JSON)
                content["text/html"] = page
            for code in sorted(_codes(path, method, op, access)):
                responses[code] = OpenAPIResponse(description=DESCRIPTIONS[code], content=dict(content))
            op.responses = responses
            op.security = [{"bearer": []}] if access == "token" else None

"""``/c/{code}``: the card as a mobile H5 page for links shared outside the mini-program, with the
same tracking as the mini-program (a beacon endpoint), vCard download, forwarding and inquiries.

The browser is known by an anonymous key in the ``tkv`` cookie (a visitor of the card's tenant);
an inquiry tells who they are.
"""

from __future__ import annotations

import re
import secrets
import urllib.parse
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import Cookie

from backend import wechat_api
from backend.errors import Invalid, NotFound, RateLimited, TuokeError
from backend.services import tenants
from backend.services.cards import inquiries, ratelimit, tracking, visitors
from backend.services.cards.cards import card_url, products_of
from backend.services.cards.visitors import Viewer
from miniapp_api.h5 import render
from miniapp_api.h5.vcard import filename_header, vcard
from miniapp_api.guards import PUBLIC
from schemas.cards import Beacon, CardEventIn, InquiryAccepted, InquiryCreate, PublicCard, ShareCreate, ShareCreated

COOKIE = "tkv"
COOKIE_AGE = 365 * 24 * 3600
_CODE = re.compile(r"^[a-z0-9]{4,16}$")
_SHARE = re.compile(r"^[A-Za-z0-9_-]{6,32}$")
_beacon_decoder = msgspec.json.Decoder(Beacon)
FRIENDLY = {
    "name": "请填写您的称呼（50 字以内）",
    "phone": "请填写正确的手机号",
    "company": "公司名称请在 100 字以内",
    "email": "邮箱格式不对",
    "message": "留言请在 1000 字以内",
}


def _html(body: str, status: int = 200, cookies: list[Cookie] | None = None) -> Response[str]:
    return Response(body, status_code=status, media_type=MediaType.HTML, cookies=cookies or [],
                    headers={"Cache-Control": "private, no-cache"})


def _message(heading: str, text: str, status: int, back: str | None = None) -> Response[str]:
    return _html(render("message.html", heading=heading, text=text, back=back), status)


def _share(value: str | None) -> str | None:
    return value if value and _SHARE.match(value) else None


def _public(row: asyncpg.Record, share: str | None) -> PublicCard:
    return PublicCard(
        code=row["code"], name=row["name"], title=row["title"], company=row["company"], phone=row["phone"],
        email=row["email"], wechat_id=row["wechat_id"], avatar_url=row["avatar_url"], bio=row["bio"],
        products=products_of(row["products"]), share=share,
    )


async def _card(db: asyncpg.Connection, code: str) -> asyncpg.Record:
    if not _CODE.match(code):
        raise NotFound(f"no card {code!r}")
    return await tracking.card_by_code(db, code)


def _cookie(key: str, request: Request) -> Cookie:
    return Cookie(key=COOKIE, value=key, max_age=COOKIE_AGE, path="/c", httponly=True, samesite="lax",
                  secure=request.url.scheme == "https")


async def _viewer(
    db: asyncpg.Connection, request: Request, tenant_id: int, scope: str, ip: str
) -> tuple[Viewer, Cookie | None]:
    """The browser's visitor on this tenant, and the cookie to set when it had none.

    The IP's rate limit of ``scope`` is counted first, so a flood of cookieless requests is
    refused before it writes a visitor for each (the caller passes ``ip_counted=True`` on).
    """
    await ratelimit.hit(db, tenant_id, scope, ip=ip)
    key = request.cookies.get(COOKIE)
    cookie = None
    if not visitors.valid_anon_key(key):
        key = visitors.new_anon_key()
        cookie = _cookie(key, request)
    return await visitors.for_anon_key(db, tenant_id, key), cookie


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _inquiry_from(data: dict[str, Any]) -> InquiryCreate:
    fields = {k: v.strip() for k, v in data.items() if k in InquiryCreate.__struct_fields__ and isinstance(v, str)}
    fields = {k: v for k, v in fields.items() if v or k in ("name", "phone")}
    try:
        return msgspec.convert(fields, InquiryCreate)
    except msgspec.ValidationError as exc:
        match = re.search(r"`\$\.(\w+)`", str(exc))
        field = match[1] if match else None
        if field is None and "missing required field" in str(exc):
            field = re.search(r"`(\w+)`", str(exc))[1] if re.search(r"`(\w+)`", str(exc)) else None
        raise Invalid(FRIENDLY.get(field or "", str(exc)), field=field) from None


class H5CardController(Controller):
    path = "/c"
    opt = {"access": PUBLIC}  # the page, its beacon, vCard, forwarding and inquiries: anyone with the link
    tags = ["H5 card page"]

    @get("/{code:str}", operation_id="h5Card", media_type=MediaType.HTML)
    async def page(self, code: str, request: Request, db: asyncpg.Connection) -> Response[str]:
        """The card page (mobile H5): tap-to-call, vCard, forwarding, inquiry form, view/dwell beacon."""
        try:
            row = await _card(db, code)
        except NotFound:
            return _message("名片不存在", "这张名片可能已停用，请向分享给您的人确认链接。", 404)
        share = _share(request.query_params.get("s"))
        card = _public(row, share)
        description = card.bio[:120] if card.bio else "，".join(
            x for x in (card.title, card.company, f"电话 {card.phone}" if card.phone else "") if x)
        wx_share = {"title": f"{card.name} · {card.title}" if card.title else card.name, "desc": description,
                    "img_url": card.avatar_url or ""}
        body = render("card.html", card=card, code=code, share=share, page_url=card_url(code, share),
                      description=description, wx_share=wx_share)
        cookies = []
        if not visitors.valid_anon_key(request.cookies.get(COOKIE)):
            cookies.append(_cookie(visitors.new_anon_key(), request))
        return _html(body, cookies=cookies)

    @post("/{code:str}/beacon", operation_id="h5Beacon", status_code=204, request_max_body_size=4096)
    async def beacon(self, code: str, request: Request, db: asyncpg.Connection, client_ip: str) -> Response[None]:
        """What the page reports (``navigator.sendBeacon``, text/plain JSON): view, dwell, taps, products."""
        try:
            data = _beacon_decoder.decode(await request.body())
        except msgspec.ValidationError as exc:
            raise Invalid(str(exc)) from None
        except msgspec.DecodeError:
            raise Invalid("the beacon body is not JSON") from None
        row = await _card(db, code)
        viewer, cookie = await _viewer(db, request, row["tenant_id"], "open" if data.kind == "view" else "events",
                                       client_ip)
        share = _share(data.share)
        if data.kind == "view":
            await tracking.open_card(db, code, share, viewer, ip=client_ip, client_event_id=data.id, ip_counted=True)
        else:
            event = CardEventIn(id=data.id or "b" + secrets.token_hex(8), kind=data.kind,
                                dwell_seconds=data.dwell_seconds, product=data.product)
            await tracking.record_events(db, code, [event], share, viewer, ip=client_ip, ip_counted=True)
        return Response(None, status_code=204, cookies=[cookie] if cookie else [])

    @post("/{code:str}/shares", operation_id="h5Forward", request_max_body_size=4096)
    async def forward(
        self, code: str, data: ShareCreate, request: Request, db: asyncpg.Connection, client_ip: str
    ) -> Response[ShareCreated]:
        """A child share of the page's share, for the link the visitor forwards."""
        row = await _card(db, code)
        viewer, cookie = await _viewer(db, request, row["tenant_id"], "share", client_ip)
        created = await tracking.mint_share(db, code, data.parent, viewer, ip=client_ip, ip_counted=True,
                                            pending=data.pending)
        return Response(created, status_code=201, cookies=[cookie] if cookie else [])

    @get("/{code:str}/jssdk", operation_id="h5JsSdk")
    async def jssdk(self, code: str, url: str, db: asyncpg.Connection) -> dict[str, Any]:
        """``wx.config`` for this card's page inside WeChat: appId, timestamp, nonceStr and the
        signature of ``url`` (the page's address; its #fragment is dropped), by the tenant's
        Official Account (or, without one, its WeChat Work app). Only this card's page is signed."""
        row = await _card(db, code)
        parts = urllib.parse.urlsplit(url.split("#", 1)[0])
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path != f"/c/{code}" or len(url) > 1024:
            raise Invalid("url must be this card's page address", field="url")
        tenant = await tenants.get_tenant(db, row["tenant_id"])
        if wechat_api.jssdk_kind(tenant) is None:
            raise NotFound("this card's company has no WeChat JS-SDK configured")
        return await wechat_api.jssdk_config(db, tenant, url)

    @get("/{code:str}/vcard", operation_id="h5VCard", media_type="text/vcard")
    async def vcard(self, code: str, request: Request, db: asyncpg.Connection, client_ip: str) -> Response[str]:
        """The card as a vCard file (save to contacts); records a contact-saved event."""
        row = await _card(db, code)
        card = _public(row, None)
        cookie = None
        try:
            viewer, cookie = await _viewer(db, request, row["tenant_id"], "events", client_ip)
            event = CardEventIn(id="vcard" + secrets.token_hex(6), kind="save_contact")
            await tracking.record_events(db, code, [event], None, viewer, ip=client_ip, ip_counted=True)
        except RateLimited:
            pass  # the download still works; the flood is neither counted nor written
        return Response(
            vcard(card, card_url(code, None)), media_type="text/vcard",
            headers={"Content-Disposition": filename_header(card.name)}, cookies=[cookie] if cookie else [],
        )

    @post("/{code:str}/inquiry", operation_id="h5Inquiry", request_max_body_size=16384)
    async def inquiry(
        self, code: str, request: Request, db: asyncpg.Connection, client_ip: str
    ) -> Response[Any]:
        """The page's inquiry form (form-encoded, or JSON): JSON back to scripts, a page to browsers."""
        as_json = _wants_json(request)
        try:
            if request.headers.get("content-type", "").startswith("application/json"):
                body = await request.json()
                raw = body if isinstance(body, dict) else {}
            else:
                raw = dict(await request.form())
            row = await _card(db, code)
            inquiry = _inquiry_from(raw)
            viewer, cookie = await _viewer(db, request, row["tenant_id"], "inquiry", client_ip)
            result: InquiryAccepted = await inquiries.submit_inquiry(db, code, inquiry, viewer, ip=client_ip,
                                                                     ip_counted=True)
        except TuokeError as exc:
            if as_json:
                raise
            return _message("提交未成功", exc.detail, exc.status_code, back=f"/c/{code}")
        cookies = [cookie] if cookie else []
        if as_json:
            return Response(result, status_code=201, cookies=cookies)
        page = render("message.html", heading="提交成功", text=result.message, back=f"/c/{code}")
        return _html(page, 201, cookies)

"""Business cards (名片): the rep's card, what customers send when they open, forward, tap and
inquire, and the radar (客户雷达) the rep reads."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from schemas.base import Base
from schemas.types import Email, Phone

CardName = Annotated[str, Meta(min_length=1, max_length=50)]
CardLine = Annotated[str, Meta(max_length=100)]
Bio = Annotated[str, Meta(max_length=500)]
WechatId = Annotated[str, Meta(pattern=r"^[A-Za-z][-_A-Za-z0-9]{5,19}$", description="a WeChat id: 6-20 letters, digits, - or _")]
HttpUrl = Annotated[str, Meta(pattern=r"^https?://[^\s<>\"']{1,490}$", max_length=500)]
ShareToken = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{6,32}$")]
ClientEventId = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
DwellSeconds = Annotated[int, Meta(ge=0, le=86_400)]
VisitorName = Annotated[str, Meta(min_length=1, max_length=50)]
InquiryMessage = Annotated[str, Meta(max_length=1000)]


class Product(Base, kw_only=True):
    """A featured product on the card, usually picked from the knowledge base (doc_id)."""

    title: Annotated[str, Meta(min_length=1, max_length=60)]
    summary: Annotated[str, Meta(max_length=200)] = ""
    doc_id: Annotated[str, Meta(min_length=1, max_length=200)] | None = None  # a knowledge-base document
    image_url: HttpUrl | None = None


Products = Annotated[list[Product], Meta(max_length=12)]


class CardUpdate(Base, kw_only=True):
    """What a rep may change on their card; fields left out stay as they are, null clears."""

    name: CardName | UnsetType = UNSET
    title: CardLine | UnsetType = UNSET
    company: CardLine | UnsetType = UNSET
    phone: Phone | None | UnsetType = UNSET
    email: Email | None | UnsetType = UNSET
    wechat_id: WechatId | None | UnsetType = UNSET
    avatar_url: HttpUrl | None | UnsetType = UNSET
    bio: Bio | UnsetType = UNSET
    products: Products | UnsetType = UNSET


class Card(msgspec.Struct, kw_only=True):
    """The rep's own view of their card, with the links to share it."""

    code: str
    name: str
    title: str
    company: str
    phone: str | None
    email: str | None
    wechat_id: str | None
    avatar_url: str | None
    bio: str
    products: list[Product]
    share: str  # the rep's root share token
    url: str  # the H5 page, for links shared outside the mini-program
    path: str  # the mini-program page
    updated_at: dt.datetime


class PublicCard(msgspec.Struct, kw_only=True):
    """The card as a customer sees it, and the share it came through."""

    code: str
    name: str
    title: str
    company: str
    phone: str | None
    email: str | None
    wechat_id: str | None
    avatar_url: str | None
    bio: str
    products: list[Product]
    share: str | None


class ShareCreate(Base, kw_only=True):
    """Forwarding: the share the customer came through (missing: the rep's root share)."""

    parent: ShareToken | None = None
    # the page minting the link WeChat's own forward will carry: recorded as a forward only when
    # someone else opens it
    pending: bool = False


class ShareCreated(msgspec.Struct, kw_only=True):
    share: str
    depth: int
    url: str
    path: str


EventKind = Literal["dwell", "tap_phone", "save_contact", "view_product"]


class CardEventIn(Base, kw_only=True):
    """One client event; ``id`` makes a retried batch harmless."""

    id: ClientEventId
    kind: EventKind
    dwell_seconds: DwellSeconds = 0
    product: Annotated[str, Meta(max_length=60)] | None = None


class EventBatch(Base, kw_only=True):
    events: Annotated[list[CardEventIn], Meta(min_length=1, max_length=50)]
    share: ShareToken | None = None


class EventsRecorded(msgspec.Struct, kw_only=True):
    accepted: int
    duplicates: int
    dropped: int  # over the visitor's daily cap


class Beacon(Base, kw_only=True):
    """What the H5 page sends with navigator.sendBeacon (as text/plain JSON)."""

    kind: Literal["view", "dwell", "tap_phone", "save_contact", "view_product"]
    id: ClientEventId | None = None
    dwell_seconds: DwellSeconds = 0
    product: Annotated[str, Meta(max_length=60)] | None = None
    share: ShareToken | None = None


class InquiryCreate(Base, kw_only=True):
    name: VisitorName
    phone: Phone
    company: Annotated[str, Meta(max_length=100)] | None = None
    email: Email | None = None
    message: InquiryMessage = ""
    share: ShareToken | None = None

    def __post_init__(self) -> None:
        self.name = self.name.strip()
        if not self.name:
            raise ValueError("name must not be blank")
        if self.company is not None:
            self.company = self.company.strip() or None


class InquiryAccepted(msgspec.Struct, kw_only=True):
    inquiry_id: int
    message: str


class RadarVisitor(msgspec.Struct, kw_only=True):
    """One customer on the rep's radar; ``score`` is the intent score (0–100, see radar.py)."""

    visitor_id: int
    name: str | None
    company: str | None
    contact_id: int | None
    visits: int
    last_seen: dt.datetime
    dwell_seconds: int
    phone_taps: int
    contact_saves: int
    products_viewed: int
    forwards: int
    forwarded_to: int
    inquiries: int
    score: int
    came_via: str | None = None  # who forwarded the card to them (name), when not the rep
    tier: str | None = None  # their company's account tier (A/B/C; A = 大客户), when known


class ChainLink(msgspec.Struct, kw_only=True):
    depth: int
    visitor_id: int | None  # None: the rep
    name: str | None


class RadarEvent(msgspec.Struct, kw_only=True):
    kind: str
    dwell_seconds: int
    product: str | None
    at: dt.datetime


class RadarDetail(msgspec.Struct, kw_only=True):
    visitor: RadarVisitor
    chain: list[ChainLink]  # rep → … → whoever forwarded to this visitor
    forwarded_to: list[ChainLink]
    events: list[RadarEvent]

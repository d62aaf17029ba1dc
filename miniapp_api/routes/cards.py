"""Cards: customers open, forward, report events and inquire; a rep edits their card and reads
their radar (客户雷达)."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, Request, get, patch, post
from litestar.params import Parameter

from backend.errors import Unauthorized
from backend.services.cards import cards, inquiries, radar, tracking
from backend.services.cards.sessions import MiniSession
from schemas.cards import (
    Card,
    CardUpdate,
    EventBatch,
    EventsRecorded,
    InquiryAccepted,
    InquiryCreate,
    PublicCard,
    RadarDetail,
    RadarVisitor,
    ShareCreate,
    ShareCreated,
)
from miniapp_api.guards import PUBLIC, REP, bearer_token, client_ip, hot_get
from schemas.users import Actor

Code = Annotated[str, Parameter(pattern=r"^[a-z0-9]{4,16}$", description="the card's public code")]
ShareParam = Annotated[str | None, Parameter(query="s", pattern=r"^[A-Za-z0-9_-]{6,32}$", description="share token")]


class PublicCardController(Controller):
    path = "/miniapp/v1/cards"
    tags = ["mini-program: cards"]

    @hot_get("/{code:str}", operation_id="miniappOpenCard", opt={"access": PUBLIC})
    async def open(self, code: Code, request: Request, share: ShareParam = None) -> PublicCard:
        """The card, for a customer; records the view with the share it came through (``?s=``).

        Send the session as ``Authorization: Bearer`` (without one the view is anonymous). The
        hot path of the mini-program: the session is checked in the same statement that records
        the view, on a connection taken straight from the pool.
        """
        async with request.app.state.pool.acquire() as db:
            return await tracking.open_card(
                db, code, share, ip=client_ip(request), session_token=bearer_token(request)
            )

    @post("/{code:str}/shares", operation_id="miniappForwardCard")
    async def forward(
        self, code: Code, data: ShareCreate, db: asyncpg.Connection, session: MiniSession, client_ip: str
    ) -> ShareCreated:
        """A child share for forwarding (``parent``: the share the customer came through)."""
        return await tracking.mint_share(db, code, data.parent, session.viewer, ip=client_ip, pending=data.pending)

    @post("/{code:str}/events", operation_id="miniappCardEvents", status_code=200)
    async def events(
        self, code: Code, data: EventBatch, db: asyncpg.Connection, session: MiniSession, client_ip: str
    ) -> EventsRecorded:
        """A batch of up to 50 events (dwell seconds, phone tap, contact saved, product viewed);
        each client event ``id`` is recorded once."""
        return await tracking.record_events(db, code, data.events, data.share, session.viewer, ip=client_ip)

    @post("/{code:str}/inquiries", operation_id="miniappInquiry")
    async def inquiry(
        self, code: Code, data: InquiryCreate, db: asyncpg.Connection, maybe_session: MiniSession | None,
        client_ip: str,
    ) -> InquiryAccepted:
        """Leave name, phone, company and a message: a lead for the rep, who hears of it at once."""
        if maybe_session is None:
            raise Unauthorized("sign in first: POST /miniapp/v1/session with your wx.login code")
        return await inquiries.submit_inquiry(db, code, data, maybe_session.viewer, ip=client_ip)


class MyCardController(Controller):
    path = "/miniapp/v1/me/card"
    opt = {"access": REP}
    tags = ["mini-program: cards"]

    @get("/", operation_id="miniappMyCard")
    async def read(self, rep: Actor, db: asyncpg.Connection) -> Card:
        """The rep's card (created on first use) with its share links."""
        return await cards.my_card(db, rep)

    @patch("/", operation_id="miniappUpdateMyCard")
    async def update(self, rep: Actor, data: CardUpdate, db: asyncpg.Connection) -> Card:
        """Edit the card: name, title, company, phone, e-mail, WeChat id, avatar URL, bio, products."""
        return await cards.update_card(db, rep, data)


class RadarController(Controller):
    path = "/miniapp/v1/radar"
    opt = {"access": REP}
    tags = ["mini-program: cards"]

    @get("/", operation_id="miniappRadar")
    async def list(
        self, rep: Actor, db: asyncpg.Connection, limit: Annotated[int, Parameter(ge=1, le=200)] = 50
    ) -> list[RadarVisitor]:
        """Who opened the rep's card: visits, last seen, dwell, taps, forwards and the intent score."""
        return await radar.radar(db, rep, limit=limit)

    @get("/{visitor_id:int}", operation_id="miniappRadarVisitor")
    async def read(self, rep: Actor, visitor_id: int, db: asyncpg.Connection) -> RadarDetail:
        """One visitor: figures, the forward chain that reached them, whom they forwarded to, events."""
        return await radar.radar_visitor(db, rep, visitor_id)

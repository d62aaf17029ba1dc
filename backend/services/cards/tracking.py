"""What customers do with a card: open it (a view, with the share it came through), forward it
(a child share, so the chain rep → A → B is known), and the events a page reports (dwell, phone
tap, contact saved, product viewed).

Flood guards: per-IP / per-visitor rate limits (``ratelimit``), client event ids (a retried batch
is recorded once), at most ``DAILY_EVENT_CAP`` events per visitor and card a day, dwell capped
per event; the radar adds its own caps on top.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import asyncpg

from backend import clock
from backend.db.queries import queries
from backend.errors import Invalid, NotFound, RateLimited, TuokeError, Unauthorized
from backend.services import tenants
from backend.services.cards import ratelimit, sessions
from backend.services.cards.cards import card_path, card_url, new_share_token, products_of
from backend.services.cards.visitors import Viewer
from backend.services.nudges.signals import notify_hot_signal
from schemas.cards import CardEventIn, EventsRecorded, PublicCard, ShareCreated

log = logging.getLogger("tuoke.cards")

VISIT_GAP = dt.timedelta(minutes=30)  # a view this long after the previous one starts a new visit
DAILY_EVENT_CAP = 300  # events kept per visitor and card in 24 hours
DWELL_EVENT_CAP = 600  # seconds one dwell event may add
ANONYMOUS_TENANT = 0  # rate-limit bucket of opens without a session (counted per IP and card)
_cards_open = queries.direct("cards_open")  # the hot path: straight to the connection
_cards_open_session = queries.direct("cards_open_session")  # … and a session's open, leaner


def _public(row: asyncpg.Record) -> PublicCard:
    return PublicCard(
        code=row["code"], name=row["name"], title=row["title"], company=row["company"], phone=row["phone"],
        email=row["email"], wechat_id=row["wechat_id"], avatar_url=row["avatar_url"], bio=row["bio"],
        products=products_of(row["products"]), share=row["share_token"],
    )


async def card_by_code(conn: asyncpg.Connection, code: str, tenant_id: int | None = None) -> asyncpg.Record:
    row = await queries.cards_by_code(conn, code=code, tenant_id=tenant_id)
    if row is None or not row["active"]:
        raise NotFound(f"no card {code!r}")
    return row


async def open_card(
    conn: asyncpg.Connection,
    code: str,
    share: str | None,
    viewer: Viewer | None = None,
    *,
    ip: str | None,
    session_token: str | None = None,
    client_event_id: str | None = None,
    ip_counted: bool = False,
) -> PublicCard:
    """The card for a customer, recording the view (not the rep's own) with its share.

    The customer is a mini-program session (``session_token``, checked in the same statement
    that records the view: one round trip), an H5 ``viewer``, or nobody (an anonymous view).
    Rate limits: per IP (unless the caller counted it: ``ip_counted``), and per session
    (mini-program) or visitor (H5). A repeat visit (30
    minutes or more after the previous view) by a known contact who has an open deal is a hot
    signal for the deal's rep.
    """
    tenant_id = token_hash = None
    if session_token is not None:
        parts = sessions.token_parts(session_token)
        if parts is None:
            raise Unauthorized("this session is unknown, expired or revoked; sign in again")
        tenant_id, token_hash = parts
        limits = ratelimit.plan(tenant_id, "open", ip=ip, visitor="s" + token_hash[:24])
    elif viewer is not None:
        tenant_id = viewer.tenant_id
        limits = ratelimit.plan(tenant_id, "open", ip=None if ip_counted else ip, visitor=viewer.visitor_id)
    else:
        limits = ratelimit.plan(ANONYMOUS_TENANT, "open", ip=f"{ip}|{code}")
    now = clock.now()
    # One round trip: the limits are counted in the statement that records the view (none when
    # over); far from a limit, only every few opens (ratelimit.Plan.batched).
    params, states = limits.batched()
    if token_hash is not None and client_event_id is None:
        # a mini-program session's open (most opens): the same checks and rows, leaner
        row = await _cards_open_session(conn, code=code, tenant_id=tenant_id, token_hash=token_hash, share=share,
                                        now=now, **params)
    else:
        row = await _cards_open(
            conn, code=code, tenant_id=tenant_id, token_hash=token_hash, share=share,
            visitor_id=viewer.visitor_id if viewer else None, contact_id=viewer.contact_id if viewer else None,
            viewer_user_id=viewer.user_id if viewer else None, client_event_id=client_event_id,
            record=True, now=now, **params,
        )
    limits.settle(states, row)
    if row is None:
        raise NotFound(f"no card {code!r}")
    if not row["rate_ok"]:
        limits.check(dict(zip(row["rl_keys"], zip(row["rl_hits"], row["rl_previous"]))))
        raise RateLimited("too many requests; try again in a minute")  # (check raises first)
    if not row["session_ok"]:
        raise Unauthorized("this session is unknown, expired or revoked; sign in again")
    if (
        row["contact_id"] is not None and row["event_id"] is not None
        and row["prev_view_at"] is not None and now - row["prev_view_at"] >= VISIT_GAP
    ):
        who = Viewer(tenant_id=row["tenant_id"], visitor_id=row["visitor_id"], contact_id=row["contact_id"],
                     user_id=row["viewer_user_id"])
        await _contact_signal(conn, row["tenant_id"], row["user_id"], who, "repeat_view",
                              f"上次打开是{_ago(now - row['prev_view_at'])}", now)
    if row["forwarder_contact_id"] is not None:
        # a link minted inside WeChat was opened by someone else: its forward was recorded now
        forwarder = Viewer(tenant_id=row["tenant_id"], visitor_id=row["forwarder_visitor_id"],
                           contact_id=row["forwarder_contact_id"], user_id=None)
        await _contact_signal(conn, row["tenant_id"], row["user_id"], forwarder, "forward", "名片在对方公司里传开了", now)
    return _public(row)


async def mint_share(
    conn: asyncpg.Connection, code: str, parent: str | None, viewer: Viewer, *, ip: str | None, ip_counted: bool = False,
    pending: bool = False,
) -> ShareCreated:
    """Forwarding: the share to put in the forwarded link (one per visitor and parent share).

    ``pending``: the page minting, as it loads inside WeChat, the link WeChat's own forward will
    carry; no forward is recorded now, but when someone else first opens that link (``open_card``).
    """
    await ratelimit.hit(conn, viewer.tenant_id, "share", ip=None if ip_counted else ip, visitor=viewer.visitor_id)
    card = await card_by_code(conn, code, viewer.tenant_id)
    tenant_id, card_id = card["tenant_id"], card["card_id"]
    root = await queries.cards_root_share(conn, tenant_id=tenant_id, card_id=card_id)
    if viewer.user_id == card["user_id"]:  # the rep shares their own card: the root share
        return _share_created(code, root["token"], 0)
    if parent:
        parent_row = await queries.cards_share_by_token(conn, tenant_id=tenant_id, card_id=card_id, token=parent)
        if parent_row is None:
            raise Invalid("unknown share for this card", field="parent")
    else:
        parent_row = root
    if parent_row["visitor_id"] == viewer.visitor_id:  # forwarding their own share again
        return _share_created(code, parent_row["token"], parent_row["depth"])
    now = clock.now()
    async with conn.transaction():
        share = await queries.cards_child_share_insert(
            conn, tenant_id=tenant_id, card_id=card_id, token=new_share_token(),
            parent_share_id=parent_row["share_id"], visitor_id=viewer.visitor_id,
            depth=parent_row["depth"] + 1, now=now, pending=pending,
        )
        if pending:
            return _share_created(code, share["token"], share["depth"])
        await queries.cards_event_insert(
            conn, tenant_id=tenant_id, rep_id=card["user_id"], visitor_id=viewer.visitor_id,
            contact_id=viewer.contact_id, kind="forward", dwell_seconds=0, share_id=share["share_id"],
            client_event_id=None, detail={"parent_share_id": parent_row["share_id"]}, now=now,
        )
        if viewer.contact_id is not None:
            await _contact_signal(conn, tenant_id, card["user_id"], viewer, "forward", "名片在对方公司里传开了", now)
    return _share_created(code, share["token"], share["depth"])


def _ago(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes}分钟前"
    if minutes < 48 * 60:
        return f"{minutes // 60}小时前"
    return f"{minutes // 1440}天前"


def _share_created(code: str, token: str, depth: int) -> ShareCreated:
    return ShareCreated(share=token, depth=depth, url=card_url(code, token), path=card_path(code, token))


async def record_events(
    conn: asyncpg.Connection, code: str, events: list[CardEventIn], share: str | None, viewer: Viewer, *,
    ip: str | None, ip_counted: bool = False,
) -> EventsRecorded:
    """Record a batch of client events, once per client event id, within the daily cap."""
    await ratelimit.hit(conn, viewer.tenant_id, "events", ip=None if ip_counted else ip, visitor=viewer.visitor_id)
    card = await card_by_code(conn, code, viewer.tenant_id)
    if viewer.user_id == card["user_id"]:  # the rep looking at their own card
        return EventsRecorded(accepted=0, duplicates=0, dropped=len(events))
    tenant_id = card["tenant_id"]
    now = clock.now()
    share_id = None
    if share:
        share_row = await queries.cards_share_by_token(conn, tenant_id=tenant_id, card_id=card["card_id"], token=share)
        share_id = share_row["share_id"] if share_row else None
    accepted = duplicates = 0
    async with conn.transaction():
        used = await queries.cards_visitor_events_today(
            conn, tenant_id=tenant_id, visitor_id=viewer.visitor_id, rep_id=card["user_id"],
            since=now - dt.timedelta(hours=24),
        )
        room = max(0, DAILY_EVENT_CAP - used)
        for event in events[:room]:
            detail = {"product": event.product} if event.product else {}
            event_id = await queries.cards_event_insert(
                conn, tenant_id=tenant_id, rep_id=card["user_id"], visitor_id=viewer.visitor_id,
                contact_id=viewer.contact_id, kind=event.kind,
                dwell_seconds=min(event.dwell_seconds, DWELL_EVENT_CAP) if event.kind == "dwell" else 0,
                share_id=share_id, client_event_id=event.id, detail=detail, now=now,
            )
            if event_id is None:
                duplicates += 1
            else:
                accepted += 1
    return EventsRecorded(accepted=accepted, duplicates=duplicates, dropped=max(0, len(events) - room))


async def _contact_signal(
    conn: asyncpg.Connection, tenant_id: int, card_rep_id: int, viewer: Viewer, kind: str, detail: str,
    now: dt.datetime,
) -> None:
    """Tell the rep of the contact's open deal, at most once per visitor, kind and day."""
    deal = await queries.cards_open_deal_for_contact(
        conn, tenant_id=tenant_id, contact_id=viewer.contact_id, rep_id=card_rep_id
    )
    if deal is None:
        return
    tenant = await tenants.get_tenant(conn, tenant_id)
    day = now.astimezone(ZoneInfo(tenant.timezone)).date().isoformat()
    visitor = await queries.cards_visitor_get(conn, tenant_id=tenant_id, visitor_id=viewer.visitor_id)
    try:
        async with conn.transaction():
            await notify_hot_signal(
                conn, tenant_id, rep_id=deal["owner_id"], kind=kind, contact_id=viewer.contact_id,
                deal_id=deal["deal_id"], visitor_name=visitor["name"] if visitor else None,
                detail=detail[:200], key=f"card:{tenant_id}:{viewer.visitor_id}:{kind}:{day}",
            )
    except (TuokeError, asyncpg.PostgresError):
        # The customer's open must not fail because the rep's message could not be queued.
        log.exception("hot signal %s for visitor %s not queued", kind, viewer.visitor_id)

"""Inquiries: a customer leaves name, phone, company and a message on a card.

One transaction: the account and contact are created or reused (``accounts``), the visitor is
linked to the contact (and their earlier card events with it), a lead (source ``card``) is created
for the card's rep (``deals.create_lead`` acting as the rep) unless the contact already has an
open deal of that rep, which gets a note instead; and the rep's hot-signal message is queued in
the outbox. Limits: the in-memory per-IP / per-visitor limits, and from the database (so across
processes) at most ``PER_VISITOR_PER_DAY`` inquiries per visitor and ``PER_PHONE_PER_DAY`` per phone,
checked under a transaction lock on the phone and the visitor, in the transaction that writes.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend import clock
from backend.db.queries import queries
from backend.errors import Forbidden, RateLimited
from backend.services import accounts, deals, tenants
from backend.services.cards import ratelimit
from backend.services.cards.tracking import card_by_code
from backend.services.cards.visitors import Viewer
from backend.services.nudges.signals import notify_hot_signal
from schemas.cards import InquiryAccepted, InquiryCreate
from schemas.deals import LeadCreate

PER_VISITOR_PER_DAY = 5
PER_PHONE_PER_DAY = 3


def _company(data: InquiryCreate) -> str:
    return data.company or f"{data.name}（个人）"


async def submit_inquiry(
    conn: asyncpg.Connection, code: str, data: InquiryCreate, viewer: Viewer, *, ip: str | None,
    ip_counted: bool = False,
) -> InquiryAccepted:
    await ratelimit.hit(conn, viewer.tenant_id, "inquiry", ip=None if ip_counted else ip, visitor=viewer.visitor_id)
    card = await card_by_code(conn, code, viewer.tenant_id)
    if viewer.user_id == card["user_id"]:
        raise Forbidden("this is your own card: inquiries come from customers")
    tenant_id, rep_id = card["tenant_id"], card["user_id"]
    phone = accounts.normalise_phone(data.phone) or data.phone
    now = clock.now()
    rep = await tenants.actor_for_user(conn, tenant_id, rep_id)
    share_id = None
    if data.share:
        share = await queries.cards_share_by_token(conn, tenant_id=tenant_id, card_id=card["card_id"], token=data.share)
        share_id = share["share_id"] if share else None
    async with conn.transaction():
        # The caps are checked and the inquiry written as one step: concurrent inquiries with one
        # phone (or from one visitor) queue on a transaction lock, so the cap holds under load.
        await queries.cards_inquiry_lock(conn, tenant_id=tenant_id, phone=phone, visitor_id=viewer.visitor_id)
        counts = await queries.cards_inquiry_counts(
            conn, tenant_id=tenant_id, visitor_id=viewer.visitor_id, phone=phone, since=now - dt.timedelta(hours=24)
        )
        if counts["by_visitor"] >= PER_VISITOR_PER_DAY or counts["by_phone"] >= PER_PHONE_PER_DAY:
            raise RateLimited(f"已收到您的多次留言，{card['name']}会尽快联系您（请明天再试）")
        # A customer already known by phone or e-mail keeps their company (account) as the CRM has it.
        known = await queries.cards_contact_account(conn, tenant_id=tenant_id, phone=phone, email=data.email)
        company = known["company"] if known and known["company"] else _company(data)
        account_id = await accounts.upsert_account(conn, tenant_id, company)
        contact_id = await accounts.find_or_create_contact(
            conn, tenant_id, account_id=account_id, name=data.name, phone=phone, email=data.email,
            openid=viewer.openid,
        )
        existing = await queries.cards_open_deal_for_contact(conn, tenant_id=tenant_id, contact_id=contact_id, rep_id=rep_id)
        note = f"名片询盘：{data.name} {phone}" + (f"，{data.message}" if data.message else "")
        if existing is not None and existing["owner_id"] == rep_id:
            deal_id = existing["deal_id"]
            await deals.log_activity(conn, rep, deal_id, "note", note[:2000], undoable=False)
        else:
            deal = await deals.create_lead(
                conn, rep,
                LeadCreate(company=company, contact_name=data.name, phone=phone, email=data.email,
                           source="card", next_step="回复名片询盘"),
                undoable=False,  # the customer's inquiry is not the rep's change to undo
            )
            deal_id = deal.deal_id
            if data.message:
                await deals.log_activity(conn, rep, deal_id, "note", note[:2000], undoable=False)
        inquiry_id = await queries.cards_inquiry_insert(
            conn, tenant_id=tenant_id, card_id=card["card_id"], rep_id=rep_id, visitor_id=viewer.visitor_id,
            share_id=share_id, name=data.name, phone=phone, company=data.company, email=data.email,
            message=data.message, contact_id=contact_id, deal_id=deal_id, ip=ip, now=now,
        )
        await queries.cards_visitor_link(
            conn, tenant_id=tenant_id, visitor_id=viewer.visitor_id, name=data.name, phone=phone,
            company=data.company, contact_id=contact_id,
        )
        await queries.cards_events_link_contact(conn, tenant_id=tenant_id, visitor_id=viewer.visitor_id, contact_id=contact_id)
        if viewer.openid:
            await queries.cards_contact_set_openid(conn, tenant_id=tenant_id, contact_id=contact_id, openid=viewer.openid)
        await queries.cards_event_insert(
            conn, tenant_id=tenant_id, rep_id=rep_id, visitor_id=viewer.visitor_id, contact_id=contact_id,
            kind="inquiry", dwell_seconds=0, share_id=share_id, client_event_id=f"inquiry:{inquiry_id}",
            detail={"inquiry_id": inquiry_id, "deal_id": deal_id}, now=now,
        )
        detail = f"{company} {data.name} {phone}" + (f"：{data.message}" if data.message else "")
        await notify_hot_signal(
            conn, tenant_id, rep_id=rep_id, kind="inquiry", contact_id=contact_id, deal_id=deal_id,
            visitor_name=data.name, detail=detail[:300], key=f"card-inquiry:{tenant_id}:{inquiry_id}",
        )
    return InquiryAccepted(inquiry_id=inquiry_id, message=f"已收到，{card['name']}会尽快与您联系。")

"""The rep's radar (客户雷达): who looked at their card, how often, how long, and how keen.

Counting (per visitor, over the last ``RADAR_DAYS`` days, days in the tenant's timezone):

- visits: views at least 30 minutes after the same visitor's previous view, at most
  ``VISITS_PER_DAY`` a day;
- dwell: seconds from dwell events, at most 600 per event and ``DWELL_PER_DAY`` a day;
- phone taps, contact saves: at most ``TAPS_PER_DAY`` of each a day; products viewed: distinct
  products a day;
- forwards: forward actions, at most ``FORWARDS_PER_DAY`` a day; forwarded_to: distinct other
  visitors who opened the card through this visitor's shares;
- inquiries: inquiries left.

Intent score, 0–100::

    R = 0.5 ** (days since last seen / 7)                 recency, half-life one week
    F = min(visits, 10) / 10                              frequency
    D = min(dwell seconds, 1800) / 1800                   attention
    T = min(phone taps + contact saves + products viewed, 5) / 5
    W = min(forwards + forwarded_to, 3) / 3               spreading it inside their company
    I = 1 if they left an inquiry, else 0
    score = round(100 * (0.25 R + 0.20 F + 0.15 D + 0.10 T + 0.10 W + 0.20 I))

The caps make a flood of fake events worth no more than an ordinary keen visitor's day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import asyncpg

from backend import clock
from backend.db.queries import queries
from backend.errors import NotFound
from backend.services import tenants
from backend.services.cards import tracking
from backend.services.cards.cards import my_card
from schemas.cards import ChainLink, RadarDetail, RadarEvent, RadarVisitor
from schemas.users import Actor

RADAR_DAYS = 90
VISITS_PER_DAY = 6
DWELL_PER_DAY = 1800
TAPS_PER_DAY = 3
FORWARDS_PER_DAY = 5
WEIGHTS = {"recency": 0.25, "frequency": 0.20, "dwell": 0.15, "taps": 0.10, "forwards": 0.10, "inquiry": 0.20}


def intent_score(
    *, days_since_last_seen: float, visits: int, dwell_seconds: int, taps: int, forwards: int, inquiries: int
) -> int:
    """The documented formula above; ``taps`` is phone taps + contact saves + products viewed,
    ``forwards`` is forwards + forwarded_to."""
    parts = {
        "recency": 0.5 ** (max(days_since_last_seen, 0.0) / 7.0),
        "frequency": min(visits, 10) / 10,
        "dwell": min(dwell_seconds, 1800) / 1800,
        "taps": min(taps, 5) / 5,
        "forwards": min(forwards, 3) / 3,
        "inquiry": 1.0 if inquiries else 0.0,
    }
    return round(100 * sum(WEIGHTS[k] * v for k, v in parts.items()))


def _totals(days: list[Any]) -> dict[str, Any]:
    out = {"visits": 0, "dwell": 0, "phone_taps": 0, "contact_saves": 0, "products_viewed": 0,
           "forwards": 0, "inquiries": 0, "last_seen": None}
    for d in days:
        out["visits"] += min(d["visits"], VISITS_PER_DAY)
        out["dwell"] += min(d["dwell"], DWELL_PER_DAY)
        out["phone_taps"] += min(d["phone_taps"], TAPS_PER_DAY)
        out["contact_saves"] += min(d["contact_saves"], TAPS_PER_DAY)
        out["products_viewed"] += d["products_viewed"]
        out["forwards"] += min(d["forwards"], FORWARDS_PER_DAY)
        out["inquiries"] += d["inquiries"]
        if out["last_seen"] is None or d["last_seen"] > out["last_seen"]:
            out["last_seen"] = d["last_seen"]
    return out


async def _visitors(
    conn: asyncpg.Connection, actor: Actor, card_id: int, visitor_id: int | None = None
) -> list[RadarVisitor]:
    tenant = await tenants.get_tenant(conn, actor.tenant_id)
    now = clock.now()
    since = now - dt.timedelta(days=RADAR_DAYS)
    rows = await queries.cards_radar_days(
        conn, tenant_id=actor.tenant_id, rep_id=actor.user_id, since=since, visitor_id=visitor_id,
        tz=tenant.timezone, dwell_event_cap=tracking.DWELL_EVENT_CAP,
    )
    by_visitor: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_visitor[row["visitor_id"]].append(row)
    if not by_visitor:
        return []
    reach = {r["visitor_id"]: r["forwarded_to"] for r in await queries.cards_radar_reach(
        conn, tenant_id=actor.tenant_id, rep_id=actor.user_id, card_id=card_id, since=since)}
    people = {r["visitor_id"]: r for r in await queries.cards_radar_visitors(
        conn, tenant_id=actor.tenant_id, rep_id=actor.user_id, visitor_ids=list(by_visitor))}
    first_shares = [p["first_share_id"] for p in people.values() if p["first_share_id"] is not None]
    forwarders = {r["share_id"]: r for r in await queries.cards_share_forwarders(
        conn, tenant_id=actor.tenant_id, share_ids=first_shares)} if first_shares else {}
    out = []
    for vid, days in by_visitor.items():
        t = _totals(days)
        person = people.get(vid)
        forwarded_to = reach.get(vid, 0)
        came_via = None
        if person and person["first_share_id"] in forwarders:
            fw = forwarders[person["first_share_id"]]
            if fw["visitor_id"] is not None:
                came_via = fw["name"] or f"访客{fw['visitor_id']}"
        score = intent_score(
            days_since_last_seen=(now - t["last_seen"]).total_seconds() / 86400,
            visits=t["visits"], dwell_seconds=t["dwell"],
            taps=t["phone_taps"] + t["contact_saves"] + t["products_viewed"],
            forwards=t["forwards"] + forwarded_to, inquiries=t["inquiries"],
        )
        out.append(RadarVisitor(
            visitor_id=vid, name=person["name"] if person else None, company=person["company"] if person else None,
            contact_id=person["contact_id"] if person else None, visits=t["visits"], last_seen=t["last_seen"],
            dwell_seconds=t["dwell"], phone_taps=t["phone_taps"], contact_saves=t["contact_saves"],
            products_viewed=t["products_viewed"], forwards=t["forwards"], forwarded_to=forwarded_to,
            inquiries=t["inquiries"], score=score, came_via=came_via,
            tier=person["tier"] if person else None,
        ))
    out.sort(key=lambda v: (-v.score, -v.last_seen.timestamp(), v.visitor_id))
    return out


async def radar(conn: asyncpg.Connection, actor: Actor, *, limit: int = 50) -> list[RadarVisitor]:
    """The rep's visitors, keenest first."""
    card = await my_card(conn, actor)
    row = await queries.cards_by_code(conn, code=card.code, tenant_id=actor.tenant_id)
    return (await _visitors(conn, actor, row["card_id"]))[:limit]


async def radar_visitor(conn: asyncpg.Connection, actor: Actor, visitor_id: int) -> RadarDetail:
    """One visitor: their figures, how the card reached them, whom they passed it to, what they did."""
    card = await my_card(conn, actor)
    row = await queries.cards_by_code(conn, code=card.code, tenant_id=actor.tenant_id)
    found = await _visitors(conn, actor, row["card_id"], visitor_id)
    if not found:
        raise NotFound(f"visitor {visitor_id} has not opened your card")
    visitor = found[0]
    people = await queries.cards_radar_visitors(
        conn, tenant_id=actor.tenant_id, rep_id=actor.user_id, visitor_ids=[visitor_id])
    chain: list[ChainLink] = []
    if people and people[0]["first_share_id"] is not None:
        for link in await queries.cards_share_chain(conn, tenant_id=actor.tenant_id, share_id=people[0]["first_share_id"]):
            chain.append(ChainLink(depth=link["depth"], visitor_id=link["visitor_id"],
                                   name=link["name"] if link["visitor_id"] is not None else actor.name))
    forwarded = [
        ChainLink(depth=r["depth"], visitor_id=r["visitor_id"], name=r["name"])
        for r in await queries.cards_forwarded_to(
            conn, tenant_id=actor.tenant_id, rep_id=actor.user_id, card_id=row["card_id"], visitor_id=visitor_id)
    ]
    events = [
        RadarEvent(kind=e["kind"], dwell_seconds=e["dwell_seconds"], product=(e["detail"] or {}).get("product"),
                   at=e["created_at"])
        for e in await queries.cards_visitor_recent_events(
            conn, tenant_id=actor.tenant_id, rep_id=actor.user_id, visitor_id=visitor_id, limit=50)
    ]
    return RadarDetail(visitor=visitor, chain=chain, forwarded_to=forwarded, events=events)

"""The lean open of a mini-program session (``cards_open_session``) checks, records and answers as
the general open (``cards_open``) does: each case is run through both statements on the same
data, each in a transaction rolled back, and the answers, the rows written and the rate-limit
counts compared. Then the service's own path: a session's opens, counted in PostgreSQL or in the
process alone, go through the lean statement, and a session revoked since is a 401 there."""

from __future__ import annotations

import datetime as dt

import pytest

from backend import clock
from backend.db.queries import queries
from backend.errors import Unauthorized
from backend.services.cards import ratelimit, sessions, tracking
from tests.integration.miniapp_support import bound_rep, card_of, sign_in

_general = queries.direct("cards_open")
_lean = queries.direct("cards_open_session")


class _Rollback(Exception):
    pass


async def _run(conn, statement, params: dict) -> tuple[dict | None, list[dict]]:
    """The statement's answer and the events it wrote, rolled back."""
    out: dict = {}
    try:
        async with conn.transaction():
            before = await conn.fetchval("SELECT coalesce(max(event_id), 0) FROM card_events")
            row = await statement(conn, **params)
            out["row"] = dict(row) if row is not None else None
            out["events"] = [dict(r) for r in await conn.fetch(
                "SELECT tenant_id, rep_id, visitor_id, contact_id, kind, share_id, client_event_id, detail, created_at"
                " FROM card_events WHERE event_id > $1 ORDER BY kind, event_id", before)]
            out["forwarded"] = await conn.fetchval("SELECT count(*) FROM card_shares WHERE forwarded_at = $1", params["now"])
            out["counted"] = [tuple(r) for r in await conn.fetch(
                "SELECT key, win, shard, hits FROM rate_counters WHERE tenant_id = $1 ORDER BY key, win, shard",
                params["tenant_id"])]
            raise _Rollback
    except _Rollback:
        pass
    if out["row"] is not None:
        out["row"].pop("event_id")
        out["row"]["recorded"] = bool(out["events"])
    return out["row"], out["events"], out["forwarded"], out["counted"]


async def _both_agree(conn, code: str, token: str, share: str | None, now: dt.datetime | None = None,
                      limits: dict | None = None) -> tuple:
    """The answer, the events and the forwards of the lean statement, once the general one gave
    the same (and counted the same, with ``limits``: the :rl_* parameters of a counted open)."""
    tenant_id, token_hash = sessions.token_parts(token)
    now = now or clock.now()
    limits = limits or ratelimit.UNCOUNTED
    lean = await _run(conn, _lean, dict(code=code, tenant_id=tenant_id, token_hash=token_hash, share=share, now=now,
                                        **limits))
    general = await _run(conn, _general, dict(
        code=code, tenant_id=tenant_id, token_hash=token_hash, share=share, visitor_id=None, contact_id=None,
        viewer_user_id=None, client_event_id=None, record=True, now=now, **limits))
    assert lean == general
    return lean[:3]


def _counted(tenant_id: int, token: str, hits: int, limit: str = "30/minute") -> dict:
    """The :rl_* parameters of an open counted in PostgreSQL: this session's key, ``hits`` of it."""
    plan = ratelimit.Plan(tenant_id, (("open:visitor:s" + token[-24:], ratelimit.parse(limit)),), clock.now().timestamp())
    return plan._params(plan.checks, [hits])


async def test_the_lean_open_answers_and_records_as_the_general_one(client, factory, pool):
    tenant, _ = await factory.tenant()
    other, _ = await factory.tenant()
    actor, rep = await bound_rep(client, pool, factory, tenant)
    card = await card_of(client, rep)
    _, other_rep = await bound_rep(client, pool, factory, tenant, name="李娜")
    other_card = await card_of(client, other_rep)
    customer = await sign_in(client, tenant.slug)
    forwarder = await sign_in(client, tenant.slug)
    stranger = await sign_in(client, other.slug)
    code, root = card["code"], card["share"]
    # a link minted inside WeChat by the forwarder, not opened by anyone yet
    r = await client.post(f"/miniapp/v1/cards/{code}/shares", json={"parent": root, "pending": True},
                          headers=forwarder["headers"])
    assert r.status_code == 201, r.text
    pending = r.json()["share"]
    async with pool.acquire() as conn:
        # a customer: the root share, the share named, an unknown share, another card's share
        for share in (root, None, "unknownshare", other_card["share"]):
            row, events, _ = await _both_agree(conn, code, customer["token"], share)
            assert row["session_ok"] and row["share_token"] == root and row["visitor_id"] == customer["me"]["visitor_id"]
            assert [(e["kind"], e["visitor_id"], e["rep_id"]) for e in events] == [
                ("view", customer["me"]["visitor_id"], actor.user_id)]
        # the pending link opened by someone else: the view and the forward, once
        row, events, forwarded = await _both_agree(conn, code, customer["token"], pending)
        assert row["share_token"] == pending and row["forwarder_visitor_id"] == forwarder["me"]["visitor_id"]
        assert sorted(e["kind"] for e in events) == ["forward", "view"] and forwarded == 1
        # … and by its own forwarder: a view, no forward
        row, events, forwarded = await _both_agree(conn, code, forwarder["token"], pending)
        assert [e["kind"] for e in events] == ["view"] and forwarded == 0
        # the rep on their own card: the card, no view
        row, events, _ = await _both_agree(conn, code, rep["token"], root)
        assert row["viewer_user_id"] == actor.user_id and events == []
        # another tenant's session: no card (404); an unknown card: none either
        row, events, _ = await _both_agree(conn, code, stranger["token"], root)
        assert row is None and events == []
        assert (await _both_agree(conn, "zzzzzzzz", customer["token"], root))[0] is None
        # counted in PostgreSQL: within the limit the view, over it no view and the counts back (429)
        row, events, _ = await _both_agree(conn, code, customer["token"], root, limits=_counted(tenant.tenant_id, customer["token"], 3))
        assert row["rate_ok"] and row["rl_hits"] == [3] and len(events) == 1
        row, events, _ = await _both_agree(conn, code, customer["token"], root, limits=_counted(tenant.tenant_id, customer["token"], 31))
        assert not row["rate_ok"] and row["rl_hits"] == [31] and events == []
        row, events, _ = await _both_agree(conn, code, stranger["token"], root, limits=_counted(other.tenant_id, stranger["token"], 1))
        assert row is None
        # a session past its expiry: the card, session_ok false, nothing written (401)
        later = clock.now() + sessions.SESSION_TTL + dt.timedelta(minutes=1)
        row, events, _ = await _both_agree(conn, code, customer["token"], root, now=later)
        assert row is not None and not row["session_ok"] and events == []
        # a known contact opening again: the previous view comes back (a repeat visit)
        contact = await conn.fetchval(
            "INSERT INTO contacts (tenant_id, name, created_at) VALUES ($1, '刘总', now()) RETURNING contact_id",
            tenant.tenant_id)
        await conn.execute("UPDATE card_visitors SET contact_id = $3 WHERE tenant_id = $1 AND visitor_id = $2",
                           tenant.tenant_id, customer["me"]["visitor_id"], contact)
        seen = clock.now() - dt.timedelta(hours=3)
        await conn.execute(
            "INSERT INTO card_events (tenant_id, rep_id, visitor_id, contact_id, kind, created_at)"
            " VALUES ($1, $2, $3, $4, 'view', $5)", tenant.tenant_id, actor.user_id, customer["me"]["visitor_id"], contact, seen)
        row, events, _ = await _both_agree(conn, code, customer["token"], root)
        assert row["prev_view_at"] == seen and row["contact_id"] == contact and events[0]["contact_id"] == contact
        # a revoked session: the card, session_ok false, nothing written
        await conn.execute("UPDATE miniapp_sessions SET revoked_at = now() WHERE tenant_id = $1 AND token_hash = $2",
                           *sessions.token_parts(customer["token"]))
        row, events, _ = await _both_agree(conn, code, customer["token"], root)
        assert not row["session_ok"] and events == []
        # a rep who left: their card is no one's any more
        await conn.execute("UPDATE users SET active = false WHERE tenant_id = $1 AND user_id = $2",
                           tenant.tenant_id, actor.user_id)
        assert (await _both_agree(conn, code, forwarder["token"], root))[0] is None


async def test_a_sessions_opens_take_the_lean_statement_and_still_count_and_check_the_session(client, factory, pool):
    tenant, _ = await factory.tenant()
    _, rep = await bound_rep(client, pool, factory, tenant)
    card = await card_of(client, rep)
    customer = await sign_in(client, tenant.slug)
    ip = "10.77.0.1"
    async with pool.acquire() as conn:
        lean_runs = ("SELECT coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements"
                     " WHERE statement LIKE '%card_session(%' AND statement NOT LIKE '%pg_prepared_statements%'")
        before = await conn.fetchval(lean_runs)
        for _ in range(3):  # the first is counted in PostgreSQL; the others only here
            opened = await tracking.open_card(conn, card["code"], card["share"], ip=ip, session_token=customer["token"])
            assert opened.share == card["share"]
        assert await conn.fetchval(lean_runs) - before == 3
        counted = await conn.fetch("SELECT key, hits FROM rate_counters WHERE tenant_id = $1 AND key LIKE 'open:%' ORDER BY key",
                                  tenant.tenant_id)
        assert [(r["key"].split(":")[1], r["hits"]) for r in counted] == [("ip", 1), ("visitor", 1)]
        views = await conn.fetchval(
            "SELECT count(*) FROM card_events WHERE tenant_id = $1 AND kind = 'view' AND visitor_id = $2",
            tenant.tenant_id, customer["me"]["visitor_id"])
        assert views == 3
        # revoked since (in another process, say): refused and not recorded; the lean statement
        # checks the session on every open
        r = await client.delete("/miniapp/v1/session", headers=customer["headers"])
        assert r.status_code in (200, 204), r.text
        with pytest.raises(Unauthorized):
            await tracking.open_card(conn, card["code"], card["share"], ip=ip, session_token=customer["token"])
        assert await conn.fetchval(lean_runs) - before == 4
        assert await conn.fetchval(
            "SELECT count(*) FROM card_events WHERE tenant_id = $1 AND kind = 'view'", tenant.tenant_id) == 3

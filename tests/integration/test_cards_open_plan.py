"""The card open's statement keeps one cached (generic) plan in PostgreSQL, on a card with a history.

With its rate-limit counting inline, the statement's estimated cost depended on its parameters,
and on the benchmark's database (300k views of one card, 17k rate-limit windows) PostgreSQL
planned the ten-CTE statement again on every open: three times the CPU of running it. Migration
0017 moved the counting, and the forward confirmed on open, behind functions. This guards the
property (one plan, reused); the data here is smaller than the benchmark's and did not make the
old statement fall back to fresh plans, so it is a guard, not a reproduction."""

from __future__ import annotations

from backend.services.cards import tracking
from tests.integration.miniapp_support import bound_rep, card_of, sign_in


async def _plans(conn) -> dict[str, tuple[int, int]]:
    """Generic and custom plans so far of both statements of an open on this connection:
    cards_open (H5 visitors, anonymous opens) and cards_open_session (a mini-program session's
    open, counted in PostgreSQL or not); each is planned at most the five times PostgreSQL tries
    custom plans before it keeps the generic one."""
    plans = {}
    for name, marker in (("general", "who.session_ok"), ("lean", "card_session(")):
        row = await conn.fetchrow(
            "SELECT coalesce(sum(generic_plans), 0) AS g, coalesce(sum(custom_plans), 0) AS c FROM pg_prepared_statements"
            f" WHERE statement LIKE '%{marker}%' AND statement NOT LIKE '%pg_prepared_statements%'")
        plans[name] = (row["g"], row["c"])
    return plans


async def test_the_open_statement_is_planned_once_not_on_every_open(client, factory, pool):
    tenant, _ = await factory.tenant()
    _, rep = await bound_rep(client, pool, factory, tenant)
    card = await card_of(client, rep)
    customers = [await sign_in(client, tenant.slug) for _ in range(3)]
    async with pool.acquire() as conn:
        rep_id = await conn.fetchval("SELECT user_id FROM cards WHERE tenant_id = $1 AND code = $2",
                                     tenant.tenant_id, card["code"])
        # a card that has been open for a while: 6,000 views by 20 keen visitors
        await conn.execute(
            "INSERT INTO card_visitors (tenant_id, anon_key, created_at)"
            " SELECT $1, 'hist' || g, now() FROM generate_series(1, 20) g", tenant.tenant_id)
        await conn.execute(
            "INSERT INTO card_events (tenant_id, rep_id, visitor_id, kind, created_at)"
            " SELECT $1, $2, v.visitor_id, 'view', now() - g * interval '1 minute'"
            " FROM card_visitors v, generate_series(1, 300) g WHERE v.tenant_id = $1 AND v.anon_key LIKE 'hist%'",
            tenant.tenant_id, rep_id)
        # and the rate-limit windows of a busy few minutes
        await conn.execute(
            "INSERT INTO rate_counters (tenant_id, key, win, shard, hits, expires_at)"
            " SELECT $1, 'open:visitor:hist' || (g % 2000), 1000 + g / 2000, g % 16, 1, now() + interval '1 hour'"
            " FROM generate_series(1, 5000) g ON CONFLICT DO NOTHING", tenant.tenant_id)
        await conn.execute("ANALYZE card_events; ANALYZE card_visitors; ANALYZE miniapp_sessions; ANALYZE rate_counters")
        before = await _plans(conn)  # (the pooled connection may have opened cards before)
        for i in range(24):  # mini-program opens, some counted in PostgreSQL, most in the process
            customer = customers[i % 3]
            opened = await tracking.open_card(conn, card["code"], card["share"], ip=f"10.0.0.{i % 3}",
                                              session_token=customer["token"])
            assert opened.code == card["code"]
        plans = await _plans(conn)
    assert all(custom <= 5 for _, custom in plans.values()), plans
    runs = {name: sum(plans[name]) - sum(before[name]) for name in plans}
    assert runs == {"general": 0, "lean": 24}, (before, plans)
    async with pool.acquire() as conn:
        views = await conn.fetchval(
            "SELECT count(*) FROM card_events WHERE tenant_id = $1 AND kind = 'view' AND visitor_id IN"
            " (SELECT visitor_id FROM miniapp_sessions WHERE tenant_id = $1)", tenant.tenant_id)
    assert views == 24

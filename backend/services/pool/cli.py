"""``tuoke pool …`` and ``tuoke accounts …``: pool rules, the pool, a recycle pass; account scores."""

from __future__ import annotations

from typing import Any

import click

from backend.cli import echo_json, fail, run, with_conn, with_pool


def _money(amount: int | None) -> str:
    from backend.services.nudges.messages import money

    return money(amount)


@click.group("pool")
def pool_group() -> None:
    """The shared lead pool (公海): rules, what is in it, the recycle pass."""


@pool_group.command("rules")
@click.option("--tenant", "slug", required=True)
@click.option("--set", "pairs", multiple=True, metavar="FIELD=VALUE",
              help="idle_days=30, stage_days.lead=14, tier_factor.A=2, warn_days=3, claim_cap=5, cooldown_days=7, "
                   "max_keeps=2, tier_a=60, tier_b=30, enabled=false (repeatable)")
@click.option("--reset", is_flag=True, help="Back to the defaults.")
def rules_cmd(slug: str, pairs: tuple[str, ...], reset: bool) -> None:
    """Show (or change) a tenant's pool and tier rules; prints them as JSON."""
    from backend.errors import TuokeError
    from backend.services import tenants
    from backend.services.pool import rules

    async def go(conn: Any) -> Any:
        tenant = await tenants.tenant_by_slug(conn, slug)
        if reset:
            return await rules.reset_rules(conn, tenant.tenant_id)
        if pairs:
            return await rules.update_rules(conn, tenant.tenant_id, rules.parse_pairs(pairs))
        return await rules.get_rules(conn, tenant.tenant_id)

    try:
        echo_json(run(with_conn(go)))
    except TuokeError as exc:
        fail(exc.detail)


@pool_group.command("list")
@click.option("--tenant", "slug", required=True)
@click.option("--json", "as_json", is_flag=True)
def list_cmd(slug: str, as_json: bool) -> None:
    """Every team's pool, most valuable first."""
    from backend.errors import TuokeError
    from backend.services import tenants
    from backend.services.pool import service
    from schemas.users import Actor

    async def go(conn: Any) -> Any:
        tenant = await tenants.tenant_by_slug(conn, slug)
        return await service.list_pool(conn, Actor(tenant_id=tenant.tenant_id, user_id=0, role="admin"), limit=500)

    try:
        deals = run(with_conn(go))
    except TuokeError as exc:
        fail(exc.detail)
        return
    if as_json:
        echo_json(deals)
        return
    for d in deals:
        click.echo(f"#{d.deal_id}  {d.company or d.title}  {d.stage_name or d.stage}  {_money(d.amount)}"
                   f"  tier {d.tier or '-'}  team {d.team_id or '-'}  from {d.prev_owner or '-'}: {d.reason or ''}")
    click.echo(f"{len(deals)} deal(s) in the pool")


@pool_group.command("recycle")
@click.option("--tenant", "slug", default=None, help="Only this tenant (default: all).")
@click.option("--dry-run", is_flag=True, help="Say what would be warned and recycled; keep nothing.")
@click.option("--json", "as_json", is_flag=True)
def recycle_cmd(slug: str | None, dry_run: bool, as_json: bool) -> None:
    """Warn the owners of deals about to be recycled and return the idle ones to their team's pool."""
    from backend.errors import TuokeError
    from backend.services import tenants
    from backend.services.pool import recycle

    async def go(pool: Any) -> Any:
        if slug:
            async with pool.acquire() as conn:
                tenant = await tenants.tenant_by_slug(conn, slug)
                return await recycle.recycle(conn, tenant_id=tenant.tenant_id, dry_run=dry_run, wait=True)
        return await recycle.recycle_all(pool, dry_run=dry_run, wait=True)

    try:
        result = run(with_pool(go))
    except TuokeError as exc:
        fail(exc.detail)
        return
    if as_json:
        echo_json(result)
        return
    verb = "would be" if dry_run else "were"
    click.echo(f"{result.tenants} tenant(s): {result.warned} owner warning(s), {result.recycled} deal(s) {verb} recycled"
               + (" (dry run: nothing kept)" if dry_run else ""))


@click.group("accounts")
def accounts_group() -> None:
    """Account scores and tiers (大客户)."""


@accounts_group.command("score")
@click.option("--tenant", "slug", default=None, help="Only this tenant (default: all).")
def score_cmd(slug: str | None) -> None:
    """Recompute every account's score and tier now."""
    from backend.errors import TuokeError
    from backend.services import tenants
    from backend.services.pool import tiers

    async def go(pool: Any) -> Any:
        async with pool.acquire() as conn:
            ids = ([(await tenants.tenant_by_slug(conn, slug)).tenant_id] if slug
                   else [t.tenant_id for t in await tenants.list_tenants(conn)])
        return await tiers.rescore_all(pool, ids)

    try:
        result = run(with_pool(go))
    except TuokeError as exc:
        fail(exc.detail)
        return
    click.echo(f"{result.accounts} account(s) scored, {result.changed} changed, in {result.seconds:.2f} s")


@accounts_group.command("list")
@click.option("--tenant", "slug", required=True)
@click.option("--tier", type=click.Choice(["A", "B", "C"]), default=None)
@click.option("--json", "as_json", is_flag=True)
def accounts_list_cmd(slug: str, tier: str | None, as_json: bool) -> None:
    """Accounts with their tier and score, highest first."""
    from backend.errors import TuokeError
    from backend.services import tenants
    from backend.services.pool import tiers

    async def go(conn: Any) -> Any:
        tenant = await tenants.tenant_by_slug(conn, slug)
        return await tiers.list_accounts(conn, tenant.tenant_id, tier=tier, limit=500)

    try:
        items, total = run(with_conn(go))
    except TuokeError as exc:
        fail(exc.detail)
        return
    if as_json:
        echo_json(items)
        return
    for a in items:
        why = f"  (set by hand: {a.tier_reason})" if a.tier_override else ""
        click.echo(f"{a.tier}  {a.score:3d}  {a.name}  won {_money(a.won_amount)}  open {_money(a.open_weighted)}"
                   f"  deals {a.deal_count}  overdue {a.overdue}{why}")
    click.echo(f"{total} account(s)")

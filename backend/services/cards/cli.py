"""``tuoke cards``: a rep's card and links, their radar, and pruning old sessions."""

from __future__ import annotations

import click

from backend import cli
from backend.services import tenants
from backend.services.cards import cards, radar
from backend.services.cards.jobs import prune_sessions


@click.group("cards")
def cards_group() -> None:
    """Business cards (名片): a rep's card and share links, their radar."""


async def _actor(conn, slug: str, user_id: int):
    tenant = await tenants.tenant_by_slug(conn, slug)
    return await tenants.actor_for_user(conn, tenant.tenant_id, user_id)


@cards_group.command("show")
@click.argument("tenant")
@click.argument("user_id", type=int)
def show(tenant: str, user_id: int) -> None:
    """Show (creating it if needed) the card of USER_ID in TENANT, with its H5 link."""

    async def go(conn):
        return await cards.my_card(conn, await _actor(conn, tenant, user_id))

    cli.echo_json(cli.run(cli.with_conn(go)))


@cards_group.command("radar")
@click.argument("tenant")
@click.argument("user_id", type=int)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 200))
def radar_cmd(tenant: str, user_id: int, limit: int) -> None:
    """The radar (客户雷达) of USER_ID in TENANT: visitors, keenest first."""

    async def go(conn):
        return await radar.radar(conn, await _actor(conn, tenant, user_id), limit=limit)

    cli.echo_json(cli.run(cli.with_conn(go)))


@cards_group.command("prune-sessions")
def prune() -> None:
    """Delete mini-program sessions that ended more than 30 days ago (the worker does it hourly)."""
    click.echo(f"deleted {cli.run(cli.with_pool(prune_sessions))} old sessions")

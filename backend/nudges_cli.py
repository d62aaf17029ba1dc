"""``tuoke nudges …`` and ``tuoke digest …``: scan (or dry-run) nudges, preview a digest."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from backend.cli import echo_json, fail, run, with_conn, with_pool


def _when(at: dt.datetime, tz: str) -> str:
    from backend.services.nudges import manners

    return at.astimezone(manners.zone(tz)).strftime("%m-%d %H:%M")


@click.group()
def nudges() -> None:
    """Nudges: scan open deals now (or see what a scan would send)."""


@nudges.command("scan")
@click.option("--tenant", "slug", default=None, help="Only this tenant (default: all).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent and why; record and send nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def scan_cmd(slug: str | None, dry_run: bool, as_json: bool) -> None:
    """Scan open deals for stalled, idle, past-close and unpaid deals; queue the nudges."""
    from backend.errors import TuokeError
    from backend.services import tenants
    from backend.services.nudges.scan import scan, scan_all

    async def go(pool: Any) -> Any:
        async with pool.acquire() as conn:
            zones = {t.tenant_id: t.timezone for t in await tenants.list_tenants(conn)}
            if slug:
                tenant = await tenants.tenant_by_slug(conn, slug)
                return await scan(conn, tenant_id=tenant.tenant_id, dry_run=dry_run, wait=True), zones
        return await scan_all(pool, dry_run=dry_run, wait=True, collect=True), zones

    try:
        result, zones = run(with_pool(go))
    except TuokeError as exc:
        fail(exc.detail)
        return
    if as_json:
        echo_json(result)
        return
    verb = "would send" if dry_run else "queued"
    for n in result.nudges:
        who = "manager" if n.level == 2 else "rep"
        click.echo(f"[{n.rule} → {who} {n.recipient} at {_when(n.send_at, zones[n.tenant_id])}] "
                   f"{n.title}: {n.reason}")
    for line in result.lines:
        click.echo(f"[summary → {line.recipient} at {_when(line.send_at, zones[line.tenant_id])}] "
                   f"{line.count} more over the daily cap: {'、'.join(line.titles)}")
    if result.skipped:
        click.echo("another scan held some tenants; they were skipped")
    click.echo(f"{result.tenants} tenant(s): {result.found} new nudge(s), {result.queued} {verb} one by one, "
               f"{result.summarised} over the daily cap in {result.summaries} summary line(s); "
               f"{result.enqueued} outbox message(s){' (dry run: nothing kept)' if dry_run else ''}")


@click.group()
def digest() -> None:
    """Manager digests: preview one."""


@digest.command("preview")
@click.option("--tenant", "slug", required=True)
@click.option("--manager", "manager_id", required=True, type=int, help="The manager's user id.")
@click.option("--json", "as_json", is_flag=True, help="The figures as JSON instead of the message.")
def preview_cmd(slug: str, manager_id: int, as_json: bool) -> None:
    """Print the daily digest a manager would get now (nothing is sent)."""
    from backend.errors import TuokeError
    from backend.services import tenants
    from backend.services.digests import send

    async def go(conn: Any) -> Any:
        tenant = await tenants.tenant_by_slug(conn, slug)
        return await send.preview(conn, tenant, manager_id)

    try:
        figures, text = run(with_conn(go))
    except TuokeError as exc:
        fail(exc.detail)
        return
    if as_json:
        echo_json(figures)
    else:
        click.echo(text)
        click.echo(f"\n({len(text.encode('utf-8'))} bytes of WeChat Work's 4096)")

"""``tuoke aibot``: WeChat Work's AI bot over the long connection (no public callback URL needed)."""

from __future__ import annotations

import asyncio
from typing import Any

import click


@click.group()
def aibot() -> None:
    """WeChat Work AI bot (智能机器人): run the long connection."""


@aibot.command("run")
@click.option("--tenant", "slug", required=True, help="The tenant whose bot (bot_id, secret) connects.")
@click.option("--ws-url", default=None, help="Long-connection address (default TUOKE_AIBOT_WS_URL, else WeChat Work's).")
def run_command(slug: str, ws_url: str | None) -> None:
    """Keep the bot's WebSocket open and answer its messages; reconnects with backoff; Ctrl-C stops.

    Several processes may run for one bot: a message is acted on once (the same claim as callbacks).
    """
    from backend.cli import fail, run, with_pool
    from backend.errors import TuokeError
    from bot.aibot.longconn import run_forever

    async def go(pool: Any) -> None:
        click.echo(f"aibot {slug}: connecting; Ctrl-C to stop")
        await run_forever(pool, slug, ws_url)

    try:
        run(with_pool(go))
    except TuokeError as exc:
        fail(exc.detail)
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass

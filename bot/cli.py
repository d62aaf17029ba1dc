"""``tuoke bot``: talk to the assistant from a terminal, and run its deferred answers by hand."""

from __future__ import annotations

import secrets
from typing import Any

import click

from backend import clock

# backend.cli imports this module to register the group: its helpers are imported where used.


@click.group()
def bot() -> None:
    """The chat assistant: say something as a rep, answer deferred questions."""


@bot.command("say")
@click.argument("tenant")
@click.argument("wecom_userid")
@click.argument("text")
def say(tenant: str, wecom_userid: str, text: str) -> None:
    """Send TEXT as the rep WECOM_USERID of TENANT (slug), as from WeChat Work; print the reply.

    It acts for real (creates leads, moves deals …), exactly like a message from the app.
    """
    from backend.cli import fail, run, with_pool
    from backend.errors import TuokeError
    from backend.services import tenants
    from bot import dispatch, kb_answers
    from bot.inbound import Inbound

    async def go(pool: Any) -> str | None:
        from bot.intents import parse

        if parse(text).intent == "search_kb":
            from backend.services.kb import warm_up

            await warm_up()  # a one-off process: load the model first, so the answer comes inline
        async with pool.acquire() as conn:
            t = await tenants.tenant_by_slug(conn, tenant)
            inbound = Inbound(channel="wecom", sender=wecom_userid, to_user=t.wecom.corp_id, msg_type="text",
                              text=text.strip(), create_time=int(clock.now().timestamp()),
                              msg_key=f"cli:{secrets.token_hex(8)}")
            outcome = await dispatch.handle(conn, t, inbound, pool=pool)
        for deferred_id in outcome.deferred:
            await kb_answers.run_deferred(pool, tenant_id=t.tenant_id, deferred_id=deferred_id)
        return outcome.reply

    try:
        reply = run(with_pool(go))
    except TuokeError as exc:
        fail(exc.detail)
    click.echo(reply or "(no reply)")


@bot.command("deferred")
def deferred() -> None:
    """Answer the deferred questions that are due now (the worker's bot.deferred job, once)."""
    from backend.cli import echo_json, run, with_pool
    from bot.kb_answers import run_deferred

    echo_json(run(with_pool(run_deferred)))

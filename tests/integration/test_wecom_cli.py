"""``tuoke bot say``: the assistant from a terminal, acting exactly as a WeChat Work message does."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner

from bot.cli import bot


async def test_say_acts_and_replies(factory, db, database_url):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id, name="王五")
    runner = CliRunner()
    result = await asyncio.to_thread(
        runner.invoke, bot, ["say", tenant.slug, rep.wecom_userid, "新客户 宁波海天塑机 陈总 13500001234"])
    assert result.exit_code == 0, result.output
    assert "已新建线索" in result.output
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 1
    stranger = await asyncio.to_thread(runner.invoke, bot, ["say", tenant.slug, "nobody", "我的商机"])
    assert "联系管理员" in stranger.output
    missing = await asyncio.to_thread(runner.invoke, bot, ["say", "no-such-tenant", "x", "hi"])
    assert missing.exit_code == 2

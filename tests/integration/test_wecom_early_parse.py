"""The message is parsed while the round trip that starts it is at PostgreSQL (bot.dispatch's early
parse, with the stages this process has cached for the tenant); the conversation uses that reading
only when it would parse the same text with the same stages. A stage changed elsewhere in between is
still understood (test_wecom_config_cache covers it through the callback)."""

from __future__ import annotations

from backend.services import tenants
from bot import dispatch
from bot.inbound import Inbound
from bot.intents import StageAlias, parse
from tests.factory import text_inbound


async def test_the_early_parse_is_the_parse_of_the_same_text_and_stages(factory, db):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    tenant = await tenants.cached_tenant_by_slug(db, tenant.slug)  # as the callback has it
    assert tenants.likely_stages(tenant.tenant_id) is None
    assert dispatch._parse_early(tenant, text_inbound(tenant, rep, "我的商机")) is None  # nothing cached yet: no guess

    first = await dispatch.handle(db, tenant, text_inbound(tenant, rep, "我的商机"))  # caches the stages
    assert first.reply
    cached = tenants.likely_stages(tenant.tenant_id)
    assert cached is not None and "bidding" in cached

    text = "新客户 佛山顺和陶瓷有限公司 刘总 13826471935 明天下午3点去拜访"
    early = dispatch._parse_early(tenant, text_inbound(tenant, rep, text))
    stages = [StageAlias(s.key, s.name_zh, list(s.aliases)) for s in cached.values()]
    assert early.same(text, tenant.timezone, stages)
    assert early.parsed == parse(text, now=early.now, tz=tenant.timezone, stages=stages)
    assert not early.same(text + "。", tenant.timezone, stages)
    assert not early.same(text, tenant.timezone, stages[:-1])

    # events and empty texts are not parsed ahead
    event = Inbound(channel="wecom", sender=rep.wecom_userid, to_user=tenant.wecom.corp_id, msg_type="event",
                    event="subscribe", msg_key="e:x")
    assert dispatch._parse_early(tenant, event) is None

    outcome = await dispatch.handle(db, tenant, text_inbound(tenant, rep, text))
    assert outcome.reply.startswith("已新建线索")
    tenants.forget_tenant(tenant.tenant_id)


async def test_a_stage_alias_changed_after_the_stages_were_cached_is_understood(factory, db):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    await factory.deal(rep, "佛山顺和陶瓷有限公司")
    cached_tenant = await tenants.cached_tenant_by_slug(db, tenant.slug)
    assert (await dispatch.handle(db, cached_tenant, text_inbound(cached_tenant, rep, "顺和那单进入方案"))).reply.startswith("已把")
    await db.execute("UPDATE pipeline_stages SET aliases = array_append(aliases, '挂网') "
                     "WHERE tenant_id = $1 AND key = 'bidding'", tenant.tenant_id)
    # the cached tenant is now older than the database: the message is refused as stale, as before,
    # and handled again with the configuration read afresh (the early parse of the stale stages is dropped)
    try:
        await dispatch.handle(db, cached_tenant, text_inbound(cached_tenant, rep, "顺和那单进入挂网"))
        raise AssertionError("a stale configuration must be refused")
    except tenants.StaleConfig:
        pass
    fresh = await tenants.reload_tenant(db, tenant.slug)
    moved = await dispatch.handle(db, fresh, text_inbound(fresh, rep, "顺和那单进入挂网"))
    assert moved.reply.startswith("已把") and "投标" in moved.reply
    tenants.forget_tenant(tenant.tenant_id)

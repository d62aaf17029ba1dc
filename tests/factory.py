"""A small factory that makes tenants, people and deals through the real services."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import asyncpg
import msgspec

from backend import clock
from backend.services import deals, tenants
from schemas.deals import LeadCreate
from schemas.tenants import TenantCreate, WecomConfig, MiniappConfig
from schemas.users import Actor, UserCreate

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 chars, as WeChat issues them


class Factory:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def tenant(self, **overrides: Any):
        """A tenant with WeChat Work and mini-program config; returns (tenant, api_token)."""
        slug = overrides.pop("slug", "t-" + secrets.token_hex(4))
        data = TenantCreate(
            slug=slug,
            name=overrides.pop("name", f"租户 {slug}"),
            wecom=WecomConfig(corp_id=f"ww{secrets.token_hex(6)}", agent_id=1000002, token="tuoketoken",
                              encoding_aes_key=AES_KEY, secret="corp-secret"),
            miniapp=MiniappConfig(appid=f"wx{secrets.token_hex(6)}", secret="mini-secret"),
            **overrides,
        )
        async with self.pool.acquire() as conn:
            created = await tenants.create_tenant(conn, data)
        return created.tenant, created.api_token

    async def user(self, tenant_id: int, name: str = "张三", role: str = "rep", team: str | None = "华东一组",
                   wecom_userid: str | None = None, **kw: Any) -> Actor:
        wecom_userid = wecom_userid or "u_" + secrets.token_hex(4)
        async with self.pool.acquire() as conn:
            user = await tenants.create_user(
                conn, tenant_id, UserCreate(name=name, role=role, team=team, wecom_userid=wecom_userid, **kw)
            )
            return await tenants.actor_for_user(conn, tenant_id, user.user_id)

    async def deal(self, actor: Actor, company: str = "佛山顺和陶瓷有限公司", *, stage: str | None = None,
                   entered_days_ago: float | None = None, **lead: Any):
        async with self.pool.acquire() as conn:
            deal = await deals.create_lead(conn, actor, LeadCreate(company=company, source=lead.pop("source", "api"), **lead))
            if stage and stage != "lead":
                deal = await deals.move_stage(conn, actor, deal.deal_id, stage)
            if entered_days_ago is not None:
                at = clock.now() - dt.timedelta(days=entered_days_ago)
                await conn.execute(
                    "UPDATE deals SET stage_entered_at = $3, last_activity_at = $3, created_at = least(created_at, $3)"
                    " WHERE tenant_id = $1 AND deal_id = $2",
                    actor.tenant_id, deal.deal_id, at,
                )
                deal = await deals.get_deal(conn, actor, deal.deal_id)
            return deal


def text_inbound(tenant, rep, text: str):
    """A rep's WeChat Work text message as the callback hands it to ``bot.dispatch.handle`` (a fresh msg_key)."""
    from bot.inbound import Inbound

    return Inbound(channel="wecom", sender=rep.wecom_userid, to_user=tenant.wecom.corp_id, msg_type="text",
                   text=text, msg_key=f"m:{secrets.randbelow(10**15)}")


def to_dict(obj: Any) -> dict:
    return msgspec.to_builtins(obj)

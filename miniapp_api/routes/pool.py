"""The shared lead pool (公海) in the workbench: the team's pool, claim, release, keep; a manager
sets an account's tier. The same services and refusals as in chat (409 with who has it, 429
with when the cap resets, 403 for someone else's deal)."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, get, post, put
from litestar.params import Parameter

from backend.services import deals, tenants
from backend.services.pool import service, tiers
from schemas.deals import Deal
from schemas.pool import Account, PoolDeal, ReasonBody, TierOverride
from schemas.users import Actor


class PoolController(Controller):
    path = "/miniapp/v1/pool"
    tags = ["mini-program: workbench"]

    @get("/", operation_id="miniappPool")
    async def list(
        self,
        rep: Actor,
        db: asyncpg.Connection,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        offset: Annotated[int, Parameter(ge=0, le=100_000)] = 0,
    ) -> list[PoolDeal]:
        """My team's pool, most valuable first (with each account's tier)."""
        return await service.list_pool(db, rep, limit=limit, offset=offset)

    @post("/{deal_id:int}/claim", operation_id="miniappClaim", status_code=200)
    async def claim(self, rep: Actor, deal_id: int, db: asyncpg.Connection) -> Deal:
        """Take a deal from the pool: 409 when someone was faster (``detail`` names them), 429 past
        the daily cap (``detail`` says when it resets), 409 during the cool-down."""
        tenant = await tenants.get_tenant(db, rep.tenant_id)
        await service.claim(db, rep, deal_id, timezone=tenant.timezone)
        return await deals.get_deal(db, rep, deal_id)


class DealPoolController(Controller):
    path = "/miniapp/v1/deals"
    tags = ["mini-program: workbench"]

    @post("/{deal_id:int}/release", operation_id="miniappRelease", status_code=200)
    async def release(self, rep: Actor, deal_id: int, data: ReasonBody, db: asyncpg.Connection) -> PoolDeal:
        """Put my deal (a manager: the team's) back into the pool, with an optional reason."""
        await service.release(db, rep, deal_id, data.reason)
        pooled = await service.state(db, rep.tenant_id, deal_id)
        return service.pool_deal(dict(pooled) | {"team_id": pooled["pool_team_id"], "reason": data.reason})

    @post("/{deal_id:int}/keep", operation_id="miniappKeep", status_code=200)
    async def keep(self, rep: Actor, deal_id: int, data: ReasonBody, db: asyncpg.Connection) -> Deal:
        """Keep a deal out of the pool for another period; a reason is required."""
        await service.keep(db, rep, deal_id, data.reason or "")
        return await deals.get_deal(db, rep, deal_id)


class TeamAccountController(Controller):
    path = "/miniapp/v1/team/accounts"
    tags = ["mini-program: team"]

    @put("/{account_id:int}/tier", operation_id="miniappSetTier")
    async def set_tier(self, manager: Actor, account_id: int, data: TierOverride, db: asyncpg.Connection) -> Account:
        """A manager sets an account's tier by hand with a reason (``tier: null`` clears it)."""
        return await tiers.override(db, manager, account_id, data.tier, data.reason)

"""The shared lead pool (公海) and account tiers (大客户): rules, the pool and its history, a recycle
pass on demand, accounts with their tier and score, a manager's tier override."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, Response, delete, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.params import Parameter

from backend.errors import Invalid
from backend.services import tenants as tenant_service
from backend.services.pool import recycle, rules, service, tiers
from schemas.pool import Account, PoolDeal, PoolEvent, PoolRules, PoolRulesUpdate, RecycleResult, ScoreResult, TierOverride
from schemas.tenants import Tenant
from schemas.users import Actor

Limit = Annotated[int, Parameter(ge=1, le=500)]
Offset = Annotated[int, Parameter(ge=0, le=10_000_000)]
BigId = Annotated[int, Parameter(ge=1, le=2**62)]


def _admin(tenant: Tenant) -> Actor:
    return Actor(tenant_id=tenant.tenant_id, user_id=0, role="admin")


class PoolRuleController(Controller):
    path = "/admin/v1/tenants/{slug:str}/pool-rules"
    tags = ["admin: pool"]

    @get("/", operation_id="getPoolRules")
    async def show(self, tenant: Tenant, db: asyncpg.Connection) -> PoolRules:
        """The tenant's pool and tier rules (defaults where never changed)."""
        return await rules.get_rules(db, tenant.tenant_id)

    @patch("/", operation_id="updatePoolRules")
    async def update(self, tenant: Tenant, data: PoolRulesUpdate, db: asyncpg.Connection) -> PoolRules:
        """Idle days (default, per stage, per tier factor), warning days, daily claim cap, cool-down,
        keeps in a row, tier thresholds; ``stage_days`` and ``tier_factor`` merge key by key."""
        return await rules.update_rules(db, tenant.tenant_id, data)

    @delete("/", operation_id="resetPoolRules", status_code=200)
    async def reset(self, tenant: Tenant, db: asyncpg.Connection) -> PoolRules:
        """Back to the defaults."""
        return await rules.reset_rules(db, tenant.tenant_id)


class PoolController(Controller):
    path = "/admin/v1/tenants/{slug:str}/pool"
    tags = ["admin: pool"]

    @get("/", operation_id="listPool")
    async def list(self, tenant: Tenant, db: asyncpg.Connection, limit: Limit = 100, offset: Offset = 0) -> list[PoolDeal]:
        """Every team's pool, most valuable first."""
        return await service.list_pool(db, _admin(tenant), limit=limit, offset=offset)

    @get("/events", operation_id="listPoolEvents")
    async def events(
        self, tenant: Tenant, db: asyncpg.Connection, deal_id: BigId | None = None, limit: Limit = 100
    ) -> list[PoolEvent]:
        """Releases, recycles (with the idle days), warnings, claims and keeps (with the reasons), newest first."""
        return await service.events(db, tenant.tenant_id, deal_id=deal_id, limit=limit)

    @post("/recycle", operation_id="recyclePool", status_code=200)
    async def recycle(
        self, tenant: Tenant, db: asyncpg.Connection, dry_run: Annotated[bool, Parameter(query="dry_run")] = True
    ) -> RecycleResult:
        """Run the recycle pass for this tenant now (by default a dry run that keeps nothing)."""
        return await recycle.recycle(db, tenant_id=tenant.tenant_id, dry_run=dry_run, wait=True)


class AccountController(Controller):
    path = "/admin/v1/tenants/{slug:str}/accounts"
    tags = ["admin: pool"]

    @get("/", operation_id="listAccounts", response_headers=[
        ResponseHeader(name="X-Total-Count", description="accounts matching, all pages", documentation_only=True)])
    async def list(
        self,
        tenant: Tenant,
        db: asyncpg.Connection,
        tier: Annotated[str | None, Parameter(pattern=r"^[ABC]$")] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[Account]]:
        """Accounts with ``tier`` (the override, else the computed one) and ``score``, highest first."""
        items, total = await tiers.list_accounts(db, tenant.tenant_id, tier=tier, limit=limit, offset=offset)
        return Response(items, headers={"X-Total-Count": str(total)})

    @get("/{account_id:int}", operation_id="getAccount")
    async def read(self, tenant: Tenant, account_id: int, db: asyncpg.Connection) -> Account:
        """One account with the inputs of its score."""
        return await tiers.get_account(db, tenant.tenant_id, account_id)

    @patch("/{account_id:int}/tier", operation_id="overrideAccountTier")
    async def override(self, tenant: Tenant, account_id: int, data: TierOverride, db: asyncpg.Connection) -> Account:
        """A manager's override of the tier, with a reason (``tier: null`` returns to the computed tier)."""
        actor = _admin(tenant)
        if data.manager_id is not None:
            actor = await tenant_service.actor_for_user(db, tenant.tenant_id, data.manager_id)
            if actor.role not in ("manager", "admin"):
                raise Invalid(f"user {data.manager_id} is not a manager", field="manager_id")
        return await tiers.override(db, actor, account_id, data.tier, data.reason)

    @post("/rescore", operation_id="rescoreAccounts", status_code=200)
    async def rescore(self, tenant: Tenant, db: asyncpg.Connection) -> ScoreResult:
        """Recompute every account's score and tier now (the worker does it nightly and on change)."""
        return await tiers.rescore(db, [tenant.tenant_id], everything=True)


CONTROLLERS = [PoolRuleController, PoolController, AccountController]

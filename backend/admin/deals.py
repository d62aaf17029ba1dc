"""Read-only listings of a tenant's deals and activities."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, Response, get
from litestar.datastructures import ResponseHeader
from litestar.params import Parameter

from backend.services import deals
from schemas.deals import Activity, Deal
from schemas.tenants import Tenant
from schemas.users import Actor

Limit = Annotated[int, Parameter(ge=1, le=500)]
Offset = Annotated[int, Parameter(ge=0, le=10_000_000)]


def _tenant_admin(tenant: Tenant) -> Actor:
    """The admin API reads as the tenant's admin (user 0 is nobody: it owns nothing)."""
    return Actor(tenant_id=tenant.tenant_id, user_id=0, role="admin")


class DealController(Controller):
    path = "/admin/v1/tenants/{slug:str}/deals"
    tags = ["admin: deals"]

    @get("/", operation_id="listDeals", response_headers=[ResponseHeader(name="X-Total-Count", description="deals matching, all pages", documentation_only=True)])
    async def list(
        self,
        tenant: Tenant,
        db: asyncpg.Connection,
        stage: str | None = None,
        owner_id: int | None = None,
        open_only: bool = False,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[Deal]]:
        """Deals with stage, amount, company and contact fields, most overdue first; the total
        across pages is in ``X-Total-Count``."""
        page = await deals.list_deals(
            db, _tenant_admin(tenant), stage=stage, owner_id=owner_id, open_only=open_only, limit=limit, offset=offset
        )
        return Response(page.items, headers={"X-Total-Count": str(page.total)})

    @get("/{deal_id:int}", operation_id="getDeal")
    async def read(self, tenant: Tenant, deal_id: int, db: asyncpg.Connection) -> Deal:
        """One deal."""
        return await deals.get_deal(db, _tenant_admin(tenant), deal_id)


class ActivityController(Controller):
    path = "/admin/v1/tenants/{slug:str}/activities"
    tags = ["admin: deals"]

    @get("/", operation_id="listActivities")
    async def list(
        self, tenant: Tenant, db: asyncpg.Connection, deal_id: int | None = None, limit: Limit = 100, offset: Offset = 0
    ) -> list[Activity]:
        """Activities (visits, calls, notes, follow-ups), newest first."""
        from backend.db.queries import queries

        rows = await queries.activities_for_tenant(
            db, tenant_id=tenant.tenant_id, deal_id=deal_id, limit=limit, offset=offset
        )
        return [Activity(**dict(r)) for r in rows]

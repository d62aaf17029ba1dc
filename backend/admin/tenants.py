"""Tenants: create (global admin), list, read and update with WeChat Work / mini-program config.

Secrets are write-only: every answer shows them masked (``****`` and the last 4 characters)."""

from __future__ import annotations

import asyncpg
from litestar import Controller, get, patch, post

from backend.admin.guards import AdminScope, require_global
from backend.services import tenants
from schemas.tenants import ApiTokenCreated, Tenant, TenantCreate, TenantCreated, TenantUpdate


class TenantController(Controller):
    path = "/admin/v1/tenants"
    tags = ["admin: tenants"]

    @post("/", operation_id="createTenant", status_code=201)
    async def create(self, data: TenantCreate, admin: AdminScope, db: asyncpg.Connection) -> TenantCreated:
        """Create a tenant with the default LTC pipeline; returns a token that administers it alone."""
        require_global(admin)
        created = await tenants.create_tenant(db, data)
        return TenantCreated(tenant=tenants.masked(created.tenant), api_token=created.api_token)

    @get("/", operation_id="listTenants")
    async def list(self, admin: AdminScope, db: asyncpg.Connection) -> list[Tenant]:
        """Every tenant (the global token) or the token's own tenant."""
        return [tenants.masked(t) for t in await tenants.list_tenants(db, admin.tenant_id)]

    @get("/{slug:str}", operation_id="getTenant")
    async def read(self, tenant: Tenant) -> Tenant:
        """One tenant with its configuration (secrets masked)."""
        return tenants.masked(tenant)

    @patch("/{slug:str}", operation_id="updateTenant")
    async def update(self, tenant: Tenant, data: TenantUpdate, db: asyncpg.Connection) -> Tenant:
        """Change a tenant's name, timezone, WeChat Work / mini-program config, digest time or quiet hours."""
        return tenants.masked(await tenants.update_tenant(db, tenant.tenant_id, data))

    @post("/{slug:str}/tokens", operation_id="createTenantToken", status_code=201)
    async def create_token(self, tenant: Tenant, db: asyncpg.Connection) -> ApiTokenCreated:
        """A new API token that administers this tenant only."""
        return await tenants.create_api_token(db, tenant.tenant_id, "admin api")

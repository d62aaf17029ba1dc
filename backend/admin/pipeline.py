"""A tenant's pipeline stages (SLA days, probabilities, the aliases reps use)."""

from __future__ import annotations

import asyncpg
from litestar import Controller, get, patch, post

from backend.services import pipeline
from schemas.deals import Stage, StageUpdate
from schemas.tenants import Tenant


class StageController(Controller):
    path = "/admin/v1/tenants/{slug:str}/stages"
    tags = ["admin: pipeline"]

    @get("/", operation_id="listStages")
    async def list(self, tenant: Tenant, db: asyncpg.Connection) -> list[Stage]:
        """The pipeline, in order."""
        return await pipeline.list_stages(db, tenant.tenant_id)

    @post("/", operation_id="addStage", status_code=201)
    async def add(self, tenant: Tenant, data: Stage, db: asyncpg.Connection) -> Stage:
        """Add a stage to the pipeline."""
        return await pipeline.add_stage(db, tenant.tenant_id, data)

    @patch("/{key:str}", operation_id="updateStage")
    async def update(self, tenant: Tenant, key: str, data: StageUpdate, db: asyncpg.Connection) -> Stage:
        """Change a stage's name, aliases, SLA days, probability or position."""
        return await pipeline.update_stage(db, tenant.tenant_id, key, data)

"""A tenant's nudge rules (editable), the nudges decided for it, a dry-run scan, digest previews."""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter

from backend.db.queries import queries
from backend.services.digests import send as digest_send
from backend.services.nudges import rules
from backend.services.nudges.scan import scan
from schemas.digests import DigestFigures
from schemas.nudges import NudgeRules, NudgeRulesUpdate, ScanResult
from schemas.tenants import Tenant


class NudgeRecord(msgspec.Struct, kw_only=True):
    nudge_id: int
    deal_id: int
    title: str | None
    rule: str
    level: int
    recipient_id: int
    recipient_name: str | None
    status: str
    score: float
    days_over: float
    engaged: bool
    send_at: Any
    created_at: Any


class DigestPreview(msgspec.Struct, kw_only=True):
    figures: DigestFigures
    markdown: str


class NudgeRuleController(Controller):
    path = "/admin/v1/tenants/{slug:str}/nudge-rules"
    tags = ["admin: nudges"]

    @get("/", operation_id="getNudgeRules")
    async def show(self, tenant: Tenant, db: asyncpg.Connection) -> NudgeRules:
        """The tenant's nudge rules (defaults where never changed)."""
        return await rules.get_rules(db, tenant.tenant_id)

    @patch("/", operation_id="updateNudgeRules")
    async def update(self, tenant: Tenant, data: NudgeRulesUpdate, db: asyncpg.Connection) -> NudgeRules:
        """Switch rules on or off, change the idle days, the escalation factor, the daily cap …"""
        return await rules.update_rules(db, tenant.tenant_id, data)

    @delete("/", operation_id="resetNudgeRules", status_code=200)
    async def reset(self, tenant: Tenant, db: asyncpg.Connection) -> NudgeRules:
        """Back to the defaults."""
        return await rules.reset_rules(db, tenant.tenant_id)


class NudgeController(Controller):
    path = "/admin/v1/tenants/{slug:str}/nudges"
    tags = ["admin: nudges"]

    @get("/", operation_id="listNudges")
    async def list(
        self,
        tenant: Tenant,
        db: asyncpg.Connection,
        deal_id: Annotated[int | None, Parameter(ge=1, le=2**62)] = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
    ) -> list[NudgeRecord]:
        """Nudges decided for this tenant, newest first (queued, or summarised over the daily cap)."""
        rows = await queries.nudge_list(db, tenant_id=tenant.tenant_id, deal_id=deal_id, limit=limit)
        return [NudgeRecord(**dict(r)) for r in rows]

    @post("/scan", operation_id="scanNudges", status_code=200)
    async def scan(
        self, tenant: Tenant, db: asyncpg.Connection, dry_run: Annotated[bool, Parameter(query="dry_run")] = True
    ) -> ScanResult:
        """Scan this tenant now; by default a dry run that says what would be sent and why."""
        return await scan(db, tenant_id=tenant.tenant_id, dry_run=dry_run, wait=True)


class DigestController(Controller):
    path = "/admin/v1/tenants/{slug:str}/digests"
    tags = ["admin: nudges"]

    @get("/preview", operation_id="previewDigest")
    async def preview(
        self, tenant: Tenant, db: asyncpg.Connection, manager_id: Annotated[int, Parameter(ge=1, le=2**62)]
    ) -> DigestPreview:
        """A manager's daily digest as it would be sent now (figures and markdown); nothing is sent."""
        figures, text = await digest_send.preview(db, tenant, manager_id)
        return DigestPreview(figures=figures, markdown=text)


CONTROLLERS = [NudgeRuleController, NudgeController, DigestController]

"""The rep's workbench: my deals, one deal with history and activities, updates, activities, funnel."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, get, patch, post
from litestar.params import Parameter

from backend.services import deals, pipeline
from backend.services.cards import funnel
from miniapp_api.guards import REP
from schemas.deals import Activity, ActivityCreate, Deal, DealPage, DealUpdate
from schemas.miniapp import DealDetail, Funnel
from schemas.users import Actor


class DealController(Controller):
    path = "/miniapp/v1/deals"
    opt = {"access": REP}
    tags = ["mini-program: workbench"]

    @get("/", operation_id="miniappMyDeals")
    async def list(
        self,
        rep: Actor,
        db: asyncpg.Connection,
        stage: Annotated[str | None, Parameter(pattern=r"^[a-z][a-z0-9_]{0,31}$")] = None,
        open_only: bool = True,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        offset: Annotated[int, Parameter(ge=0, le=100_000)] = 0,
    ) -> DealPage:
        """My deals (open ones unless ``open_only=false``), most overdue first; ``stage`` filters."""
        if stage is not None:
            await pipeline.require_stage(db, rep.tenant_id, stage)
        return await deals.list_deals(
            db, rep, stage=stage, owner_id=rep.user_id, open_only=open_only and stage is None,
            limit=limit, offset=offset,
        )

    @get("/{deal_id:int}", operation_id="miniappDeal")
    async def read(self, rep: Actor, deal_id: int, db: asyncpg.Connection) -> DealDetail:
        """A deal with its stage history and activities (mine, or my team's for a manager)."""
        deal = await deals.get_deal(db, rep, deal_id)
        return DealDetail(
            deal=deal,
            history=await deals.deal_history(db, rep, deal_id),
            activities=await deals.deal_activities(db, rep, deal_id),
        )

    @patch("/{deal_id:int}", operation_id="miniappUpdateDeal")
    async def update(self, rep: Actor, deal_id: int, data: DealUpdate, db: asyncpg.Connection) -> Deal:
        """Change stage, amount, next step, expected close or product."""
        return await deals.update_deal(db, rep, deal_id, data)

    @post("/{deal_id:int}/activities", operation_id="miniappLogActivity")
    async def log(self, rep: Actor, deal_id: int, data: ActivityCreate, db: asyncpg.Connection) -> Activity:
        """Log a visit, call, meeting, e-mail or note on the deal."""
        return await deals.log_activity(db, rep, deal_id, data.kind, data.body)


class FunnelController(Controller):
    path = "/miniapp/v1/funnel"
    opt = {"access": REP}
    tags = ["mini-program: workbench"]

    @get("/", operation_id="miniappMyFunnel")
    async def read(self, rep: Actor, db: asyncpg.Connection) -> Funnel:
        """My funnel: deals and amount per stage, weighted amount of the open ones."""
        return await funnel.my_funnel(db, rep)

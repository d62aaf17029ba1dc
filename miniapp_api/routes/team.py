"""The manager's team view: the team's funnel, its stalled deals, and what each member did."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, get
from litestar.params import Parameter

from backend.services.cards import funnel
from miniapp_api.guards import MANAGER
from schemas.miniapp import Funnel, StalledDeal, TeamActivity
from schemas.users import Actor


class TeamController(Controller):
    path = "/miniapp/v1/team"
    opt = {"access": MANAGER}
    tags = ["mini-program: team"]

    @get("/funnel", operation_id="miniappTeamFunnel")
    async def team_funnel(self, manager: Actor, db: asyncpg.Connection) -> Funnel:
        """The team's funnel (an admin: the whole company's)."""
        return await funnel.team_funnel(db, manager)

    @get("/stalled", operation_id="miniappTeamStalled")
    async def stalled(
        self, manager: Actor, db: asyncpg.Connection, limit: Annotated[int, Parameter(ge=1, le=100)] = 20
    ) -> list[StalledDeal]:
        """The team's open deals over their stage's time budget, the furthest over first."""
        return await funnel.team_stalled(db, manager, limit=limit)

    @get("/reps", operation_id="miniappTeamReps")
    async def reps(
        self, manager: Actor, db: asyncpg.Connection, days: Annotated[int, Parameter(ge=1, le=90)] = 7
    ) -> TeamActivity:
        """Per member: open deals, pipeline, activities, stage moves and card views in the last ``days``."""
        return await funnel.team_activity(db, manager, days=days)

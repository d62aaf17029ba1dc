"""The admin API under ``/admin/v1/`` (bearer token), one controller per resource."""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide

from backend.admin.deals import ActivityController, DealController
from backend.admin.guards import provide_admin_scope, provide_tenant, require_admin
from backend.admin.kb import KnowledgeBaseController
from backend.admin.nudges import CONTROLLERS as NUDGE_CONTROLLERS
from backend.admin.people import TeamController, UserController
from backend.admin.pipeline import StageController
from backend.admin.pool import CONTROLLERS as POOL_CONTROLLERS
from backend.admin.tenants import TenantController

# Other areas append their admin controllers here (knowledge base, nudge rules …).
CONTROLLERS: list = [
    TenantController,
    TeamController,
    UserController,
    StageController,
    DealController,
    ActivityController,
    *NUDGE_CONTROLLERS,
    KnowledgeBaseController,
    *POOL_CONTROLLERS,
]


ROUTES = [
    Router(
        path="/",
        route_handlers=CONTROLLERS,
        dependencies={"admin": Provide(provide_admin_scope), "tenant": Provide(provide_tenant)},
        guards=[require_admin],  # every admin route, present or future
    )
]

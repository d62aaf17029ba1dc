"""The mini-program API (``/miniapp/v1/``) and the H5 card page (``/c/{code}``)."""

from __future__ import annotations

from litestar import Router

from miniapp_api.guards import DEPENDENCIES, require_access
from miniapp_api.routes.cards import MyCardController, PublicCardController, RadarController
from miniapp_api.routes.h5 import H5CardController
from miniapp_api.routes.kb import KnowledgeController
from miniapp_api.routes.pool import DealPoolController, PoolController, TeamAccountController
from miniapp_api.routes.session import MeController, SessionController
from miniapp_api.routes.team import TeamController
from miniapp_api.routes.workbench import DealController, FunnelController

CONTROLLERS: list = [
    SessionController,
    MeController,
    PublicCardController,
    MyCardController,
    RadarController,
    DealController,
    FunnelController,
    TeamController,
    KnowledgeController,
    PoolController,
    DealPoolController,
    TeamAccountController,
    H5CardController,
]

# Every mini-program route passes ``require_access``: signed in unless it declares otherwise.
ROUTES: list = [Router(path="/", route_handlers=CONTROLLERS, dependencies=DEPENDENCIES, guards=[require_access])]

"""Who may touch what: reps their own deals, managers their team's, admins the tenant's."""

from __future__ import annotations

from typing import Any, Mapping

from backend.errors import Forbidden
from schemas.users import Actor


def can_touch_deal(actor: Actor, deal: Mapping[str, Any]) -> bool:
    if actor.role == "admin":
        return True
    if deal["owner_id"] == actor.user_id:
        return True
    return actor.role == "manager" and actor.team_id is not None and deal["owner_team_id"] == actor.team_id


def require_deal_access(actor: Actor, deal: Mapping[str, Any]) -> None:
    if not can_touch_deal(actor, deal):
        raise Forbidden("this deal belongs to someone else")


def scope_params(actor: Actor) -> dict[str, Any]:
    """The (tenant, role, user, team) parameters every visibility-scoped query takes."""
    return {
        "tenant_id": actor.tenant_id,
        "role": actor.role,
        "user_id": actor.user_id,
        "team_id": actor.team_id,
    }

"""Teams and users of a tenant."""

from __future__ import annotations

import asyncpg
from litestar import Controller, get, patch, post

from backend.services import tenants
from schemas.tenants import Tenant
from schemas.users import Team, TeamCreate, User, UserCreate, UserUpdate


class TeamController(Controller):
    path = "/admin/v1/tenants/{slug:str}/teams"
    tags = ["admin: people"]

    @post("/", operation_id="createTeam", status_code=201)
    async def create(self, tenant: Tenant, data: TeamCreate, db: asyncpg.Connection) -> Team:
        """Create a team (idempotent by name)."""
        return await tenants.create_team(db, tenant.tenant_id, data.name)

    @get("/", operation_id="listTeams")
    async def list(self, tenant: Tenant, db: asyncpg.Connection) -> list[Team]:
        """The tenant's teams."""
        return await tenants.list_teams(db, tenant.tenant_id)


class UserController(Controller):
    path = "/admin/v1/tenants/{slug:str}/users"
    tags = ["admin: people"]

    @post("/", operation_id="createUser", status_code=201)
    async def create(self, tenant: Tenant, data: UserCreate, db: asyncpg.Connection) -> User:
        """Create a user (role rep / manager / admin) in a team, with their WeChat Work userid."""
        return await tenants.create_user(db, tenant.tenant_id, data)

    @get("/", operation_id="listUsers")
    async def list(self, tenant: Tenant, db: asyncpg.Connection) -> list[User]:
        """The tenant's users."""
        return await tenants.list_users(db, tenant.tenant_id)

    @get("/{user_id:int}", operation_id="getUser")
    async def read(self, tenant: Tenant, user_id: int, db: asyncpg.Connection) -> User:
        """One user."""
        return await tenants.get_user(db, tenant.tenant_id, user_id)

    @patch("/{user_id:int}", operation_id="updateUser")
    async def update(self, tenant: Tenant, user_id: int, data: UserUpdate, db: asyncpg.Connection) -> User:
        """Change a user's name, role, team, WeChat Work userid, language or active flag."""
        return await tenants.update_user(db, tenant.tenant_id, user_id, data)

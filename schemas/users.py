"""Teams, users and the acting user (``Actor``) every service call carries."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from schemas.base import Base
from schemas.types import Email, Id, Name, Phone, Role

WecomUserId = Annotated[str, Meta(min_length=1, max_length=64)]


class TeamCreate(Base, kw_only=True):
    name: Name


class Team(msgspec.Struct, kw_only=True):
    team_id: int
    name: str
    created_at: dt.datetime


class UserCreate(Base, kw_only=True):
    name: Name
    role: Role = "rep"
    team: Name | None = None  # team name; created when missing
    wecom_userid: WecomUserId | None = None
    phone: Phone | None = None
    email: Email | None = None
    lang: Annotated[str, Meta(pattern=r"^(zh|en)$")] = "zh"


class UserUpdate(Base, kw_only=True):
    name: Name | UnsetType = UNSET
    role: Role | UnsetType = UNSET
    team: Name | None | UnsetType = UNSET
    wecom_userid: WecomUserId | None | UnsetType = UNSET
    phone: Phone | None | UnsetType = UNSET
    email: Email | None | UnsetType = UNSET
    lang: Annotated[str, Meta(pattern=r"^(zh|en)$")] | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class User(msgspec.Struct, kw_only=True):
    user_id: int
    name: str
    role: str
    team_id: int | None
    team: str | None
    wecom_userid: str | None
    miniapp_openid: str | None
    phone: str | None
    email: str | None
    lang: str
    active: bool
    created_at: dt.datetime


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Who is acting: every domain function is scoped by this."""

    tenant_id: int
    user_id: Id
    role: Role
    team_id: int | None = None
    name: str = ""
    lang: str = "zh"
    wecom_userid: str | None = None

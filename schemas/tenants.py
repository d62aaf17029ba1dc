"""Tenants (companies using tuoke) and their WeChat Work / mini-program configuration."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from schemas.base import Base
from schemas.types import HHMM, Name, Slug, Timezone

Secret = Annotated[str, Meta(max_length=200)]
# 43 letters and digits, or the masked form answers show (``****`` + the last 4): sent back, it
# keeps the stored key.
AesKey = Annotated[str, Meta(pattern=r"^([A-Za-z0-9]{43}|\*{4}[A-Za-z0-9]{0,4})?$")]


class WecomConfig(Base, kw_only=True):
    corp_id: Secret = ""
    # WeChat Work's console shows the AgentId as digits; a number or a string of digits is taken.
    agent_id: Annotated[int, Meta(ge=0, le=2**31)] | Annotated[str, Meta(pattern=r"^[0-9]{1,10}$")] = 0
    token: Secret = ""
    encoding_aes_key: AesKey = ""
    secret: Secret = ""

    def __post_init__(self) -> None:
        self.agent_id = int(self.agent_id)


class MiniappConfig(Base, kw_only=True):
    appid: Secret = ""
    secret: Secret = ""


class MpConfig(Base, kw_only=True):
    """The Official Account (公众号) callback: plain or safe mode."""

    appid: Secret = ""
    token: Secret = ""
    encoding_aes_key: AesKey = ""
    secret: Secret = ""


class TenantCreate(Base, kw_only=True):
    slug: Slug
    name: Name
    timezone: Timezone = "Asia/Shanghai"
    wecom: WecomConfig = msgspec.field(default_factory=WecomConfig)
    miniapp: MiniappConfig = msgspec.field(default_factory=MiniappConfig)
    mp: MpConfig = msgspec.field(default_factory=MpConfig)
    digest_time: HHMM = "08:30"
    quiet_start: HHMM = "21:00"
    quiet_end: HHMM = "08:00"


class TenantUpdate(Base, kw_only=True):
    name: Name | UnsetType = UNSET
    timezone: Timezone | UnsetType = UNSET
    wecom: WecomConfig | UnsetType = UNSET
    miniapp: MiniappConfig | UnsetType = UNSET
    mp: MpConfig | UnsetType = UNSET
    digest_time: HHMM | UnsetType = UNSET
    quiet_start: HHMM | UnsetType = UNSET
    quiet_end: HHMM | UnsetType = UNSET


class Tenant(msgspec.Struct, kw_only=True):
    tenant_id: int
    slug: str
    name: str
    timezone: str
    wecom: WecomConfig
    miniapp: MiniappConfig
    mp: MpConfig
    digest_time: str
    quiet_start: str
    quiet_end: str
    created_at: dt.datetime


class TenantCreated(msgspec.Struct, kw_only=True):
    tenant: Tenant
    api_token: str  # administers this tenant only; shown once


class ApiTokenCreated(msgspec.Struct, kw_only=True):
    token_id: int
    api_token: str

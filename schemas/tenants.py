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


class AibotConfig(Base, kw_only=True):
    """WeChat Work's AI bot (智能机器人): the callback's Token / EncodingAESKey, and the long
    connection's BotID / Secret. Write-only: answers show ``AibotView`` (secrets masked)."""

    token: Secret = ""
    encoding_aes_key: Annotated[str, Meta(pattern=r"^([A-Za-z0-9]{43})?$")] = ""
    bot_id: Secret = ""
    secret: Secret = ""


class AibotUpdate(Base, kw_only=True):
    """PATCH: only the fields given change (a secret left out keeps its value)."""

    token: Secret | UnsetType = UNSET
    encoding_aes_key: Annotated[str, Meta(pattern=r"^([A-Za-z0-9]{43})?$")] | UnsetType = UNSET
    bot_id: Secret | UnsetType = UNSET
    secret: Secret | UnsetType = UNSET


class AibotView(msgspec.Struct, kw_only=True):
    """The AI bot configuration as answers show it: the bot id, and secrets masked to their last 4."""

    bot_id: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    secret: str = ""


def mask(value: str) -> str:
    """As every secret leaves the server (backend.services.tenants.mask): ``****`` and the last 4
    characters of a long secret, ``****`` alone for a short one, ``""`` when none is set."""
    if not value:
        return ""
    return "****" + (value[-4:] if len(value) >= 12 else "")


def aibot_view(config: dict | None) -> AibotView:
    c = config or {}
    return AibotView(bot_id=str(c.get("bot_id") or ""), token=mask(str(c.get("token") or "")),
                     encoding_aes_key=mask(str(c.get("encoding_aes_key") or "")),
                     secret=mask(str(c.get("secret") or "")))


class TenantCreate(Base, kw_only=True):
    slug: Slug
    name: Name
    timezone: Timezone = "Asia/Shanghai"
    wecom: WecomConfig = msgspec.field(default_factory=WecomConfig)
    miniapp: MiniappConfig = msgspec.field(default_factory=MiniappConfig)
    mp: MpConfig = msgspec.field(default_factory=MpConfig)
    aibot: AibotConfig = msgspec.field(default_factory=AibotConfig)
    digest_time: HHMM = "08:30"
    quiet_start: HHMM = "21:00"
    quiet_end: HHMM = "08:00"


class TenantUpdate(Base, kw_only=True):
    name: Name | UnsetType = UNSET
    timezone: Timezone | UnsetType = UNSET
    wecom: WecomConfig | UnsetType = UNSET
    miniapp: MiniappConfig | UnsetType = UNSET
    mp: MpConfig | UnsetType = UNSET
    aibot: AibotUpdate | UnsetType = UNSET
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
    aibot: AibotView = msgspec.field(default_factory=AibotView)  # masked; the channel reads the real one


class TenantCreated(msgspec.Struct, kw_only=True):
    tenant: Tenant
    api_token: str  # administers this tenant only; shown once


class ApiTokenCreated(msgspec.Struct, kw_only=True):
    token_id: int
    api_token: str

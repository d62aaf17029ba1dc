"""What every step of handling one message knows: who, where, in which language, on which connection."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

import asyncpg

from backend.services import pipeline
from schemas.deals import Stage
from schemas.tenants import Tenant
from schemas.users import Actor


@dataclass
class Ctx:
    conn: asyncpg.Connection  # inside the message's transaction
    tenant: Tenant
    actor: Actor
    msg_key: str  # the inbound message's exactly-once key (also keys the outbox messages it causes)
    channel: str = "wecom"
    text: str = ""  # the message as the rep sent it (voice: its recognition)
    lang: str = "zh"
    pool: asyncpg.Pool | None = None  # for work that must not hold the message's connection
    deferred: list[int] = field(default_factory=list)  # bot_deferred ids to start after commit
    # A channel that streams slow answers itself (the AI bot): later(kind, payload, placeholder)
    # keeps the work and returns what to say now; None: slow work goes through bot_deferred/outbox.
    later: Callable[[str, dict[str, Any], str], Awaitable[str]] | None = None
    _stages: dict[str, Stage] | None = None

    async def stages(self) -> dict[str, Stage]:
        """The tenant's pipeline stages by key, in pipeline order (read once per message)."""
        if self._stages is None:
            self._stages = await pipeline.stage_map(self.conn, self.tenant.tenant_id)
        return self._stages

    async def stage_names(self) -> dict[str, str]:
        return {k: s.name_zh for k, s in (await self.stages()).items()}

    @property
    def recipient(self) -> str | None:
        """Where an app message for this rep goes (WeChat Work userid)."""
        return self.actor.wecom_userid

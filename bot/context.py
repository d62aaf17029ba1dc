"""What every step of handling one message knows: who, where, in which language, on which connection."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

import asyncpg

from backend.services import pipeline
from schemas.deals import Stage
from schemas.tenants import Tenant
from schemas.users import Actor

_SAVEPOINT_IDS = itertools.count(1)


class NeedSavepoints(BaseException):
    """Raised out of an optimistic savepoint that would have had to roll back: the message is rolled
    back whole and handled again with real savepoints (a BaseException, so that the code which
    caught the original error does not catch this)."""


class MessageConnection:
    """The message's connection, inside the message's transaction, where savepoints cost no round
    trip of their own.

    ``transaction()`` is a savepoint, as on asyncpg's connection inside a transaction. The bot's
    writes open two or three each (the action, the service, a contact's unique-violation guard), and
    nearly all of them are released unused, so:

    * **optimistic** (the first attempt at a message): no SAVEPOINT is sent. A savepoint left by an
      exception after statements ran inside it — the one case where ROLLBACK TO would have mattered
      — raises ``NeedSavepoints`` instead, and ``bot.dispatch`` rolls the message back and handles
      it again, careful. An exception before any statement ran needs no rollback and passes as is.
    * **careful**: a SAVEPOINT is sent with the first statement inside it (savepoints entered back
      to back go as one simple query), never released (COMMIT releases them; ROLLBACK TO an outer
      one drops the inner ones), and rolled back to when left by an exception.

    ``prime(sql, args, row)`` answers a read the message is known to make before it sends anything
    (the rep's pending question and pool_chat row, read by ``bot_message_begin`` in the round trip
    that started the message): the same statement with the same leading arguments gets ``row`` back,
    once, as long as nothing was sent before it. Several reads may be primed; each is answered at
    most once, and all are dropped as soon as any statement goes to the database (or a read that
    does not match one is asked), so a primed row is never older than what this message wrote.
    Everything else is the asyncpg connection's own.
    """

    __slots__ = ("raw", "careful", "statements", "wrote", "_pending", "_primed")

    def __init__(self, raw: asyncpg.Connection, *, careful: bool = True) -> None:
        self.raw = raw
        self.careful = careful
        self.statements = 0
        self.wrote = False  # sent anything but a known read (READ_ONLY_QUERIES): see bot.dispatch._finish
        self._pending: list[_Savepoint] = []
        self._primed: dict[str, tuple[tuple[Any, ...], Any]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)

    def transaction(self, **_options: Any) -> _Savepoint:
        return _Savepoint(self)

    def prime(self, query: str, args: tuple[Any, ...], row: Any) -> None:
        self._primed[_norm(query)] = (args, row)

    def _answer(self, query: str, args: tuple[Any, ...]) -> tuple[bool, Any]:
        if not self._primed:
            return False, None
        hit = self._primed.pop(_norm(query), None)
        if hit is not None and args[: len(hit[0])] == hit[0]:
            return True, hit[1]
        self._primed = {}  # a read of something else: it goes to the database, and so do the rest
        return False, None

    async def _before(self, query: str | None = None) -> None:
        self._primed = {}
        self.statements += 1
        if not self.wrote and (query is None or query not in _read_only_sql()):
            self.wrote = True
        if self._pending:
            pending, self._pending = self._pending, []
            for sp in pending:
                sp.established = True
            await self.raw.execute(" ".join(f"SAVEPOINT {sp.name};" for sp in pending))

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        await self._before(query)
        return await self.raw.execute(query, *args, timeout=timeout)

    async def executemany(self, command: str, args: Any, *, timeout: float | None = None) -> None:
        await self._before()
        return await self.raw.executemany(command, args, timeout=timeout)

    async def fetch(self, query: str, *args: Any, **kwargs: Any) -> list[Any]:
        await self._before(query)
        return await self.raw.fetch(query, *args, **kwargs)

    async def fetchrow(self, query: str, *args: Any, **kwargs: Any) -> Any:
        found, row = self._answer(query, args)
        if found:
            return row
        await self._before(query)
        return await self.raw.fetchrow(query, *args, **kwargs)

    async def fetchval(self, query: str, *args: Any, **kwargs: Any) -> Any:
        await self._before(query)
        return await self.raw.fetchval(query, *args, **kwargs)

    async def fetchmany(self, query: str, args: Any, **kwargs: Any) -> list[Any]:
        await self._before(query)
        return await self.raw.fetchmany(query, args, **kwargs)

    async def prepare(self, query: str, **kwargs: Any) -> Any:
        await self._before()
        return await self.raw.prepare(query, **kwargs)

    async def copy_records_to_table(self, table_name: str, **kwargs: Any) -> str:
        await self._before()
        return await self.raw.copy_records_to_table(table_name, **kwargs)


def _norm(query: str) -> str:
    return " ".join(query.split())


# Named queries that only read. A message that sent nothing else changed nothing but its own key
# and reply, and bot.dispatch commits it without waiting for the WAL flush. Whatever is not listed
# here counts as a write (so a new query errs on the durable side).
READ_ONLY_QUERIES = ("bot_pending_get", "pool_chat_get", "stage_list", "bot_open_deals", "bot_last_touched_deal",
                     "deal_get", "deal_list_visible", "deal_count_visible", "confirm_lead_duplicates")


@functools.lru_cache(maxsize=1)
def _read_only_sql() -> frozenset[str]:
    from backend.db.queries import queries

    return frozenset(getattr(queries._loaded, name).sql for name in READ_ONLY_QUERIES)


class _Savepoint:
    __slots__ = ("conn", "name", "established", "mark")

    def __init__(self, conn: MessageConnection) -> None:
        self.conn = conn
        self.name = f"tuoke_sp_{next(_SAVEPOINT_IDS)}"
        self.established = False
        self.mark = 0

    async def start(self) -> None:
        self.mark = self.conn.statements
        if self.conn.careful:
            self.conn._pending.append(self)

    async def commit(self) -> None:
        self._forget()

    async def rollback(self) -> None:
        self._forget()
        if self.established:
            await self.conn.raw.execute(f"ROLLBACK TO SAVEPOINT {self.name}")
        elif not self.conn.careful and self.conn.statements > self.mark:
            raise NeedSavepoints()

    def _forget(self) -> None:
        if self in self.conn._pending:  # never sent: it and anything entered after it are void
            del self.conn._pending[self.conn._pending.index(self):]

    async def __aenter__(self) -> _Savepoint:
        await self.start()
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc_type is None:
            await self.commit()
        elif exc_type is NeedSavepoints:
            self._forget()
        else:
            await self.rollback()
        return False


@dataclass
class Ctx:
    conn: asyncpg.Connection  # inside the message's transaction (a MessageConnection on the callback path)
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
    # The message parsed while the round trip that starts it was at PostgreSQL (bot.dispatch):
    # bot.conversation.understand uses it when it would parse the same text with the same stages.
    early: Any = None
    _stages: dict[str, Stage] | None = None

    async def stages(self) -> dict[str, Stage]:
        """The tenant's pipeline stages by key, in pipeline order (read once per message, or taken
        from the process's cache when the message checked the tenant's config version)."""
        if self._stages is None:
            self._stages = await pipeline.stage_map(self.conn, self.tenant.tenant_id)
        return self._stages

    async def stage_names(self) -> dict[str, str]:
        return {k: s.name_zh for k, s in (await self.stages()).items()}

    @property
    def recipient(self) -> str | None:
        """Where an app message for this rep goes (WeChat Work userid)."""
        return self.actor.wecom_userid

"""The LTC domain: leads, stage moves, activities, follow-ups, listings and undo.

Plain async functions over a connection (the caller owns the transaction where it matters).
Every function takes the acting user and refuses what that user may not touch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import asyncpg
import msgspec

from backend import clock
from backend.db.queries import queries
from backend.errors import Forbidden, Invalid, NotFound
from backend.services import accounts, pipeline
from backend.services.access import require_deal_access, scope_params
from schemas.deals import (
    Activity,
    Deal,
    DealPage,
    DealUpdate,
    LeadCreate,
    StageChange,
    Undone,
)
from schemas.users import Actor


_DEAL_FIELDS = frozenset(Deal.__struct_fields__)


def _deal(row: asyncpg.Record) -> Deal:
    return Deal(**{k: v for k, v in row.items() if k in _DEAL_FIELDS})


async def _log_change(conn: asyncpg.Connection, actor: Actor, op: str, deal_id: int | None, data: dict) -> None:
    await queries.change_insert(
        conn, tenant_id=actor.tenant_id, user_id=actor.user_id, op=op, deal_id=deal_id, data=data, now=clock.now()
    )


async def get_deal(conn: asyncpg.Connection, actor: Actor, deal_id: int) -> Deal:
    row = await queries.deal_get(conn, tenant_id=actor.tenant_id, deal_id=deal_id)
    if row is None:
        raise NotFound(f"no deal {deal_id}")
    require_deal_access(actor, row)
    return _deal(row)


async def create_lead(conn: asyncpg.Connection, actor: Actor, lead: LeadCreate, *, undoable: bool = True,
                      unless_duplicates: bool = False) -> Deal | None:
    """A deal in stage ``lead``, reusing the account (same normalised name) and contact (same phone/e-mail).

    ``undoable=False`` for leads the user did not make themselves (a card inquiry): their 撤销
    must not delete a customer's inquiry. ``unless_duplicates=True`` (the bot): nothing is written
    and None returned when the lead may repeat an open deal (as ``confirm_lead_duplicates`` finds).
    """
    owner_id = lead.owner_id or actor.user_id
    if owner_id != actor.user_id:
        owner = await queries.user_actor(conn, tenant_id=actor.tenant_id, user_id=owner_id)
        if owner is None:
            raise Invalid(f"no user {owner_id}", field="owner_id")
        require_deal_access(actor, {"owner_id": owner_id, "owner_team_id": owner["team_id"]})
    title = lead.title or (f"{lead.company} · {lead.product}" if lead.product else lead.company)
    # One round trip (migration 0018): the account, the contact, the deal, its history and undo's
    # record, the deal read back — the same rules as accounts.upsert_account / find_or_create_contact.
    async with _atomic(conn):
        row = await queries.deal_create_lead(
            conn, tenant_id=actor.tenant_id, user_id=actor.user_id, owner_id=owner_id,
            company=lead.company.strip(), norm_name=accounts.normalise_company(lead.company),
            contact_name=lead.contact_name, contact_title=lead.contact_title,
            phone=accounts.normalise_phone(lead.phone), email=lead.email.strip().lower() if lead.email else None,
            title=title[:200], product=lead.product, amount=lead.amount, expected_close=lead.expected_close,
            next_step=lead.next_step, source=lead.source, undoable=undoable, now=clock.now(),
            unless_duplicates=unless_duplicates,
        )
    return _deal(row) if row is not None else None


def _atomic(conn: asyncpg.Connection) -> Any:
    """Around a single statement that writes several rows: a savepoint inside the caller's
    transaction (so that a failure leaves the transaction usable, as the caller expects), nothing
    outside one (a statement is atomic by itself; BEGIN and COMMIT would be two round trips more)."""
    return conn.transaction() if conn.is_in_transaction() else contextlib.nullcontext()


def _snapshot(row: asyncpg.Record) -> dict[str, Any]:
    """What undo needs to put a deal back as it was."""
    return {
        "stage": row["stage"],
        "stage_entered_at": row["stage_entered_at"].isoformat(),
        "amount": row["amount"],
        "lost_reason": row["lost_reason"],
        "next_step": row["next_step"],
        "expected_close": row["expected_close"].isoformat() if row["expected_close"] else None,
        "product": row["product"],
        "last_activity_at": row["last_activity_at"].isoformat() if row["last_activity_at"] else None,
        "snoozed_until": row["snoozed_until"].isoformat() if row["snoozed_until"] else None,
    }


async def _locked_deal(conn: asyncpg.Connection, actor: Actor, deal_id: int) -> asyncpg.Record:
    row = await queries.deal_get_for_update(conn, tenant_id=actor.tenant_id, deal_id=deal_id)
    if row is None:
        raise NotFound(f"no deal {deal_id}")
    require_deal_access(actor, row)
    return row


async def move_stage(
    conn: asyncpg.Connection,
    actor: Actor,
    deal_id: int,
    stage: str,
    *,
    amount: int | None = None,
    reason: str | None = None,
) -> Deal:
    """Move a deal to ``stage``: a history row, a new stage entry time, won/lost rules.

    Won keeps the amount (or takes the contract value given); lost needs no amount and keeps the
    reason; paid may carry the payment amount. Moving to the stage it is already in only updates
    the amount/reason and keeps the stage clock running.
    """
    await pipeline.require_stage(conn, actor.tenant_id, stage)
    if amount is not None and amount < 0:
        raise Invalid("amount must not be negative", field="amount")
    # One round trip (migration 0018): the locking read, the access check (access.can_touch_deal's
    # rule), undo's snapshot (as _snapshot), the update by the rules above, the history row when the
    # stage changes, undo's record with its history_id, and the deal read back.
    async with _atomic(conn):
        row = await queries.deal_move_stage(
            conn, tenant_id=actor.tenant_id, deal_id=deal_id, stage=stage, amount=amount, reason=reason,
            user_id=actor.user_id, role=actor.role, team_id=actor.team_id, now=clock.now(),
        )
    if row["outcome"] == "not_found":
        raise NotFound(f"no deal {deal_id}")
    if row["outcome"] == "forbidden":
        raise Forbidden("this deal belongs to someone else")
    return _deal(row)


async def update_deal(conn: asyncpg.Connection, actor: Actor, deal_id: int, data: DealUpdate) -> Deal:
    """Change amount / expected close / next step / product, and the stage when given."""
    changes = {f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not msgspec.UNSET}
    stage = changes.pop("stage", None)
    reason = changes.pop("reason", None)
    if stage is not None:
        await move_stage(conn, actor, deal_id, stage, amount=changes.pop("amount", None), reason=reason)
    if not changes:
        return await get_deal(conn, actor, deal_id)
    now = clock.now()
    async with conn.transaction():
        row = await _locked_deal(conn, actor, deal_id)
        before = _snapshot(row)
        sets = ", ".join(f"{col} = ${i + 3}" for i, col in enumerate(changes))
        await conn.execute(
            f"UPDATE deals SET {sets}, updated_at = ${len(changes) + 3} WHERE tenant_id = $1 AND deal_id = $2",
            actor.tenant_id, deal_id, *changes.values(), now,
        )
        await _log_change(conn, actor, "update_deal", deal_id, {"before": before})
    return await get_deal(conn, actor, deal_id)


async def log_activity(
    conn: asyncpg.Connection, actor: Actor, deal_id: int, kind: str, body: str, *, undoable: bool = True
) -> Activity:
    if not body or not body.strip():
        raise Invalid("an activity needs a text", field="body")
    now = clock.now()
    async with conn.transaction():
        row = await _locked_deal(conn, actor, deal_id)
        activity_id = await queries.activity_insert(
            conn, tenant_id=actor.tenant_id, deal_id=deal_id, user_id=actor.user_id, kind=kind,
            body=body.strip(), due_at=None, now=now,
        )
        await queries.deal_touch(conn, tenant_id=actor.tenant_id, deal_id=deal_id, now=now)
        if undoable:
            await _log_change(
                conn, actor, "activity", deal_id,
                {"activity_id": activity_id, "last_activity_at": _snapshot(row)["last_activity_at"]},
            )
    return await _activity(conn, actor, deal_id, activity_id)


async def schedule_followup(
    conn: asyncpg.Connection, actor: Actor, deal_id: int, body: str, due_at: dt.datetime
) -> Activity:
    """A follow-up due at ``due_at``; the reminders job sends it through the outbox when due."""
    if due_at.tzinfo is None:
        raise Invalid("due time needs a timezone", field="due_at")
    if not body or not body.strip():
        raise Invalid("a follow-up needs a text", field="body")
    now = clock.now()
    async with conn.transaction():
        await _locked_deal(conn, actor, deal_id)
        activity_id = await queries.activity_insert(
            conn, tenant_id=actor.tenant_id, deal_id=deal_id, user_id=actor.user_id, kind="followup",
            body=body.strip(), due_at=due_at, now=now,
        )
        await _log_change(conn, actor, "followup", deal_id, {"activity_id": activity_id})
    return await _activity(conn, actor, deal_id, activity_id)


async def snooze(conn: asyncpg.Connection, actor: Actor, deal_id: int, days: int) -> Deal:
    if not 1 <= days <= 365:
        raise Invalid("snooze between 1 and 365 days", field="days")
    now = clock.now()
    async with conn.transaction():
        row = await _locked_deal(conn, actor, deal_id)
        await queries.deal_set_snooze(
            conn, tenant_id=actor.tenant_id, deal_id=deal_id, until=now + dt.timedelta(days=days), now=now
        )
        await _log_change(conn, actor, "snooze", deal_id, {"before": _snapshot(row)})
    return await get_deal(conn, actor, deal_id)


async def _activity(conn: asyncpg.Connection, actor: Actor, deal_id: int, activity_id: int) -> Activity:
    row = await queries.activity_get(conn, tenant_id=actor.tenant_id, activity_id=activity_id)
    if row is None or row["deal_id"] != deal_id:
        raise NotFound(f"no activity {activity_id}")
    return Activity(**dict(row))


async def list_deals(
    conn: asyncpg.Connection,
    actor: Actor,
    *,
    stage: str | None = None,
    owner_id: int | None = None,
    open_only: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> DealPage:
    """Deals the actor may see, most urgent first (furthest over the stage's SLA)."""
    params = scope_params(actor) | {"stage": stage, "owner_id": owner_id, "open_only": open_only}
    rows = await queries.deal_list_visible(conn, **params, now=clock.now(), limit=limit, offset=offset)
    if limit > 0 and ((rows and len(rows) < limit) or (not rows and offset == 0)):
        total = offset + len(rows)  # the page ends before the limit: it already tells the total
    else:
        total = await queries.deal_count_visible(conn, **params)
    return DealPage(items=[_deal(r) for r in rows], total=total)


async def deal_history(conn: asyncpg.Connection, actor: Actor, deal_id: int) -> list[StageChange]:
    await get_deal(conn, actor, deal_id)
    rows = await queries.stage_history_for_deal(conn, tenant_id=actor.tenant_id, deal_id=deal_id)
    return [StageChange(**dict(r)) for r in rows]


async def deal_activities(conn: asyncpg.Connection, actor: Actor, deal_id: int, limit: int = 50) -> list[Activity]:
    await get_deal(conn, actor, deal_id)
    rows = await queries.activities_for_deal(conn, tenant_id=actor.tenant_id, deal_id=deal_id, limit=limit)
    return [Activity(**dict(r)) for r in rows]


def _ts(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


async def undo_last(conn: asyncpg.Connection, actor: Actor) -> Undone | None:
    """Revert the actor's last change (撤销 / undo). ``None`` when there is nothing to undo."""
    now = clock.now()
    async with conn.transaction():
        change = await queries.change_last_for_user(conn, tenant_id=actor.tenant_id, user_id=actor.user_id)
        if change is None:
            return None
        op, deal_id, data = change["op"], change["deal_id"], change["data"]
        title = None
        if deal_id is not None:
            row = await queries.deal_get(conn, tenant_id=actor.tenant_id, deal_id=deal_id)
            title = row["title"] if row else None
        if op == "create_lead" and title is not None:
            await queries.deal_delete(conn, tenant_id=actor.tenant_id, deal_id=deal_id)
            summary = f"removed the new lead {title}"
        elif op in ("move_stage", "update_deal", "snooze") and title is not None:
            before = data["before"]
            await queries.deal_restore(
                conn, tenant_id=actor.tenant_id, deal_id=deal_id, stage=before["stage"],
                stage_entered_at=_ts(before["stage_entered_at"]), amount=before["amount"],
                lost_reason=before["lost_reason"], next_step=before["next_step"],
                expected_close=dt.date.fromisoformat(before["expected_close"]) if before["expected_close"] else None,
                product=before["product"], last_activity_at=_ts(before["last_activity_at"]),
                snoozed_until=_ts(before["snoozed_until"]), now=now,
            )
            if data.get("history_id"):
                await queries.stage_history_delete(conn, tenant_id=actor.tenant_id, history_id=data["history_id"])
            summary = f"{title} is back in stage {before['stage']}"
        elif op in ("activity", "followup"):
            await queries.activity_delete(conn, tenant_id=actor.tenant_id, activity_id=data["activity_id"])
            if op == "activity" and title is not None:
                await conn.execute(
                    "UPDATE deals SET last_activity_at = $3 WHERE tenant_id = $1 AND deal_id = $2",
                    actor.tenant_id, deal_id, _ts(data.get("last_activity_at")),
                )
            summary = f"removed the {'follow-up' if op == 'followup' else 'activity'} on {title or 'a deal'}"
        else:
            summary = "nothing left to revert for that change"
        await queries.change_mark_undone(conn, tenant_id=actor.tenant_id, change_id=change["change_id"], now=now)
    return Undone(op=op, deal_id=deal_id, summary=summary)

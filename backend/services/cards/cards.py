"""A rep's card: created on first use from the rep's profile, edited by the rep, opened by code."""

from __future__ import annotations

import secrets
from typing import Any

import asyncpg
import msgspec

from backend import clock
from backend.db.queries import queries
from backend.errors import Invalid, NotFound
from backend.services import tenants
from backend.services.kb import ingest as kb_ingest
from backend.settings import get_settings
from schemas.cards import Card, CardUpdate, Product
from schemas.users import Actor

# Codes are read aloud and typed: no 0/o, 1/l/i.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 8
SHARE_TOKEN_BYTES = 8  # token_urlsafe(8): 11 characters


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_share_token() -> str:
    return secrets.token_urlsafe(SHARE_TOKEN_BYTES)


def card_url(code: str, share: str | None) -> str:
    base = get_settings().public_base_url
    return f"{base}/c/{code}" + (f"?s={share}" if share else "")


def card_path(code: str, share: str | None) -> str:
    """The mini-program page that shows a card (what ``onShareAppMessage`` returns)."""
    return f"/pages/card/index?code={code}" + (f"&s={share}" if share else "")


def products_of(value: Any) -> list[Product]:
    return msgspec.convert(value or [], list[Product])


def _card(row: asyncpg.Record) -> Card:
    return Card(
        code=row["code"], name=row["name"], title=row["title"], company=row["company"], phone=row["phone"],
        email=row["email"], wechat_id=row["wechat_id"], avatar_url=row["avatar_url"], bio=row["bio"],
        products=products_of(row["products"]), share=row["root_share"],
        url=card_url(row["code"], row["root_share"]), path=card_path(row["code"], row["root_share"]),
        updated_at=row["updated_at"],
    )


async def my_card(conn: asyncpg.Connection, actor: Actor) -> Card:
    """The actor's card, created on first use with their name, phone, e-mail and company."""
    row = await queries.cards_for_user(conn, tenant_id=actor.tenant_id, user_id=actor.user_id)
    if row is not None:
        return _card(row)
    user = await tenants.get_user(conn, actor.tenant_id, actor.user_id)
    tenant = await tenants.get_tenant(conn, actor.tenant_id)
    now = clock.now()
    async with conn.transaction():
        for _ in range(10):
            card_id = await queries.cards_insert(
                conn, tenant_id=actor.tenant_id, user_id=actor.user_id, code=new_code(),
                name=user.name[:50], title="", company=tenant.name[:100], phone=user.phone,
                email=user.email, now=now,
            )
            if card_id is not None:
                await queries.cards_root_share_insert(
                    conn, tenant_id=actor.tenant_id, card_id=card_id, token=new_share_token(), now=now
                )
                break
            # Nothing inserted: the rep got a card meanwhile, or the code was taken (try another).
            if await queries.cards_for_user(conn, tenant_id=actor.tenant_id, user_id=actor.user_id):
                break
    row = await queries.cards_for_user(conn, tenant_id=actor.tenant_id, user_id=actor.user_id)
    if row is None:
        raise NotFound("could not create the card; try again")
    return _card(row)


async def update_card(conn: asyncpg.Connection, actor: Actor, data: CardUpdate) -> Card:
    card = await my_card(conn, actor)
    row = await queries.cards_for_user(conn, tenant_id=actor.tenant_id, user_id=actor.user_id)
    values = {f: getattr(card, f) for f in CardUpdate.__struct_fields__}
    for field in CardUpdate.__struct_fields__:
        value = getattr(data, field)
        if value is not msgspec.UNSET:
            values[field] = value
    for product in values["products"]:
        if product.doc_id is not None:
            try:
                await kb_ingest.get_document(conn, actor.tenant_id, product.doc_id)
            except NotFound:
                raise Invalid(f"no knowledge-base document {product.doc_id!r} for {product.title!r}",
                              field="products") from None
    values["products"] = msgspec.to_builtins(values["products"])
    await queries.cards_update(conn, tenant_id=actor.tenant_id, card_id=row["card_id"], now=clock.now(), **values)
    return await my_card(conn, actor)

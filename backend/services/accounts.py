"""Accounts (customer companies) and contacts, de-duplicated.

Same normalised company name → same account (traditional/simplified, width, case, spaces and
legal suffixes such as 有限公司 / Co., Ltd. do not make a new account). Same phone or e-mail →
same contact.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import asyncpg
import zhconv

from backend.db.queries import queries

_LEGAL_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司",
    "co ltd", "co., ltd.", "co.,ltd.", "co. ltd", "ltd", "limited", "inc", "llc", "corp", "corporation", "gmbh",
)
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@functools.lru_cache(maxsize=8192)  # pure; the bot's deal finder normalises every candidate deal's name per message
def normalise_company(name: str) -> str:
    text = zhconv.convert(unicodedata.normalize("NFKC", name), "zh-cn").lower().strip()
    changed = True
    while changed:
        changed = False
        for suffix in _LEGAL_SUFFIXES:
            stripped = text.rstrip(" .,")
            if stripped.endswith(suffix) and len(stripped) > len(suffix):
                text = stripped[: -len(suffix)]
                changed = True
    return _PUNCT.sub("", text) or _PUNCT.sub("", name.lower()) or name


def normalise_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits or None


async def upsert_account(conn: asyncpg.Connection, tenant_id: int, name: str) -> int:
    return await queries.account_upsert(conn, tenant_id=tenant_id, name=name.strip(), norm_name=normalise_company(name))


async def find_or_create_contact(
    conn: asyncpg.Connection,
    tenant_id: int,
    *,
    account_id: int | None,
    name: str | None,
    title: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    openid: str | None = None,
) -> int | None:
    """The contact with this phone or e-mail (filled in with what is new), else a new one."""
    phone = normalise_phone(phone)
    email = email.strip().lower() if email else None
    if not (name or phone or email):
        return None
    existing = None
    if phone or email:
        existing = await queries.contact_by_phone_or_email(conn, tenant_id=tenant_id, phone=phone, email=email)
    elif name and account_id:
        existing = await queries.contact_by_name(conn, tenant_id=tenant_id, account_id=account_id, name=name)
    if existing:
        try:
            async with conn.transaction():
                await queries.contact_fill(
                    conn, tenant_id=tenant_id, contact_id=existing["contact_id"], account_id=account_id,
                    name=name, title=title, phone=phone, email=email, openid=openid,
                )
        except asyncpg.UniqueViolationError:
            pass  # the other identifier belongs to another contact already: keep both as they are
        return existing["contact_id"]
    try:
        async with conn.transaction():  # a savepoint: a concurrent insert of the same phone wins
            return await queries.contact_insert(
                conn, tenant_id=tenant_id, account_id=account_id, name=name, title=title,
                phone=phone, email=email, openid=openid,
            )
    except asyncpg.UniqueViolationError:
        existing = await queries.contact_by_phone_or_email(conn, tenant_id=tenant_id, phone=phone, email=email)
        return existing["contact_id"]

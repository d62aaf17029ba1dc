"""Distributing the schema by tenant (Citus): which tables are distributed, which are global.

Every table is distributed by ``tenant_id`` (all co-located, so a tenant's rows of every table live
on one node and joins, foreign keys and transactions stay local) — except the few listed here, which
must be read without knowing the tenant, or are the service's own bookkeeping. The catalog test
(``tests/integration/test_citus_ready.py``) fails when a table not listed here has a primary key
that does not start with ``tenant_id``, a foreign key without ``tenant_id`` on both sides, or a
unique constraint / index without ``tenant_id``.
"""

from __future__ import annotations

# Tables replicated to every node (Citus reference tables): small, read by a key that carries no tenant.
REFERENCE_TABLES: dict[str, str] = {
    "tenants": "the tenant itself: looked up by slug from every URL (/wecom/{slug}/callback, the admin API); "
               "one row a company, so replicating it is cheap, and every distributed table's foreign key to it is allowed",
    "api_tokens": "a tenant-scoped admin token is looked up by its hash before the tenant is known (a few rows a tenant)",
}

# Tables outside the distributed schema altogether.
LOCAL_TABLES: dict[str, str] = {
    "schema_migrations": "the migration log of the coordinator (Citus propagates the DDL itself)",
}

# Unique keys without tenant_id that a public link needs, in tables that are otherwise distributed:
# before distributing, move the lookup into a reference table (code → tenant_id) and drop the index.
GLOBAL_KEYS: dict[tuple[str, str], str] = {
    ("cards", "cards_code"): "the public card link /c/{code} carries no tenant: a code is unique across tenants; "
                             "on Citus keep (code, tenant_id) in a reference table and look the tenant up there first",
    ("digests", "digests_token_key"): "the digest page link /d/{token} carries no tenant; as for card codes, a "
                                      "reference table (token, tenant_id) takes the unique key on Citus",
}


def setup_sql(tables: list[str]) -> list[str]:
    """The statements that distribute a migrated database on a Citus coordinator: reference tables
    first, then every other table by tenant_id, co-located with ``users``."""
    out = [f"SELECT create_reference_table('{t}');" for t in REFERENCE_TABLES if t in tables]
    distributed = [t for t in tables if t not in REFERENCE_TABLES and t not in LOCAL_TABLES]
    anchor = "users" if "users" in distributed else (distributed[0] if distributed else None)
    if anchor:
        out.append(f"SELECT create_distributed_table('{anchor}', 'tenant_id');")
    out += [f"SELECT create_distributed_table('{t}', 'tenant_id', colocate_with => '{anchor}');"
            for t in distributed if t != anchor]
    out.append("SELECT create_distributed_function('bot_message_begin(bigint, text, text, text, timestamptz)', "
               "'p_tenant_id', colocate_with => 'users');")
    out.append("SELECT create_distributed_function('deal_create_lead(bigint, bigint, bigint, text, text, text, text, "
               "text, text, text, text, bigint, date, text, text, boolean, timestamptz, boolean)', "
               "'p_tenant_id', colocate_with => 'users');")
    out.append("SELECT create_distributed_function('deal_move_stage(bigint, bigint, text, bigint, text, bigint, "
               "text, bigint, timestamptz)', 'p_tenant_id', colocate_with => 'users');")
    return out

"""The schema can be distributed by tenant (Citus): read from the catalog of the migrated database,
every table's primary key starts with tenant_id, every foreign key carries tenant_id on both sides,
and every unique key includes it — except the global tables and keys listed, with the reason, in
``backend/db/citus.py``. A new table or key that breaks this fails here."""

from __future__ import annotations

from backend.db import citus

TABLES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1
"""

# Columns of a constraint or index, in order, by name.
CONSTRAINTS = """
SELECT c.relname AS tbl, con.conname, con.contype::text AS kind,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o) AS cols,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_cols,
       con.confrelid::regclass::text AS ref_table
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND con.contype IN ('p', 'f', 'u')
"""

UNIQUE_INDEXES = """
SELECT t.relname AS tbl, i.relname AS name,
       ARRAY(SELECT a.attname::text FROM unnest(x.indkey::int2[]) k(n)
             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n) AS cols
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = 'public' AND x.indisunique
"""


def _global(table: str) -> bool:
    return table in citus.REFERENCE_TABLES or table in citus.LOCAL_TABLES


async def test_every_distributed_table_is_keyed_by_tenant(db):
    tables = [r["relname"] for r in await db.fetch(TABLES)]
    constraints = await db.fetch(CONSTRAINTS)
    problems = []
    for table in tables:
        if _global(table):
            continue
        pk = [c for c in constraints if c["tbl"] == table and c["kind"] == "p"]
        if not pk:
            problems.append(f"{table}: no primary key")
        elif pk[0]["cols"][0] != "tenant_id":
            problems.append(f"{table}: primary key {pk[0]['cols']} does not start with tenant_id")
    for c in constraints:
        if c["kind"] != "f" or _global(c["tbl"]):
            continue
        if c["ref_table"] in citus.REFERENCE_TABLES:
            continue  # a distributed table may point at a reference table by any key
        pairs = dict(zip(c["cols"], c["ref_cols"]))
        if pairs.get("tenant_id") != "tenant_id":
            problems.append(f"{c['tbl']}.{c['conname']}: foreign key {c['cols']} → {c['ref_table']}{c['ref_cols']} "
                            "does not carry tenant_id on both sides")
    assert not problems, "not distributable by tenant:\n" + "\n".join(problems)


async def test_every_unique_key_of_a_distributed_table_includes_tenant(db):
    problems = []
    for row in await db.fetch(UNIQUE_INDEXES):
        if _global(row["tbl"]) or (row["tbl"], row["name"]) in citus.GLOBAL_KEYS:
            continue
        if "tenant_id" not in row["cols"]:
            problems.append(f"{row['tbl']}.{row['name']}: unique on {row['cols']} without tenant_id")
    assert not problems, "unique keys Citus cannot enforce per tenant:\n" + "\n".join(problems)


async def test_the_global_lists_name_real_tables_and_keys_and_say_why(db):
    tables = {r["relname"] for r in await db.fetch(TABLES)}
    indexes = {(r["tbl"], r["name"]) for r in await db.fetch(UNIQUE_INDEXES)}
    for table, why in {**citus.REFERENCE_TABLES, **citus.LOCAL_TABLES}.items():
        assert table in tables and len(why) > 20
    for key, why in citus.GLOBAL_KEYS.items():
        assert key in indexes and len(why) > 20
    statements = citus.setup_sql(sorted(tables))
    assert statements[0] == "SELECT create_reference_table('tenants');"
    assert "SELECT create_distributed_table('deals', 'tenant_id', colocate_with => 'users');" in statements

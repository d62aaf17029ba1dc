"""The dimension-dependent half of the vector store: the HNSW index per dimension and the dense query.

A migration cannot know the configured model's dimension, so the vectors column is an untyped
``vector`` and each dimension in use gets a partial expression index, created here at run time
(idempotent, under an advisory lock, once per process and dimension)::

    CREATE INDEX kb_embeddings_hnsw_384 ON kb_embeddings
        USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE dims = 384

The dense query repeats that expression and predicate so the planner can use the index; the only
thing formatted into its text is the dimension, an ``int``.

The HNSW search settings (ef_search 100, iterative scans) are session defaults, set once per
connection by ``backend.db.pool`` when it opens one (``HNSW_SETTINGS``), so a dense query is one round
trip (``SET LOCAL`` in a transaction made it four: BEGIN, SET, the query, COMMIT).
"""

from __future__ import annotations

import asyncpg
import numpy as np

from backend.db.queries import queries
from backend.services.kb import embedder as embedding

_LOCK_KEY = 0x6B62_5F69  # "kb_i"


def _dims(dims: int) -> int:
    dims = int(dims)
    if not 1 <= dims <= 2000:
        raise ValueError(f"pgvector's HNSW indexes vectors of 1 to 2000 dimensions, not {dims}")
    return dims


async def ensure_vector_index(conn: asyncpg.Connection, dims: int) -> None:
    """Create the HNSW index for ``dims`` when it does not exist yet (safe from many processes)."""
    dims = _dims(dims)
    name = f"kb_embeddings_hnsw_{dims}"
    if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", name):
        return
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", _LOCK_KEY, dims)
        await conn.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON kb_embeddings "
            f"USING hnsw ((embedding::vector({dims})) vector_cosine_ops) WHERE dims = {dims}"
        )


async def dense_search(conn: asyncpg.Connection, *, tenant_id: int, model: str, dims: int, vector: np.ndarray,
                       limit: int, kinds: list[str] | None, competitors: list[str] | None,
                       products: list[str] | None) -> list[asyncpg.Record]:
    """Chunks nearest to ``vector`` for one tenant and model: (chunk_id, document_id, similarity), best first."""
    dims = _dims(dims)
    sql = f"""
        SELECT e.chunk_id, c.document_id, 1 - (e.embedding::vector({dims}) <=> $3::vector({dims})) AS similarity
        FROM kb_embeddings e
        JOIN kb_chunks c ON c.tenant_id = e.tenant_id AND c.chunk_id = e.chunk_id
        JOIN kb_documents d ON d.tenant_id = c.tenant_id AND d.document_id = c.document_id
        WHERE e.dims = {dims} AND e.tenant_id = $1 AND e.model = $2
          AND ($5::text[] IS NULL OR d.kind = ANY($5::text[]))
          AND ($6::text[] IS NULL OR d.kind <> 'competitor' OR d.competitor IS NULL OR d.competitor = ANY($6::text[]))
          AND ($7::text[] IS NULL OR d.kind <> 'selling_point' OR d.product IS NULL OR d.product = ANY($7::text[]))
        ORDER BY e.embedding::vector({dims}) <=> $3::vector({dims})
        LIMIT $4
    """
    rows = await conn.fetch(sql, tenant_id, model, np.asarray(vector, dtype=np.float32), limit,
                            kinds, competitors, products)
    return sorted(rows, key=lambda r: -r["similarity"])


async def dense_search_many(conn: asyncpg.Connection, *, tenant_id: int, searches: list[tuple[str, int, np.ndarray]],
                            limit: int, kinds: list[str] | None, competitors: list[str] | None,
                            products: list[str] | None) -> list[list[asyncpg.Record]]:
    """:func:`dense_search` for several models at once — (model name, dims, vector) each — in one
    statement (one round trip); one ranking per model, in order."""
    rankings, _ = await dense_candidates(conn, tenant_id=tenant_id, searches=searches, limit=limit, kinds=kinds,
                                         competitors=competitors, products=products)
    return rankings


async def dense_candidates(conn: asyncpg.Connection, *, tenant_id: int, searches: list[tuple[str, int, np.ndarray]],
                           limit: int, kinds: list[str] | None, competitors: list[str] | None,
                           products: list[str] | None) -> tuple[list[list[asyncpg.Record]], set[str]]:
    """:func:`dense_search_many`'s rankings, and which of the models still have chunks of the tenant
    waiting for their vector (``kb_embed_pending``: a partly embedded knowledge base), from the same
    statement."""
    if not searches:
        return [], set()
    parts = []
    args: list[object] = [tenant_id, limit, kinds, competitors, products]
    for i, (model, dims, vector) in enumerate(searches):
        dims = _dims(dims)
        m, v = len(args) + 1, len(args) + 2
        args += [model, np.asarray(vector, dtype=np.float32)]
        parts.append(f"""
        (SELECT {i} AS k, e.chunk_id, c.document_id, c.text ~ '[\u4e00-\u9fff]' AS chinese,
                1 - (e.embedding::vector({dims}) <=> ${v}::vector({dims})) AS similarity
         FROM kb_embeddings e
         JOIN kb_chunks c ON c.tenant_id = e.tenant_id AND c.chunk_id = e.chunk_id
         JOIN kb_documents d ON d.tenant_id = c.tenant_id AND d.document_id = c.document_id
         WHERE e.dims = {dims} AND e.tenant_id = $1 AND e.model = ${m}
           AND ($3::text[] IS NULL OR d.kind = ANY($3::text[]))
           AND ($4::text[] IS NULL OR d.kind <> 'competitor' OR d.competitor IS NULL OR d.competitor = ANY($4::text[]))
           AND ($5::text[] IS NULL OR d.kind <> 'selling_point' OR d.product IS NULL OR d.product = ANY($5::text[]))
         ORDER BY e.embedding::vector({dims}) <=> ${v}::vector({dims})
         LIMIT $2)""")
    for i in range(len(searches)):  # one row (k = -1 - i) when model i has chunks waiting for a vector
        parts.append(f"""
        (SELECT {-1 - i} AS k, NULL::bigint, NULL::bigint, NULL::boolean, NULL::float8
         FROM kb_embed_pending p WHERE p.tenant_id = $1 AND p.model = ${6 + 2 * i} LIMIT 1)""")
    sql = " UNION ALL ".join(parts)
    rows = await conn.fetch(sql, *args)
    out: list[list[asyncpg.Record]] = [[] for _ in searches]
    waiting: set[str] = set()
    for row in rows:
        if row["k"] < 0:
            waiting.add(searches[-1 - row["k"]][0])
        else:
            out[row["k"]].append(row)
    return [sorted(r, key=lambda x: -x["similarity"]) for r in out], waiting


async def fill_in(conn: asyncpg.Connection, tenant_id: int, models: list[embedding.Embedder],
                  vectors: list[np.ndarray], lexical: set[int], found: list[list[asyncpg.Record]],
                  waiting: set[str]) -> list[list[asyncpg.Record] | list[dict]]:
    """Each model's ranking (``found``, from :func:`dense_candidates`) with the candidates it has no
    vector of yet filled in — a partly embedded knowledge base, whose new chunks wait for the
    expensive model (``background``).

    A candidate (a chunk any ranking found, ``lexical`` included) lacking model W's vector would count
    as W's lowest similarity: last, for no fault of its own. Instead it gets the similarity W would
    give it at the same standing: its similarity by the first model that covers every candidate,
    mapped onto W's scale by matching the mean and spread of the two models over the candidates both
    ranked (over the question's similarities to everyday chit-chat while W has none of them). One
    indexed read, made only while the tenant has chunks waiting (``waiting``)."""
    candidates = set(lexical) | {r["chunk_id"] for rows in found for r in rows}
    lacking: dict[str, set[int]] = {}
    for row in await queries.kb_embed_waiting_among(conn, tenant_id=tenant_id, chunk_ids=sorted(candidates)):
        if row["model"] in waiting:
            lacking.setdefault(row["model"], set()).add(row["chunk_id"])
    reference_index = next((i for i, (m, rows) in enumerate(zip(models, found)) if m.name not in lacking and rows), None)
    if not lacking or reference_index is None:
        return found
    ref = {r["chunk_id"]: r for r in found[reference_index]}
    out: list = list(found)
    for i, model in enumerate(models):
        missing = [c for c in sorted(lacking.get(model.name, ())) if c in ref]
        if not missing:
            continue
        pairs = [(float(ref[r["chunk_id"]]["similarity"]), float(r["similarity"])) for r in found[i] if r["chunk_id"] in ref]
        if len(pairs) >= 3:
            xs, ys = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
        else:  # too few candidates in common (none embedded by it yet): both models' similarities of the
            # question to the everyday chit-chat (embedder.BACKGROUND) give the mapping
            xs = models[reference_index].background @ vectors[reference_index]
            ys = model.background @ vectors[i]
        scale = float(ys.std() / xs.std()) if xs.std() > 1e-9 else 0.0
        filled = [{"chunk_id": c, "document_id": ref[c]["document_id"], "chinese": ref[c]["chinese"],
                   "similarity": float(ys.mean()) + (float(ref[c]["similarity"]) - float(xs.mean())) * scale}
                  for c in missing]
        out[i] = sorted([*found[i], *filled], key=lambda r: -r["similarity"])
    return out

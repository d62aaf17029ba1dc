"""Hybrid retrieval: dense (pgvector) and lexical (jieba terms) rankings fused by reciprocal rank.

1. Read filters off the question (:mod:`.filters`) and apply them, with an explicit ``kind``, to both
   retrievers.
2. Dense: the configured embedder's query vector against the tenant's chunk vectors (HNSW).
   Lexical: the question's terms against the chunks' tsvectors (GIN), IDF-weighted.
3. Fuse by reciprocal rank (RRF, k=60), keep each document's best chunk.
4. The score floor: a passage needs evidence — a dense similarity at or over the model's
   ``min_similarity``, or lexical terms covering at least ``LEXICAL_FLOOR`` of the question's IDF
   mass. When nothing passes, the answer is an empty list and the bot says it found nothing.
"""

from __future__ import annotations

from typing import Literal

import asyncpg
import msgspec

from backend.db.queries import queries
from backend.services.kb import embedder as embedding, filters as kb_filters, lexical, store
from schemas.kb import Passage

Mode = Literal["hybrid", "lexical", "dense"]
CANDIDATES = 50  # how deep each retriever's ranking goes into the fusion
RRF_K = 60
LEXICAL_FLOOR = 0.5
MAX_QUERY_CHARS = 500


class Scored(msgspec.Struct, kw_only=True):
    passage: Passage
    chunk_id: int
    similarity: float | None  # dense cosine similarity, when the dense ranking had it
    coverage: float | None  # lexical share of the question's IDF mass
    passes_floor: bool


async def _lexical(conn: asyncpg.Connection, tenant_id: int, terms: list[str], f: kb_filters.Filters
                   ) -> list[tuple[int, float]]:
    if not terms:
        return []
    distinct = list(dict.fromkeys(terms))
    rows = await queries.kb_lexical_search(
        conn, tenant_id=tenant_id, terms=distinct,
        tsqueries=[lexical.tsquery_literal([t]) for t in distinct],
        tsqueries_title=[lexical.tsquery_literal([t], "A") for t in distinct],
        any_query=lexical.tsquery_literal(distinct), kinds=f.kinds, competitors=f.competitors,
        products=f.products, limit=CANDIDATES,
    )
    return [(r["chunk_id"], float(r["score"]) / float(r["total"] or 1.0)) for r in rows]


async def _dense(conn: asyncpg.Connection, tenant_id: int, question: str, f: kb_filters.Filters,
                 model: embedding.Embedder) -> list[tuple[int, float]]:
    vector = await embedding.embed_query(model, question)
    rows = await store.dense_search(conn, tenant_id=tenant_id, model=model.name, dims=model.dims, vector=vector,
                                    limit=CANDIDATES, kinds=f.kinds, competitors=f.competitors, products=f.products)
    return [(r["chunk_id"], float(r["similarity"])) for r in rows]


async def retrieve(conn: asyncpg.Connection, tenant_id: int, query: str, *, k: int = 3, kind: str | None = None,
                   mode: Mode = "hybrid", model: embedding.Embedder | None = None) -> list[Scored]:
    """The best ``k`` documents' passages, best first, each with its evidence and whether it
    passes the score floor (``search`` keeps only those that do)."""
    question = " ".join(query.split())[:MAX_QUERY_CHARS]
    if not question or k < 1:
        return []
    f = await kb_filters.infer(conn, tenant_id, question, kind)
    lex: list[tuple[int, float]] = []
    dense: list[tuple[int, float]] = []
    if mode in ("hybrid", "lexical"):
        lex = await _lexical(conn, tenant_id, lexical.terms(question), f)
    if mode in ("hybrid", "dense"):
        model = model or await embedding.aget_embedder()
        dense = await _dense(conn, tenant_id, lexical.normalise(question), f, model)

    fused: dict[int, float] = {}
    for ranking in (lex, dense):
        for rank, (chunk_id, _) in enumerate(ranking, start=1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
    if not fused:
        return []
    similarity = dict(dense)
    coverage = dict(lex)
    best_possible = (int(bool(lex)) + int(bool(dense))) / (RRF_K + 1)
    order = sorted(fused, key=lambda c: (-fused[c], -similarity.get(c, -1.0), c))
    rows = {r["chunk_id"]: r for r in await queries.kb_chunks_by_id(conn, tenant_id=tenant_id,
                                                                      chunk_ids=order[: CANDIDATES * 2])}
    min_similarity = model.min_similarity if model is not None else 1.0
    out: list[Scored] = []
    seen_docs: set[int] = set()
    for chunk_id in order:
        row = rows.get(chunk_id)
        if row is None or row["document_id"] in seen_docs:
            continue
        seen_docs.add(row["document_id"])
        sim, cov = similarity.get(chunk_id), coverage.get(chunk_id)
        passes = (sim is not None and sim >= min_similarity) or (cov is not None and cov >= LEXICAL_FLOOR)
        passage = Passage(doc_id=row["doc_id"], title=row["title"], kind=row["kind"], product=row["product"],
                          competitor=row["competitor"], source=row["source"], text=row["text"],
                          score=round(min(fused[chunk_id] / best_possible, 1.0), 4))
        out.append(Scored(passage=passage, chunk_id=chunk_id, similarity=sim, coverage=cov, passes_floor=passes))
        if len(out) >= k:
            break
    return out


async def search(conn: asyncpg.Connection, tenant_id: int, query: str, *, k: int = 3, kind: str | None = None
                 ) -> list[Passage]:
    """The passages that answer ``query`` from the tenant's knowledge base, best first (at most
    ``k``, one per document); an empty list when nothing passes the score floor."""
    return [s.passage for s in await retrieve(conn, tenant_id, query, k=k, kind=kind) if s.passes_floor]

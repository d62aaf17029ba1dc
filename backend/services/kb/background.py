"""The expensive models' chunk vectors, made after the upload (the worker's ``kb.embed`` job).

An upload writes chunks, terms and the cheap model's vectors at once and leaves a row per chunk and
expensive model in ``kb_embed_pending`` (:mod:`.ingest`, ``defer=True``). A pass here claims a batch
of one tenant's rows for one model with a lease (``FOR UPDATE SKIP LOCKED`` and a fresh lease token,
as the outbox does), encodes it in the background lane (:func:`.embedder.embed_passages_background`:
its own thread at a lower CPU priority, more engine threads while no question is being encoded), and
writes the vectors and ends the rows' wait in one statement that presents the token — so two
workers never encode the same chunk, a chunk re-ingested meanwhile is not written, and a crashed
worker's rows are claimed again once its lease runs out. A pass that is cancelled (a stopping
worker) gives its claim back at once.

While a tenant's chunks wait, search leaves the waiting model out where it would rank them unfairly
(see ``search.retrieve``); ``Document.awaiting_vectors`` and ``tuoke kb list`` show the progress.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
from pgvector import Vector

from backend import clock
from backend.db.queries import queries
from backend.services.kb import embedder as embedding, store
from backend.services.kb.ingest import embedding_text

log = logging.getLogger("tuoke.kb")

BATCH = 8  # chunks a claim leases (~1.4 s of e5 on one core)
# A claim's lease: far longer than a batch takes even on a loaded machine at low priority (a worker
# whose lease ran out writes nothing; the chunks are encoded again by whoever claimed them next).
LEASE = dt.timedelta(minutes=5)
PASS_SECONDS = 15.0  # a pass stops claiming after this long; the next pass (2 s later) goes on

Source = asyncpg.Pool | asyncpg.Connection  # the worker has a pool; the CLI and the benchmark one connection


def _acquire(source: Source) -> Any:
    return source.acquire() if isinstance(source, asyncpg.Pool) else contextlib.nullcontext(source)


async def waiting(conn: asyncpg.Connection, tenant_id: int) -> dict[str, int]:
    """How many of the tenant's chunks wait for a vector, per model name (empty: fully embedded)."""
    return {r["model"]: r["chunks"] for r in await queries.kb_embed_waiting(conn, tenant_id=tenant_id)}


async def enqueue_missing(conn: asyncpg.Connection, tenant_id: int, models: list[embedding.Embedder]) -> int:
    """Every chunk of the tenant without a vector from one of ``models`` waits for one (after the
    configured models changed); how many (chunk, model) rows were added."""
    return int(await queries.kb_embed_enqueue(conn, tenant_id=tenant_id, document_id=None,
                                              models=[m.name for m in models], now=clock.now()))


async def _claim(conn: asyncpg.Connection, names: list[str], tenant_id: int | None
                 ) -> tuple[int, str, str, list[asyncpg.Record]] | None:
    """Lease a batch: (tenant, model name, lease token, rows), or None when nothing is due."""
    now = clock.now()
    for due in await queries.kb_embed_due(conn, models=names, tenant_id=tenant_id, now=now):
        token = str(uuid.uuid4())
        async with conn.transaction():
            rows = await queries.kb_embed_claim(conn, tenant_id=due["tenant_id"], model=due["model"], now=now,
                                                batch=BATCH, lease_token=token, lease_until=now + LEASE)
        if rows:
            return due["tenant_id"], due["model"], token, sorted(rows, key=lambda r: r["chunk_id"])
    return None


async def embed_pass(pool: Source, *, models: list[embedding.Embedder] | None = None,
                     tenant_id: int | None = None, seconds: float = PASS_SECONDS,
                     progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Claim, encode and store batches of waiting chunks (of one tenant, or any) for up to ``seconds``;
    ``{"embedded": chunk vectors written, "batches": claims}``. The models load only when there is work."""
    async with _acquire(pool) as conn:
        if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM kb_embed_pending WHERE $1::bigint IS NULL "
                                   "OR tenant_id = $1)", tenant_id):
            return {"embedded": 0, "batches": 0}
    models = models or await embedding.aget_models()
    by_name = {m.name: m for m in models}
    started = time.monotonic()
    embedded = batches = 0
    while time.monotonic() - started < seconds:
        async with _acquire(pool) as conn:
            claim = await _claim(conn, list(by_name), tenant_id)
        if claim is None:
            break
        tenant, name, token, rows = claim
        model = by_name[name]
        try:
            titles = [r for r in rows if r["position"] == 0]  # a document's title goes with its first chunk
            vectors = await embedding.embed_passages_background(
                model, [embedding_text(r["title"], r["heading"], r["text"]) for r in rows] + [r["title"] for r in titles])
            async with _acquire(pool) as conn:
                await store.ensure_vector_index(conn, model.dims)
                async with conn.transaction():
                    written = await queries.kb_embed_store(
                        conn, tenant_id=tenant, model=name, dims=model.dims, lease_token=token,
                        chunk_ids=[r["chunk_id"] for r in rows], embeddings=[Vector(v) for v in vectors[:len(rows)]])
                    if titles:
                        await queries.kb_doc_embeddings_insert(
                            conn, tenant_id=tenant, model=name, dims=model.dims,
                            document_ids=[r["document_id"] for r in titles],
                            embeddings=[Vector(v) for v in vectors[len(rows):]])
        except BaseException:
            await asyncio.shield(_release(pool, tenant, token))
            raise
        embedded += int(written)
        batches += 1
        if progress:
            progress(len(rows))
    if embedded:
        log.info("kb.embed: %d chunk vectors in %d batches, %.1f s", embedded, batches, time.monotonic() - started)
    return {"embedded": embedded, "batches": batches}


async def _release(pool: Source, tenant_id: int, token: str) -> None:
    async with _acquire(pool) as conn:
        await queries.kb_embed_release(conn, tenant_id=tenant_id, lease_token=token)


async def embed_all(pool: Source, tenant_id: int, *, models: list[embedding.Embedder] | None = None,
                    progress: Callable[[int], None] | None = None) -> int:
    """Embed every waiting chunk of one tenant now, in this process, and return when none of the
    models' chunks waits any more (a running worker shares the work: each batch is claimed once, and
    this waits for the batches it holds). How many vectors this process made."""
    models = models or await embedding.aget_models()
    names = {m.name for m in models}
    done = 0
    while True:
        result = await embed_pass(pool, models=models, tenant_id=tenant_id, seconds=3600.0, progress=progress)
        done += result["embedded"]
        if result["batches"]:
            continue
        async with _acquire(pool) as conn:
            if not names & set(await waiting(conn, tenant_id)):
                return done
        await asyncio.sleep(0.5)  # another worker holds the rest

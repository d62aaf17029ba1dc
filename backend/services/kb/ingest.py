"""Ingest documents: chunk, lexical terms, embed, store — idempotent by content hash.

Re-ingesting an unchanged document does nothing (beyond embedding it with a newly configured
model if it has no vectors from that model yet); a changed one replaces its chunks and bumps
its version. Each document is written in its own transaction, under an advisory lock on its
key, so a failure never leaves half a document and two ingests of one file do not interleave.

With ``defer=True`` (the admin API, ``tuoke kb ingest``) an expensive model's vectors
(``Embedder.deferred``: multilingual-e5, ~0.17 s a chunk here) are not made in the request: the
chunks wait for them in ``kb_embed_pending`` (same transaction) and the worker's ``kb.embed`` job
(:mod:`.background`) fills them. The document is searchable when the call returns — its terms and
the cheap model's vectors are in — and fully embedded when its ``awaiting_vectors`` reaches 0.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import asyncpg
import msgspec
import numpy as np
from pgvector import Vector

from backend import clock
from backend.db.queries import queries
from backend.errors import Invalid, NotFound, TuokeError
from backend.services.kb import chunking, embedder as embedding, filters as kb_filters, formats, lexical, store
from schemas.kb import Document, DocumentIn, IngestResult

Progress = Callable[[int], None]  # called with how many chunks (or unchanged documents) were just done
BATCH_CHUNKS = 64  # chunks encoded together and written in one transaction


def content_hash(doc: DocumentIn) -> str:
    """What decides whether a re-ingest changes anything: the parsed document and the chunker."""
    payload = msgspec.json.encode([chunking.CHUNKER_VERSION, doc.title, doc.kind, doc.product, doc.competitor,
                                   doc.source, doc.body])
    return hashlib.sha256(payload).hexdigest()


def embedding_text(title: str, heading: str, text: str) -> str:
    """What gets embedded for a chunk: the document title and heading path give it context."""
    return "\n".join(part for part in (title, heading, text) if part)


def _head_terms(doc: DocumentIn) -> list[str]:
    head = lexical.terms(" ".join(p for p in (doc.title, doc.product, doc.competitor) if p))
    return head + lexical.pinyin_terms(head)


def chunk_terms(doc: DocumentIn, heading: str, text: str, head: list[str] | None = None) -> str:
    """The chunk's tsvector literal: title, product and competitor weighted A; heading and body D
    (``head``: the document's A terms, when the caller has them already)."""
    body = lexical.terms(f"{heading}\n{text}")
    return lexical.tsvector_literal(_head_terms(doc) if head is None else head, body + lexical.pinyin_terms(body))


class _Prepared(msgspec.Struct):
    doc: DocumentIn
    digest: str
    chunks: list[chunking.Chunk]
    terms: list[str]


def _prepare(doc: DocumentIn) -> _Prepared:
    """Chunks and content hash (cheap); the lexical terms (jieba, pinyin: the costly part) are
    :func:`_add_terms`' job, done while the batch's vectors encode."""
    chunks = chunking.chunk(doc.body)
    if not chunks:
        raise Invalid(f"{doc.source}: the document has no text", field="body")
    return _Prepared(doc, content_hash(doc), chunks, [])


def _add_terms(items: list[_Prepared]) -> None:
    for item in items:
        head = _head_terms(item.doc)  # the same for every chunk of the document
        item.terms = [chunk_terms(item.doc, c.heading, c.text, head) for c in item.chunks]


def _batches(items: list[_Prepared]) -> list[list[_Prepared]]:
    """Consecutive documents in batches of about ``BATCH_CHUNKS`` chunks (a longer document alone)."""
    out: list[list[_Prepared]] = []
    size = 0
    for item in items:
        if not out or size >= BATCH_CHUNKS:
            out.append([])
            size = 0
        out[-1].append(item)
        size += len(item.chunks)
    return out


async def _write_group(conn: asyncpg.Connection, tenant_id: int, items: list[_Prepared],
                       vectors: list[tuple[embedding.Embedder, np.ndarray]],
                       later: Sequence[embedding.Embedder] = ()) -> dict[str, IngestResult]:
    """Write a group of documents in one transaction, a statement per table (not per document): their
    locks (in key order), documents, chunks, term counts, each model's chunk and title vectors (rows
    of ``vectors``: every chunk of every item in order, then one title per item), and the chunks'
    wait for the ``later`` models. A changed document's old chunks go first; a document stored
    meanwhile with the same content (a concurrent ingest) is left alone."""
    now = clock.now()
    results: dict[str, IngestResult] = {}
    n_chunks = sum(len(item.chunks) for item in items)
    async with conn.transaction():
        await queries.kb_docs_lock(conn, tenant_id=tenant_id, doc_keys=sorted(item.doc.doc_id for item in items))
        existing = {r["doc_key"]: r for r in await queries.kb_docs_by_keys(
            conn, tenant_id=tenant_id, doc_keys=[item.doc.doc_id for item in items])}
        ids: dict[str, int] = {}
        fresh: list[_Prepared] = []
        for item in items:
            doc, row = item.doc, existing.get(item.doc.doc_id)
            if row is None:
                fresh.append(item)
            elif row["content_hash"] == item.digest:
                results[doc.doc_id] = IngestResult(doc_id=doc.doc_id, source=doc.source, status="unchanged",
                                                   chunks=row["chunks"], version=row["version"])
            else:
                document_id = row["document_id"]
                await queries.kb_terms_remove(conn, tenant_id=tenant_id, document_id=document_id)
                await queries.kb_chunks_delete(conn, tenant_id=tenant_id, document_id=document_id)
                version = await queries.kb_doc_replace(
                    conn, tenant_id=tenant_id, document_id=document_id, title=doc.title, kind=doc.kind,
                    product=doc.product, competitor=doc.competitor, source=doc.source, body=doc.body,
                    content_hash=item.digest, now=now)
                ids[doc.doc_id] = document_id
                results[doc.doc_id] = IngestResult(doc_id=doc.doc_id, source=doc.source, status="updated",
                                                   chunks=len(item.chunks), version=version)
        if fresh:
            docs = [item.doc for item in fresh]
            for row in await queries.kb_docs_insert(
                    conn, tenant_id=tenant_id, now=now, doc_keys=[d.doc_id for d in docs],
                    titles=[d.title for d in docs], kinds=[d.kind for d in docs], products=[d.product for d in docs],
                    competitors=[d.competitor for d in docs], sources=[d.source for d in docs],
                    bodies=[d.body for d in docs], hashes=[item.digest for item in fresh]):
                ids[row["doc_key"]] = row["document_id"]
            for item in fresh:
                results[item.doc.doc_id] = IngestResult(doc_id=item.doc.doc_id, source=item.doc.source,
                                                        status="created", chunks=len(item.chunks), version=1)
        # Which rows of the vectors belong to the documents written now (not the unchanged ones).
        written = [i for i, item in enumerate(items) if item.doc.doc_id in ids]
        if not written:
            return results
        offsets = np.cumsum([0] + [len(item.chunks) for item in items])
        chunk_rows = [int(offsets[i]) + j for i in written for j in range(len(items[i].chunks))]
        title_rows = [n_chunks + i for i in written]
        document_ids = [ids[items[i].doc.doc_id] for i in written]
        rows = await queries.kb_chunks_insert_many(
            conn, tenant_id=tenant_id,
            document_ids=[ids[items[i].doc.doc_id] for i in written for _ in items[i].chunks],
            positions=[c.position for i in written for c in items[i].chunks],
            headings=[c.heading for i in written for c in items[i].chunks],
            texts=[c.text for i in written for c in items[i].chunks],
            terms=[t for i in written for t in items[i].terms])
        chunk_id = {(r["document_id"], r["position"]): r["chunk_id"] for r in rows}
        chunk_ids = [chunk_id[(ids[items[i].doc.doc_id], c.position)] for i in written for c in items[i].chunks]
        await queries.kb_terms_add_many(conn, tenant_id=tenant_id, document_ids=document_ids)
        if any(r.status == "updated" for r in results.values()):
            await queries.kb_terms_prune(conn, tenant_id=tenant_id)
        for model, model_vectors in vectors:
            await queries.kb_embeddings_insert(conn, tenant_id=tenant_id, model=model.name, dims=model.dims,
                                               chunk_ids=chunk_ids,
                                               embeddings=[Vector(model_vectors[r]) for r in chunk_rows])
            await queries.kb_doc_embeddings_insert(conn, tenant_id=tenant_id, model=model.name, dims=model.dims,
                                                   document_ids=document_ids,
                                                   embeddings=[Vector(model_vectors[r]) for r in title_rows])
        if later:
            await queries.kb_embed_enqueue_docs(conn, tenant_id=tenant_id, document_ids=document_ids,
                                                models=[m.name for m in later], now=now)
    return results


async def embed_missing(conn: asyncpg.Connection, tenant_id: int, *, document_id: int | None = None,
                        models: list[embedding.Embedder] | None = None, progress: Progress | None = None) -> int:
    """Embed the tenant's chunks that have no vector from a configured model (after the model was
    changed); how many chunk vectors were made."""
    models = models or await embedding.aget_models()
    done = 0
    for model in models:
        await store.ensure_vector_index(conn, model.dims)
        rows = await queries.kb_chunks_missing_embedding(conn, tenant_id=tenant_id, document_id=document_id,
                                                         model=model.name)
        for start in range(0, len(rows), BATCH_CHUNKS):
            batch = rows[start:start + BATCH_CHUNKS]
            vectors = await embedding.embed_passages(
                model, [embedding_text(r["title"], r["heading"], r["text"]) for r in batch])
            await queries.kb_embeddings_insert(conn, tenant_id=tenant_id, model=model.name, dims=model.dims,
                                               chunk_ids=[r["chunk_id"] for r in batch],
                                               embeddings=[Vector(v) for v in vectors])
            await queries.kb_embed_forget(conn, tenant_id=tenant_id, model=model.name,
                                          chunk_ids=[r["chunk_id"] for r in batch])
            if progress:
                progress(len(batch))
        done += len(rows)
        titles = await queries.kb_docs_missing_title_embedding(conn, tenant_id=tenant_id, document_id=document_id,
                                                                model=model.name)
        for start in range(0, len(titles), BATCH_CHUNKS):
            batch = titles[start:start + BATCH_CHUNKS]
            vectors = await embedding.embed_passages(model, [r["title"] for r in batch])
            await queries.kb_doc_embeddings_insert(conn, tenant_id=tenant_id, model=model.name, dims=model.dims,
                                                   document_ids=[r["document_id"] for r in batch],
                                                   embeddings=[Vector(v) for v in vectors])
    return done


async def ingest_documents(conn: asyncpg.Connection, tenant_id: int, docs: Sequence[DocumentIn], *,
                           models: list[embedding.Embedder] | None = None, progress: Progress | None = None,
                           defer: bool = False) -> list[IngestResult]:
    """Ingest ``docs`` into a tenant's knowledge base; one result per document, in order.

    ``defer``: leave the expensive models' chunk vectors to the background job (see the module)."""
    keys = [d.doc_id for d in docs]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise Invalid(f"two documents share the id {dup!r} (file names must be unique)", field="doc_id")
    models = models or await embedding.aget_models()
    for model in models:
        await store.ensure_vector_index(conn, model.dims)
    later = [m for m in models if defer and m.deferred]
    models = [m for m in models if m not in later]  # the models that embed in this call
    known = {r["doc_key"]: r["content_hash"]
             for r in await queries.kb_doc_hashes(conn, tenant_id=tenant_id, doc_keys=keys)}
    results: dict[str, IngestResult] = {}
    pending: list[_Prepared] = []
    for doc in docs:
        prepared = _prepare(doc)
        if known.get(doc.doc_id) == prepared.digest:
            existing = await queries.kb_doc_by_key(conn, tenant_id=tenant_id, doc_key=doc.doc_id)
            if models:
                await embed_missing(conn, tenant_id, document_id=existing["document_id"], models=models)
            if later:
                await queries.kb_embed_enqueue(conn, tenant_id=tenant_id, document_id=existing["document_id"],
                                               models=[m.name for m in later], now=clock.now())
            results[doc.doc_id] = IngestResult(doc_id=doc.doc_id, source=doc.source, status="unchanged",
                                               chunks=existing["chunks"], version=existing["version"])
            if progress:
                progress(len(prepared.chunks))
            continue
        pending.append(prepared)

    # Batches of documents, pipelined: a batch's vectors encode (threads) while its terms are computed
    # (this thread), and the next batch encodes while this one is written (one transaction each).
    async def encode(batch: list[_Prepared]) -> list[np.ndarray]:
        texts = [embedding_text(g.doc.title, c.heading, c.text) for g in batch for c in g.chunks]
        titles = [g.doc.title for g in batch]  # each model encodes chunks, then titles, in its own thread
        return list(await asyncio.gather(*(embedding.embed_passages(model, texts + titles) for model in models)))

    batches = _batches(pending)
    encoding = asyncio.ensure_future(encode(batches[0])) if batches else None
    try:
        for i, batch in enumerate(batches):
            _add_terms(batch)
            encoded = await encoding
            encoding = asyncio.ensure_future(encode(batches[i + 1])) if i + 1 < len(batches) else None
            results.update(await _write_group(conn, tenant_id, batch, list(zip(models, encoded)), later))
            if progress:
                progress(sum(len(g.chunks) for g in batch))
    finally:
        if encoding is not None:
            encoding.cancel()
    kb_filters.forget(tenant_id)
    return [results[k] for k in keys]


async def ingest_bytes(conn: asyncpg.Connection, tenant_id: int, data: bytes, *, name: str, kind: str = "other",
                       models: list[embedding.Embedder] | None = None, defer: bool = False) -> list[IngestResult]:
    """Parse one uploaded file and ingest its documents."""
    return await ingest_documents(conn, tenant_id, formats.parse_bytes(data, name=name, kind=kind), models=models,
                                  defer=defer)


async def ingest_path(conn: asyncpg.Connection, tenant_id: int, path: Path, *, kind: str = "other",
                      models: list[embedding.Embedder] | None = None, progress: Progress | None = None,
                      on_total: Callable[[int], None] | None = None, defer: bool = False) -> list[IngestResult]:
    """Ingest a file or every readable file under a folder. A file that cannot be read is reported
    as failed and the others still go in."""
    docs: list[DocumentIn] = []
    failed: list[IngestResult] = []
    for file in formats.files_under(path):
        try:
            docs.extend(formats.parse_bytes(file.read_bytes(), name=file.name, kind=kind))
        except TuokeError as exc:
            failed.append(IngestResult(doc_id=file.stem, source=file.name, status="failed", detail=exc.detail))
    if on_total:
        on_total(sum(len(chunking.chunk(d.body)) for d in docs))
    return failed + await ingest_documents(conn, tenant_id, docs, models=models, progress=progress, defer=defer)


def _document(row: asyncpg.Record) -> Document:
    return Document(doc_id=row["doc_id"], title=row["title"], kind=row["kind"], product=row["product"],
                    competitor=row["competitor"], source=row["source"], version=row["version"],
                    chunks=row["chunks"], content_hash=row["content_hash"], created_at=row["created_at"],
                    updated_at=row["updated_at"], awaiting_vectors=row["awaiting_vectors"],
                    status="embedding" if row["awaiting_vectors"] else "ready")


async def list_documents(conn: asyncpg.Connection, tenant_id: int, *, kind: str | None = None,
                         limit: int = 100, offset: int = 0) -> list[Document]:
    rows = await queries.kb_doc_list(conn, tenant_id=tenant_id, kind=kind, limit=limit, offset=offset)
    return [_document(r) for r in rows]


async def get_document(conn: asyncpg.Connection, tenant_id: int, doc_id: str) -> Document:
    row = await queries.kb_doc_by_key(conn, tenant_id=tenant_id, doc_key=doc_id)
    if row is None:
        raise NotFound(f"no document {doc_id!r}")
    return _document(row)


async def delete_document(conn: asyncpg.Connection, tenant_id: int, doc_id: str) -> None:
    """Delete a document with its chunks, vectors and term counts."""
    async with conn.transaction():
        await queries.kb_doc_lock(conn, tenant_id=tenant_id, doc_key=doc_id)
        row = await queries.kb_doc_by_key(conn, tenant_id=tenant_id, doc_key=doc_id)
        if row is None:
            raise NotFound(f"no document {doc_id!r}")
        await queries.kb_terms_remove(conn, tenant_id=tenant_id, document_id=row["document_id"])
        await queries.kb_doc_delete(conn, tenant_id=tenant_id, document_id=row["document_id"])
        await queries.kb_terms_prune(conn, tenant_id=tenant_id)
    kb_filters.forget(tenant_id)

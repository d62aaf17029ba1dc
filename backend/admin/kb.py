"""A tenant's knowledge base: upload, list, read and delete documents; try a search; extend the
colloquial lexicon (phrase → document terms) that spoken questions are matched through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
import litestar
from litestar import Controller, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter

from backend import clock
from backend.db.queries import queries
from backend.errors import Invalid, NotFound
from backend.services.kb import ingest, spoken
from backend.services.kb.lexical import normalise
from backend.services.kb.search import search
from schemas.kb import KINDS, Document, DocumentIn, IngestResult, LexiconEntry, LexiconEntryIn, Passage
from schemas.tenants import Tenant

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@dataclass
class UploadForm:
    """A file (.md .txt .csv .docx .pdf) and the kind its documents get unless they say otherwise."""

    file: UploadFile
    kind: str = "other"


def _kind(kind: str | None) -> str | None:
    if kind is not None and kind not in KINDS:
        raise Invalid(f"unknown kind {kind!r}; kinds are {', '.join(KINDS)}", field="kind")
    return kind


class KnowledgeBaseController(Controller):
    path = "/admin/v1/tenants/{slug:str}/kb"
    tags = ["admin: knowledge base"]

    @post("/documents", operation_id="uploadKbDocuments", status_code=201)
    async def upload(
        self, tenant: Tenant, db: asyncpg.Connection,
        data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> list[IngestResult]:
        """Upload a file (multipart ``file``, optional ``kind``): each document in it is created,
        replaced when its content changed, or left alone when it did not. Searchable at once; the
        expensive model's vectors are made by the worker (``awaiting_vectors`` in the listing)."""
        _kind(data.kind)
        name = (data.file.filename or "").strip()
        if not name:
            raise Invalid("the upload needs a file name (its suffix says how to read it)", field="file")
        content = await data.file.read()
        if len(content) > MAX_UPLOAD_BYTES:
            raise Invalid(f"{name}: larger than {MAX_UPLOAD_BYTES // 1024} KiB", field="file")
        # Searchable when this returns; the expensive model's vectors follow from the worker's kb.embed job
        # (GET documents shows awaiting_vectors / status).
        return await ingest.ingest_bytes(db, tenant.tenant_id, content, name=name, kind=data.kind, defer=True)

    @put("/documents/{doc_id:str}", operation_id="putKbDocument")
    async def put(self, tenant: Tenant, doc_id: str, data: DocumentIn, db: asyncpg.Connection) -> IngestResult:
        """Create or replace one document given as JSON (its ``doc_id`` must match the path)."""
        if data.doc_id != doc_id:
            raise Invalid("the body's doc_id differs from the path's", field="doc_id")
        return (await ingest.ingest_documents(db, tenant.tenant_id, [data], defer=True))[0]

    @get("/documents", operation_id="listKbDocuments")
    async def list(
        self, tenant: Tenant, db: asyncpg.Connection, kind: str | None = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100, offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> list[Document]:
        """The tenant's documents (optionally of one kind), by kind and id."""
        return await ingest.list_documents(db, tenant.tenant_id, kind=_kind(kind), limit=limit, offset=offset)

    @get("/documents/{doc_id:str}", operation_id="getKbDocument")
    async def read(self, tenant: Tenant, doc_id: str, db: asyncpg.Connection) -> Document:
        """One document, with its version and chunk count."""
        return await ingest.get_document(db, tenant.tenant_id, doc_id)

    @delete("/documents/{doc_id:str}", operation_id="deleteKbDocument", status_code=204)
    async def remove(self, tenant: Tenant, doc_id: str, db: asyncpg.Connection) -> None:
        """Delete a document with its chunks and vectors."""
        await ingest.delete_document(db, tenant.tenant_id, doc_id)

    @get("/search", operation_id="searchKb")
    async def search(
        self, tenant: Tenant, db: asyncpg.Connection, q: Annotated[str, Parameter(min_length=1, max_length=500)],
        k: Annotated[int, Parameter(ge=1, le=10)] = 3, kind: str | None = None,
    ) -> list[Passage]:
        """What a rep asking ``q`` would get (empty when nothing passes the score floor)."""
        return await search(db, tenant.tenant_id, q, k=k, kind=_kind(kind))

    @get("/lexicon", operation_id="listKbLexicon")
    async def lexicon(self, tenant: Tenant, db: asyncpg.Connection) -> list[LexiconEntry]:
        """The lexicon in force for this tenant: the built-in phrases and the tenant's own (which win)."""
        own = {r["phrase"]: r for r in await queries.kb_lexicon_list(db, tenant_id=tenant.tenant_id)}
        out = [LexiconEntry(phrase=p, terms=t, source="built-in") for p, t in spoken.DEFAULT_LEXICON.items()
               if p not in own]
        out += [LexiconEntry(phrase=p, terms=list(r["terms"]), source="tenant", updated_at=r["updated_at"])
                for p, r in own.items()]
        return sorted(out, key=lambda e: e.phrase)

    @litestar.put("/lexicon/{phrase:str}", operation_id="putKbLexiconEntry")
    async def put_lexicon(self, tenant: Tenant, phrase: str, data: LexiconEntryIn,
                          db: asyncpg.Connection) -> LexiconEntry:
        """Add or replace a phrase (what reps say) and the document terms it stands for."""
        key = normalise(phrase).strip()
        if not key or len(key) > 50:
            raise Invalid("a phrase is 1 to 50 characters", field="phrase")
        terms = list(dict.fromkeys(normalise(t).strip() for t in data.terms if t.strip()))
        row = await queries.kb_lexicon_upsert(db, tenant_id=tenant.tenant_id, phrase=key, terms=terms,
                                              now=clock.now())
        spoken.forget(tenant.tenant_id)
        return LexiconEntry(phrase=row["phrase"], terms=list(row["terms"]), source="tenant",
                            updated_at=row["updated_at"])

    @delete("/lexicon/{phrase:str}", operation_id="deleteKbLexiconEntry", status_code=204)
    async def delete_lexicon(self, tenant: Tenant, phrase: str, db: asyncpg.Connection) -> None:
        """Remove the tenant's own entry (a built-in phrase of that name applies again)."""
        if await queries.kb_lexicon_delete(db, tenant_id=tenant.tenant_id, phrase=normalise(phrase).strip()) is None:
            raise NotFound(f"no lexicon entry {phrase!r} of this tenant")
        spoken.forget(tenant.tenant_id)

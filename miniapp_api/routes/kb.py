"""Knowledge search for reps in the mini-program (the knowledge area's hybrid search), and the
documents a rep can feature on their card."""

from __future__ import annotations

from typing import Annotated, Literal

import asyncpg
from litestar import Controller, get
from litestar.params import Parameter

from backend.errors import Invalid
from backend.services import kb
from backend.services.kb import ingest
from miniapp_api.guards import REP
from schemas.kb import Document, Passage
from schemas.users import Actor

Kind = Literal["selling_point", "competitor", "other"]


class KnowledgeController(Controller):
    path = "/miniapp/v1/kb"
    opt = {"access": REP}
    tags = ["mini-program: workbench"]

    @get("/search", operation_id="miniappKbSearch")
    async def search(
        self,
        rep: Actor,
        db: asyncpg.Connection,
        q: Annotated[str, Parameter(min_length=1, max_length=500, description="the question")],
        k: Annotated[int, Parameter(ge=1, le=10)] = 3,
        kind: Kind | None = None,
    ) -> list[Passage]:
        """Selling points and competitor notes that answer ``q``, best first (empty when nothing fits)."""
        if not q.strip():
            raise Invalid("ask a question: q must not be blank", field="q")
        return await kb.search(db, rep.tenant_id, q.strip(), k=k, kind=kind)

    @get("/documents", operation_id="miniappKbDocuments")
    async def documents(
        self,
        rep: Actor,
        db: asyncpg.Connection,
        kind: Kind | None = None,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 100,
        offset: Annotated[int, Parameter(ge=0, le=100_000)] = 0,
    ) -> list[Document]:
        """The knowledge base's documents (to pick featured products for the card by ``doc_id``)."""
        return await ingest.list_documents(db, rep.tenant_id, kind=kind, limit=limit, offset=offset)

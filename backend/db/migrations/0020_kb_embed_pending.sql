-- 0020 knowledge base: vectors filled in the background.
--
-- An upload writes a document's chunks, lexical terms and the cheap model's vectors in its request
-- (searchable at once); each chunk's vector from an expensive model (multilingual-e5: ~0.17 s a chunk
-- on this CPU) waits here until the worker's `kb.embed` job makes it. The job claims rows with a
-- lease (lease_token, leased_until: FOR UPDATE SKIP LOCKED, like the outbox), so two workers never
-- encode the same chunk, and a crashed worker's rows are claimed again when the lease runs out.
-- A row disappears with its vector (same transaction) or with its chunk (cascade).

CREATE TABLE kb_embed_pending (
    tenant_id     bigint NOT NULL,
    chunk_id      bigint NOT NULL,
    model         text NOT NULL,             -- the embedder's name, as in kb_embeddings.model
    enqueued_at   timestamptz NOT NULL,
    lease_token   uuid,
    leased_until  timestamptz,               -- NULL: waiting; in the past: the lease ran out
    PRIMARY KEY (tenant_id, chunk_id, model),
    FOREIGN KEY (tenant_id, chunk_id) REFERENCES kb_chunks (tenant_id, chunk_id) ON DELETE CASCADE
);
-- The job's scan for tenants with work, and a document's count of chunks still waiting.
CREATE INDEX kb_embed_pending_model ON kb_embed_pending (tenant_id, model, chunk_id);

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

-- 0025 the nudge scan's two hot tables without a per-row foreign-key check (issue 12).
--
-- nudges.tenant_id and outbox.tenant_id referenced tenants (ON DELETE CASCADE): every row the scan
-- writes (54k nudges and 60k outbox rows on the bench's book) paid a foreign-key check, ~10 µs a
-- row, about a quarter of the scan's server CPU (A/B on one copy of the bench's book: 5.3–5.8 s
-- with the keys, 4.1–4.4 s without). What the keys gave is kept another way:
--   * no row for a tenant that does not exist: every statement that writes these tables locks
--     its tenants' rows FOR KEY SHARE first — once per tenant, not once per row (the lock a
--     foreign-key check takes): the scan when it reads its tenants (nudge_scan_tenants),
--     outbox_enqueue and nudge_outbox_many in the statement itself; a tenant being deleted
--     waits for them, and a tenant that is gone gets no row;
--   * deleting a tenant deletes its nudges and outbox rows (the cascade): the trigger below.
-- tests/integration/test_tenant_cleanup.py deletes a tenant with rows in every table and checks
-- that nothing of it is left anywhere.

ALTER TABLE nudges DROP CONSTRAINT nudges_tenant_id_fkey;
ALTER TABLE outbox DROP CONSTRAINT outbox_tenant_id_fkey;

CREATE FUNCTION tenant_cleanup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM nudges WHERE tenant_id = OLD.tenant_id;
    DELETE FROM outbox WHERE tenant_id = OLD.tenant_id;
    RETURN OLD;
END
$$;

CREATE TRIGGER tenant_cleanup AFTER DELETE ON tenants FOR EACH ROW EXECUTE FUNCTION tenant_cleanup();

-- 0009 hardening: rate-limit counters every process sees, fenced outbox leases, bind alerts.

-- Sliding-window rate-limit counters (the current and the previous fixed window per key), shared
-- by every app process. UNLOGGED: a crash may forget the last minutes' counts, which is what a
-- restart of an in-memory limiter did anyway, and writes skip the WAL (one round trip, no fsync).
-- Per tenant (0 for anonymous buckets) and key; old windows are pruned by a job.
CREATE UNLOGGED TABLE rate_counters (
    tenant_id  bigint NOT NULL,          -- no foreign key: 0 is the anonymous bucket
    key        text NOT NULL,
    win        bigint NOT NULL,          -- window number: epoch seconds / window seconds
    shard      smallint NOT NULL DEFAULT 0,  -- hot keys (one IP's card opens) spread their writes
    hits       integer NOT NULL,
    expires_at timestamptz NOT NULL,     -- after the next window ends, the row counts for nothing
    PRIMARY KEY (tenant_id, key, win, shard)
);
CREATE INDEX rate_counters_expiry ON rate_counters (expires_at);

-- The outbox lease is fenced: a claim writes a fresh token, and every later change of the row
-- (renewing the lease, sent, retry, dead, deferred, cancelled) must present it. A worker whose
-- lease ran out and was re-claimed by another can no longer send or mark the row.
ALTER TABLE outbox ADD COLUMN lease_token uuid;

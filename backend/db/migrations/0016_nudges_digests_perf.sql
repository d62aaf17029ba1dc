-- 0016 nudges and digests at scale (issue 12).
--
-- The digests' "reps with no activity" asks, per rep, whether they moved any deal's stage in the
-- window: without an index that leads with the rep, each ask read the tenant's history by id.
CREATE INDEX stage_history_by_user ON deal_stage_history (tenant_id, changed_by, changed_at);

-- The chat assistant: exactly-once inbound messages, pending questions, deal finding,
-- deferred answers and Official Account identities.

-- name: bot_inbound_claim$
-- Take a message key inside the caller's transaction. A concurrent attempt with the same key waits
-- here until the first commits (then gets nothing back) or rolls back (then takes it).
INSERT INTO inbound_messages (tenant_id, channel, msg_key, received_at)
VALUES (:tenant_id, :channel, :msg_key, :now)
ON CONFLICT (tenant_id, channel, msg_key) DO NOTHING
RETURNING msg_key;

-- name: bot_inbound_set_reply!
UPDATE inbound_messages SET reply = :reply
WHERE tenant_id = :tenant_id AND channel = :channel AND msg_key = :msg_key;

-- name: bot_inbound_get^
SELECT msg_key, reply, received_at FROM inbound_messages
WHERE tenant_id = :tenant_id AND channel = :channel AND msg_key = :msg_key;

-- name: bot_inbound_prune!
DELETE FROM inbound_messages WHERE channel IN ('wecom', 'mp', 'aibot') AND received_at < :before;

-- name: bot_user_lock!
-- One message of a rep at a time (pending questions and "the last deal" stay coherent).
SELECT pg_advisory_xact_lock(hashtextextended(format('tuoke.bot:%s:%s', :tenant_id::bigint, :user_id::bigint), 0));

-- name: bot_pending_get^
SELECT kind, parsed, options, lang, created_at, expires_at FROM bot_pending
WHERE tenant_id = :tenant_id AND user_id = :user_id AND expires_at > :now;

-- name: bot_pending_put!
INSERT INTO bot_pending (tenant_id, user_id, kind, parsed, options, lang, created_at, expires_at)
VALUES (:tenant_id, :user_id, :kind, :parsed, :options, :lang, :now, :expires_at)
ON CONFLICT (tenant_id, user_id) DO UPDATE
    SET kind = excluded.kind, parsed = excluded.parsed, options = excluded.options,
        lang = excluded.lang, created_at = excluded.created_at, expires_at = excluded.expires_at;

-- name: bot_pending_clear!
DELETE FROM bot_pending WHERE tenant_id = :tenant_id AND user_id = :user_id;

-- name: bot_pending_prune!
DELETE FROM bot_pending WHERE expires_at < :now;

-- name: bot_open_deals
-- Deals a message may mean: the ones the actor may touch that are still open (won waits for
-- payment), the actor's own first, most recently changed first.
SELECT d.deal_id, d.title, a.name AS company, c.name AS contact_name, d.product, d.stage,
       d.amount, d.owner_id, u.name AS owner, d.updated_at, d.stage_entered_at
FROM deals d
JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
LEFT JOIN contacts c ON c.tenant_id = d.tenant_id AND c.contact_id = d.contact_id
WHERE d.tenant_id = :tenant_id
  AND (:role = 'admin' OR d.owner_id = :user_id OR (:role = 'manager' AND u.team_id = :team_id))
  AND d.stage NOT IN ('paid', 'lost')
ORDER BY (d.owner_id = :user_id) DESC, d.updated_at DESC, d.deal_id DESC
LIMIT :limit;

-- name: bot_last_touched_deal$
-- The deal of the actor's latest change that is not undone ("这单" = the one I just talked about).
SELECT deal_id FROM change_log
WHERE tenant_id = :tenant_id AND user_id = :user_id AND deal_id IS NOT NULL AND undone_at IS NULL
ORDER BY change_id DESC LIMIT 1;

-- name: bot_deferred_insert$
INSERT INTO bot_deferred (tenant_id, user_id, recipient, kind, payload, msg_key, created_at)
VALUES (:tenant_id, :user_id, :recipient, :kind, :payload, :msg_key, :now)
ON CONFLICT (tenant_id, msg_key) DO NOTHING
RETURNING deferred_id;

-- name: bot_deferred_claim
-- Take open deferred work: pending, or running with its lease run out (its process died).
UPDATE bot_deferred b SET status = 'running', attempts = b.attempts + 1, locked_until = :lease_until
FROM (
    SELECT tenant_id, deferred_id FROM bot_deferred
    WHERE status IN ('pending', 'running')
      AND (locked_until IS NULL OR locked_until < :now)
      AND (:tenant_id::bigint IS NULL OR tenant_id = :tenant_id)
      AND (:deferred_id::bigint IS NULL OR deferred_id = :deferred_id)
    ORDER BY created_at
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
) picked
WHERE b.tenant_id = picked.tenant_id AND b.deferred_id = picked.deferred_id
RETURNING b.tenant_id, b.deferred_id, b.user_id, b.recipient, b.kind, b.payload, b.msg_key, b.attempts;

-- name: bot_deferred_done!
UPDATE bot_deferred SET status = 'done', done_at = :now, locked_until = NULL
WHERE tenant_id = :tenant_id AND deferred_id = :deferred_id;

-- name: bot_deferred_retry!
UPDATE bot_deferred SET status = :status, last_error = :error, locked_until = :retry_at
WHERE tenant_id = :tenant_id AND deferred_id = :deferred_id;

-- name: bot_mp_user$
SELECT m.user_id FROM bot_mp_identities m
JOIN users u ON u.tenant_id = m.tenant_id AND u.user_id = m.user_id AND u.active
WHERE m.tenant_id = :tenant_id AND m.openid = :openid;

-- name: bot_mp_bind!
INSERT INTO bot_mp_identities (tenant_id, openid, user_id, bound_at)
VALUES (:tenant_id, :openid, :user_id, :now)
ON CONFLICT (tenant_id, openid) DO UPDATE SET user_id = excluded.user_id, bound_at = excluded.bound_at;

-- name: bot_message_begin^
-- The sender, the rep's lock, the message key and the tenant's config version in one round trip
-- (see migrations 0011 and 0015: also the rep's pending question and pool_chat row); inside the
-- caller's transaction.
SELECT config_version, user_id, name, role, team_id, lang, wecom_userid, claimed, reply,
       pending_kind, pending_parsed, pending_options, pending_lang, pending_created_at, pending_expires_at,
       pool_found, pool_listed, pool_listed_at, pool_keep_deal_id, pool_keep_until
FROM bot_message_begin(:tenant_id, :channel, :sender, :msg_key, :now);


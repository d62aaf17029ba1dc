-- The outbox: every outbound message, sent exactly once by whichever delivery loop claims it.

-- name: outbox_enqueue$
-- A message is enqueued once per idempotency key; a repeat returns NULL and changes nothing. The
-- tenant's row is locked FOR KEY SHARE (what the foreign key's check did before migration 0025):
-- a tenant that does not exist gets no row (NULL), one being deleted waits for this transaction.
WITH tn AS (SELECT tenant_id FROM tenants WHERE tenant_id = :tenant_id::bigint FOR KEY SHARE)
INSERT INTO outbox (tenant_id, channel, recipient, payload, idempotency_key, next_attempt_at)
SELECT tn.tenant_id, :channel::text, :recipient::text, :payload::jsonb, :idempotency_key::text, :not_before::timestamptz FROM tn
ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
RETURNING outbox_id;

-- name: outbox_claim
-- Claim due rows (pending, or a 'sending' whose lease ran out) for this loop; others skip them.
WITH due AS (
    SELECT tenant_id, outbox_id FROM outbox
    WHERE ((status = 'pending' AND next_attempt_at <= :now)
           OR (status = 'sending' AND locked_until < :now))
      AND (:only_tenant_id::bigint IS NULL OR tenant_id = :only_tenant_id)
    ORDER BY next_attempt_at
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
)
UPDATE outbox o SET status = 'sending', attempts = o.attempts + 1, locked_until = :lease_until,
                     lease_token = :lease_token::uuid
FROM due
WHERE o.tenant_id = due.tenant_id AND o.outbox_id = due.outbox_id
RETURNING o.tenant_id, o.outbox_id, o.channel, o.recipient, o.payload, o.idempotency_key, o.attempts,
          o.lease_token::text AS lease_token;

-- name: outbox_renew$
-- Extend this claim's lease to cover one send; NULL when the lease was lost (re-claimed by another
-- loop after it ran out): the caller must then leave the row alone.
UPDATE outbox SET locked_until = :lease_until
WHERE tenant_id = :tenant_id AND outbox_id = :outbox_id AND status = 'sending'
  AND lease_token = :lease_token::uuid
RETURNING outbox_id;

-- name: outbox_mark_sent!
UPDATE outbox SET status = 'sent', sent_at = :now, locked_until = NULL, last_error = NULL
WHERE tenant_id = :tenant_id AND outbox_id = :outbox_id AND status = 'sending'
  AND lease_token = :lease_token::uuid;

-- name: outbox_mark_retry!
UPDATE outbox SET status = 'pending', next_attempt_at = :next_attempt_at, locked_until = NULL, last_error = :error
WHERE tenant_id = :tenant_id AND outbox_id = :outbox_id AND status = 'sending'
  AND lease_token = :lease_token::uuid;

-- name: outbox_defer!
-- Put a claimed row back without counting an attempt (a rate limit of ours, not a failure).
UPDATE outbox SET status = 'pending', next_attempt_at = :next_attempt_at, locked_until = NULL,
                  attempts = greatest(attempts - 1, 0)
WHERE tenant_id = :tenant_id AND outbox_id = :outbox_id AND status = 'sending'
  AND lease_token = :lease_token::uuid;

-- name: outbox_mark_dead!
UPDATE outbox SET status = 'dead', locked_until = NULL, last_error = :error
WHERE tenant_id = :tenant_id AND outbox_id = :outbox_id AND status = 'sending'
  AND lease_token = :lease_token::uuid;

-- name: outbox_sent_since$
SELECT count(*) FROM outbox
WHERE tenant_id = :tenant_id AND recipient = :recipient AND status = 'sent' AND sent_at > :since;

-- name: outbox_list
SELECT tenant_id, outbox_id, channel, recipient, payload, idempotency_key, status, attempts,
       next_attempt_at, last_error, created_at, sent_at
FROM outbox WHERE tenant_id = :tenant_id
  AND (:status::text IS NULL OR status = :status)
ORDER BY outbox_id DESC LIMIT :limit;

-- name: wechat_token_get^
SELECT token, expires_at FROM wechat_tokens WHERE tenant_id = :tenant_id AND kind = :kind;

-- name: wechat_token_put!
INSERT INTO wechat_tokens (tenant_id, kind, token, expires_at) VALUES (:tenant_id, :kind, :token, :expires_at)
ON CONFLICT (tenant_id, kind) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at;

-- name: wechat_token_drop!
DELETE FROM wechat_tokens WHERE tenant_id = :tenant_id AND kind = :kind AND token = :token;

-- name: outbox_mark_cancelled!
UPDATE outbox SET status = 'cancelled', locked_until = NULL, last_error = :reason
WHERE tenant_id = :tenant_id AND outbox_id = :outbox_id AND status = 'sending'
  AND lease_token = :lease_token::uuid;

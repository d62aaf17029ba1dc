-- WeChat Work's AI bot: streams finished on refresh callbacks, and button cards acted on once.

-- name: aibot_stream_insert!
INSERT INTO aibot_streams (tenant_id, stream_id, user_id, msg_key, kind, payload, content, status,
                           created_at, expires_at, done_at)
VALUES (:tenant_id, :stream_id, :user_id, :msg_key, :kind, :payload, :content, :status,
        :now, :expires_at, CASE WHEN :status = 'done' THEN :now::timestamptz END);

-- name: aibot_stream_get^
SELECT stream_id, user_id, kind, payload, content, status, attempts, locked_until, created_at, expires_at
FROM aibot_streams WHERE tenant_id = :tenant_id AND stream_id = :stream_id;

-- name: aibot_streams_open$
-- A rep's streams still being worked on (WeChat Work keeps at most 3 messages in flight per rep).
SELECT count(*) FROM aibot_streams
WHERE tenant_id = :tenant_id AND user_id = :user_id AND status IN ('pending', 'running') AND expires_at > :now;

-- name: aibot_stream_claim^
-- Take a stream's work: pending, or running with its lease run out (its process died).
UPDATE aibot_streams SET status = 'running', attempts = attempts + 1, locked_until = :lease_until
WHERE tenant_id = :tenant_id AND stream_id = :stream_id AND status IN ('pending', 'running')
  AND (locked_until IS NULL OR locked_until < :now) AND expires_at > :now
RETURNING stream_id, user_id, kind, payload, attempts;

-- name: aibot_stream_finish!
UPDATE aibot_streams SET status = :status, content = :content, done_at = :now, locked_until = NULL
WHERE tenant_id = :tenant_id AND stream_id = :stream_id AND status IN ('pending', 'running');

-- name: aibot_stream_release!
UPDATE aibot_streams SET status = 'pending', locked_until = NULL
WHERE tenant_id = :tenant_id AND stream_id = :stream_id AND status = 'running';

-- name: aibot_streams_prune!
DELETE FROM aibot_streams WHERE expires_at < :before;

-- name: aibot_card_insert!
INSERT INTO aibot_cards (tenant_id, task_id, user_id, question, created_at)
VALUES (:tenant_id, :task_id, :user_id, :question, :now);

-- name: aibot_card_lock^
SELECT task_id, user_id, question, acted_at, result FROM aibot_cards
WHERE tenant_id = :tenant_id AND task_id = :task_id FOR UPDATE;

-- name: aibot_card_acted!
UPDATE aibot_cards SET acted_at = :now, result = :result, question = coalesce(:question::jsonb, question)
WHERE tenant_id = :tenant_id AND task_id = :task_id;

-- name: aibot_card_reopen!
-- The tap led to another question (confirm after picking a deal): the same card asks it.
UPDATE aibot_cards SET acted_at = NULL, result = NULL, question = :question
WHERE tenant_id = :tenant_id AND task_id = :task_id;

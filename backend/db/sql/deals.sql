-- Accounts, contacts, deals, stage history, activities and the undo log.
-- Visibility: a rep sees their own deals, a manager their team's, an admin the tenant's
-- (the :role / :user_id / :team_id triple below is the acting user).

-- name: account_upsert$
INSERT INTO accounts (tenant_id, name, norm_name) VALUES (:tenant_id, :name, :norm_name)
ON CONFLICT (tenant_id, norm_name) DO UPDATE SET norm_name = excluded.norm_name
RETURNING account_id;

-- name: contact_by_phone_or_email^
SELECT contact_id, account_id, name, title, phone, email FROM contacts
WHERE tenant_id = :tenant_id
  AND ((:phone::text IS NOT NULL AND phone = :phone)
       OR (:email::text IS NOT NULL AND lower(email) = lower(:email)))
ORDER BY (phone = :phone) DESC NULLS LAST
LIMIT 1;

-- name: contact_by_name^
SELECT contact_id, account_id, name, title, phone, email FROM contacts
WHERE tenant_id = :tenant_id AND account_id = :account_id AND name = :name
LIMIT 1;

-- name: contact_insert$
INSERT INTO contacts (tenant_id, account_id, name, title, phone, email, openid)
VALUES (:tenant_id, :account_id, :name, :title, :phone, :email, :openid)
RETURNING contact_id;

-- name: contact_fill!
UPDATE contacts SET
    account_id = coalesce(account_id, :account_id),
    name = coalesce(name, :name),
    title = coalesce(title, :title),
    phone = coalesce(phone, :phone),
    email = coalesce(email, :email),
    openid = coalesce(openid, :openid)
WHERE tenant_id = :tenant_id AND contact_id = :contact_id;

-- name: deal_insert$
INSERT INTO deals (tenant_id, title, owner_id, account_id, contact_id, product, amount,
                   expected_close, next_step, source, stage, stage_entered_at, last_activity_at,
                   created_at, updated_at)
VALUES (:tenant_id, :title, :owner_id, :account_id, :contact_id, :product, :amount,
        :expected_close, :next_step, :source, 'lead', :now, :now, :now, :now)
RETURNING deal_id;

-- name: deal_create_lead^
-- A new lead and everything it writes, in one round trip (migration 0018); the deal as deal_get reads it.
SELECT * FROM deal_create_lead(:tenant_id, :user_id, :owner_id, :company, :norm_name, :contact_name,
                               :contact_title, :phone, :email, :title, :product, :amount, :expected_close,
                               :next_step, :source, :undoable, :now, :unless_duplicates);

-- name: deal_get^
SELECT d.deal_id, d.title, a.name AS company, c.name AS contact_name, c.title AS contact_title,
       c.phone, c.email, d.product, d.stage, d.amount, d.owner_id, u.name AS owner, d.source,
       d.expected_close, d.next_step, d.lost_reason, d.stage_entered_at, d.last_activity_at,
       d.created_at, d.snoozed_until, u.team_id AS owner_team_id, d.contact_id, d.account_id,
       coalesce(a.tier_override, a.tier) AS tier, d.pooled_at
FROM deals d
LEFT JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id  -- none: in the pool (公海)
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
LEFT JOIN contacts c ON c.tenant_id = d.tenant_id AND c.contact_id = d.contact_id
WHERE d.tenant_id = :tenant_id AND d.deal_id = :deal_id;

-- name: deal_get_for_update^
SELECT d.deal_id, d.stage, d.stage_entered_at, d.amount, d.lost_reason, d.owner_id,
       d.last_activity_at, d.next_step, d.expected_close, d.product, d.snoozed_until,
       u.team_id AS owner_team_id
FROM deals d JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
WHERE d.tenant_id = :tenant_id AND d.deal_id = :deal_id
FOR UPDATE OF d;

-- name: deal_list_visible
-- Deals the acting user may see, most urgent first: longest over its stage's SLA, then oldest entry.
SELECT d.deal_id, d.title, a.name AS company, c.name AS contact_name, c.title AS contact_title,
       c.phone, c.email, d.product, d.stage, d.amount, d.owner_id, u.name AS owner, d.source,
       d.expected_close, d.next_step, d.lost_reason, d.stage_entered_at, d.last_activity_at,
       d.created_at, d.snoozed_until, coalesce(a.tier_override, a.tier) AS tier, d.pooled_at
FROM deals d
LEFT JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id  -- none: in the pool (公海)
JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
LEFT JOIN contacts c ON c.tenant_id = d.tenant_id AND c.contact_id = d.contact_id
WHERE d.tenant_id = :tenant_id
  AND (:role = 'admin' OR d.owner_id = :user_id OR (:role = 'manager' AND u.team_id = :team_id))
  AND (:owner_id::bigint IS NULL OR d.owner_id = :owner_id)
  AND (:stage::text IS NULL OR d.stage = :stage)
  AND (:open_only::bool IS FALSE OR d.stage NOT IN ('won', 'paid', 'lost'))
ORDER BY
  CASE WHEN s.sla_days IS NULL THEN NULL
       ELSE extract(epoch FROM (:now - d.stage_entered_at)) / 86400.0 - s.sla_days END DESC NULLS LAST,
  d.stage_entered_at, d.deal_id
LIMIT :limit OFFSET :offset;

-- name: deal_count_visible$
SELECT count(*) FROM deals d
LEFT JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
WHERE d.tenant_id = :tenant_id
  AND (:role = 'admin' OR d.owner_id = :user_id OR (:role = 'manager' AND u.team_id = :team_id))
  AND (:owner_id::bigint IS NULL OR d.owner_id = :owner_id)
  AND (:stage::text IS NULL OR d.stage = :stage)
  AND (:open_only::bool IS FALSE OR d.stage NOT IN ('won', 'paid', 'lost'));

-- name: deal_set_stage!
UPDATE deals SET stage = :stage, stage_entered_at = :stage_entered_at, amount = :amount,
                 lost_reason = :lost_reason, snoozed_until = NULL, updated_at = :now,
                 last_activity_at = greatest(last_activity_at, :now)
WHERE tenant_id = :tenant_id AND deal_id = :deal_id;

-- name: deal_move_stage^
-- A stage move in one round trip (migration 0018): lock, access check, undo's snapshot, update,
-- history, undo's record, the deal read back; ``outcome`` 'moved' / 'not_found' / 'forbidden'.
SELECT * FROM deal_move_stage(:tenant_id, :deal_id, :stage, :amount, :reason, :user_id, :role, :team_id, :now);

-- name: deal_restore!
UPDATE deals SET stage = :stage, stage_entered_at = :stage_entered_at, amount = :amount,
                 lost_reason = :lost_reason, next_step = :next_step,
                 expected_close = :expected_close, product = :product,
                 last_activity_at = :last_activity_at, snoozed_until = :snoozed_until,
                 updated_at = :now
WHERE tenant_id = :tenant_id AND deal_id = :deal_id;

-- name: deal_touch!
UPDATE deals SET last_activity_at = greatest(coalesce(last_activity_at, :now), :now), updated_at = :now
WHERE tenant_id = :tenant_id AND deal_id = :deal_id;

-- name: deal_set_snooze!
UPDATE deals SET snoozed_until = :until, updated_at = :now
WHERE tenant_id = :tenant_id AND deal_id = :deal_id;

-- name: deal_delete!
DELETE FROM deals WHERE tenant_id = :tenant_id AND deal_id = :deal_id;

-- name: stage_history_insert$
INSERT INTO deal_stage_history (tenant_id, deal_id, from_stage, to_stage, amount, reason, changed_by, changed_at)
VALUES (:tenant_id, :deal_id, :from_stage, :to_stage, :amount, :reason, :changed_by, :now)
RETURNING history_id;

-- name: stage_history_insert_logged$
-- The history row and the change_log row (undo's record) of one write, in one round trip; with
-- :history_key the change's data gets the new history_id under that key.
WITH h AS (
    INSERT INTO deal_stage_history (tenant_id, deal_id, from_stage, to_stage, amount, reason, changed_by, changed_at)
    VALUES (:tenant_id, :deal_id, :from_stage, :to_stage, :amount, :reason, :user_id, :now)
    RETURNING history_id
), c AS (
    INSERT INTO change_log (tenant_id, user_id, op, deal_id, data, created_at)
    SELECT :tenant_id, :user_id, :op, :deal_id,
           CASE WHEN :history_key::text IS NULL THEN :data::jsonb
                ELSE jsonb_set(:data::jsonb, ARRAY[:history_key::text], to_jsonb(h.history_id)) END,
           :now
    FROM h
    RETURNING change_id
)
SELECT history_id FROM h;

-- name: stage_history_delete!
DELETE FROM deal_stage_history WHERE tenant_id = :tenant_id AND history_id = :history_id;

-- name: stage_history_for_deal
SELECT history_id, deal_id, from_stage, to_stage, amount, reason, changed_by, changed_at
FROM deal_stage_history WHERE tenant_id = :tenant_id AND deal_id = :deal_id
ORDER BY changed_at, history_id;

-- name: activity_insert$
INSERT INTO activities (tenant_id, deal_id, user_id, kind, body, due_at, created_at)
VALUES (:tenant_id, :deal_id, :user_id, :kind, :body, :due_at, :now)
RETURNING activity_id;

-- name: activity_delete!
DELETE FROM activities WHERE tenant_id = :tenant_id AND activity_id = :activity_id;

-- name: activities_for_deal
SELECT a.activity_id, a.deal_id, d.title AS deal_title, a.user_id, u.name AS user, a.kind, a.body,
       a.due_at, a.done_at, a.created_at
FROM activities a
JOIN deals d ON d.tenant_id = a.tenant_id AND d.deal_id = a.deal_id
JOIN users u ON u.tenant_id = a.tenant_id AND u.user_id = a.user_id
WHERE a.tenant_id = :tenant_id AND a.deal_id = :deal_id
ORDER BY a.created_at DESC, a.activity_id DESC
LIMIT :limit;

-- name: activity_get^
SELECT a.activity_id, a.deal_id, d.title AS deal_title, a.user_id, u.name AS user, a.kind, a.body,
       a.due_at, a.done_at, a.created_at
FROM activities a
JOIN deals d ON d.tenant_id = a.tenant_id AND d.deal_id = a.deal_id
JOIN users u ON u.tenant_id = a.tenant_id AND u.user_id = a.user_id
WHERE a.tenant_id = :tenant_id AND a.activity_id = :activity_id;

-- name: activities_for_tenant
SELECT a.activity_id, a.deal_id, d.title AS deal_title, a.user_id, u.name AS user, a.kind, a.body,
       a.due_at, a.done_at, a.created_at
FROM activities a
JOIN deals d ON d.tenant_id = a.tenant_id AND d.deal_id = a.deal_id
JOIN users u ON u.tenant_id = a.tenant_id AND u.user_id = a.user_id
WHERE a.tenant_id = :tenant_id AND (:deal_id::bigint IS NULL OR a.deal_id = :deal_id)
ORDER BY a.created_at DESC, a.activity_id DESC
LIMIT :limit OFFSET :offset;

-- name: change_insert$
INSERT INTO change_log (tenant_id, user_id, op, deal_id, data, created_at)
VALUES (:tenant_id, :user_id, :op, :deal_id, :data, :now)
RETURNING change_id;

-- name: change_last_for_user^
SELECT change_id, op, deal_id, data, created_at FROM change_log
WHERE tenant_id = :tenant_id AND user_id = :user_id AND undone_at IS NULL
ORDER BY change_id DESC LIMIT 1
FOR UPDATE;

-- name: change_mark_undone!
UPDATE change_log SET undone_at = :now WHERE tenant_id = :tenant_id AND change_id = :change_id;

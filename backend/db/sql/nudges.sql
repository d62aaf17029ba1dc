-- Nudges: per-tenant rules, hot signals, the set-based scan and follow-up reminders.

-- name: nudge_rules_get$
SELECT rules FROM nudge_rules WHERE tenant_id = :tenant_id;

-- name: nudge_rules_put!
INSERT INTO nudge_rules (tenant_id, rules, updated_at) VALUES (:tenant_id, :rules, :now)
ON CONFLICT (tenant_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at;

-- name: nudge_rules_delete!
DELETE FROM nudge_rules WHERE tenant_id = :tenant_id;

-- name: nudge_hot_context^
-- What a hot-signal message says: the rep, the tenant's manners and rules, the deal (when one is
-- named and belongs to the rep's tenant) and what the contact did with the card today.
SELECT u.user_id, u.name AS rep_name, u.wecom_userid, u.active,
       t.timezone, to_char(t.quiet_start, 'HH24:MI') AS quiet_start, to_char(t.quiet_end, 'HH24:MI') AS quiet_end,
       r.rules,
       d.deal_id, d.title, d.amount, d.stage, d.stage_entered_at, s.name_zh AS stage_name, s.sla_days,
       a.name AS company, c.name AS contact_name,
       (SELECT count(*) FROM card_events e
         WHERE e.tenant_id = :tenant_id AND e.contact_id = :contact_id AND e.kind = 'view'
           AND e.created_at >= (date_trunc('day', :now::timestamptz AT TIME ZONE t.timezone) AT TIME ZONE t.timezone)
       ) AS views_today
FROM users u
JOIN tenants t ON t.tenant_id = u.tenant_id
LEFT JOIN nudge_rules r ON r.tenant_id = u.tenant_id
LEFT JOIN deals d ON d.tenant_id = u.tenant_id AND d.deal_id = :deal_id
LEFT JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
LEFT JOIN contacts c ON c.tenant_id = u.tenant_id AND c.contact_id = coalesce(:contact_id, d.contact_id)
WHERE u.tenant_id = :tenant_id AND u.user_id = :rep_id;

-- name: nudge_scan_tenants
-- The tenants a scan covers, with their manners and stored rules.
SELECT t.tenant_id, t.slug, t.timezone, to_char(t.quiet_start, 'HH24:MI') AS quiet_start,
       to_char(t.quiet_end, 'HH24:MI') AS quiet_end, r.rules
FROM tenants t LEFT JOIN nudge_rules r ON r.tenant_id = t.tenant_id
WHERE (:tenant_id::bigint IS NULL OR t.tenant_id = :tenant_id)
ORDER BY t.tenant_id;

-- name: nudge_scan
-- The whole scan in one statement: find every deal a rule fires on (one pass over the open
-- deals), drop what was already decided (the unique key), rank each recipient's new nudges
-- (customer engagement first, then amount × probability, then days over), queue up to the
-- daily cap and mark the rest summarised, record them, and return them with what the message
-- needs. Per-tenant settings come in as arrays (one element per tenant).
WITH t AS (
    SELECT * FROM unnest(:tenant_ids::bigint[], :send_at::timestamptz[], :send_day::date[],
                         :local_today::date[], :today_start::timestamptz[], :stalled::bool[],
                         :factor::float8[], :idle::bool[], :idle_days::int[], :close_passed::bool[],
                         :unpaid::bool[], :cap::int[], :engaged_days::int[])
        AS x(tenant_id, send_at, send_day, local_today, today_start, stalled, factor, idle,
             idle_days, close_passed, unpaid, cap, engaged_days)
),
eng AS (
    SELECT e.tenant_id, e.contact_id, max(e.created_at) AS last_at,
           count(*) FILTER (WHERE e.created_at > :now::timestamptz - t.engaged_days * interval '24 hours') AS events_recent,
           count(*) FILTER (WHERE e.kind = 'view' AND e.created_at > :now::timestamptz - t.engaged_days * interval '24 hours') AS views_recent,
           count(*) FILTER (WHERE e.kind = 'view' AND e.created_at >= t.today_start) AS views_today,
           count(*) FILTER (WHERE e.kind = 'forward' AND e.created_at > :now::timestamptz - t.engaged_days * interval '24 hours') AS forwards_recent,
           count(*) FILTER (WHERE e.kind = 'inquiry' AND e.created_at > :now::timestamptz - t.engaged_days * interval '24 hours') AS inquiries_recent
    FROM card_events e JOIN t ON t.tenant_id = e.tenant_id
    WHERE e.contact_id IS NOT NULL AND e.kind <> 'dwell'
      AND e.created_at > :now::timestamptz - interval '90 days' AND e.created_at <= :now::timestamptz
    GROUP BY e.tenant_id, e.contact_id
),
mgr AS (
    SELECT DISTINCT ON (u.tenant_id, u.team_id) u.tenant_id, u.team_id, u.user_id, u.wecom_userid
    FROM users u JOIN t ON t.tenant_id = u.tenant_id
    WHERE u.role = 'manager' AND u.active AND u.wecom_userid IS NOT NULL AND u.team_id IS NOT NULL
    ORDER BY u.tenant_id, u.team_id, u.user_id
),
open AS (
    SELECT d.tenant_id, d.deal_id, d.owner_id, d.stage, d.stage_entered_at, d.expected_close,
           coalesce(d.last_activity_at, d.created_at) AS last_touch,
           coalesce(d.amount, 0) * s.probability::float8 AS score, s.sla_days,
           extract(epoch FROM (:now::timestamptz - d.stage_entered_at)) / 86400.0 AS in_stage,
           t.factor, t.local_today, t.idle_days, t.engaged_days, t.cap, t.send_at, t.send_day,
           u.wecom_userid AS rep_wecom, u.team_id,
           coalesce(g.events_recent, 0) > 0 AS engaged, g.last_at AS engaged_at,
           coalesce(g.events_recent, 0) AS events_recent, coalesce(g.views_recent, 0) AS views_recent,
           coalesce(g.views_today, 0) AS views_today, coalesce(g.forwards_recent, 0) AS forwards_recent,
           coalesce(g.inquiries_recent, 0) AS inquiries_recent,
           t.stalled AND d.stage <> 'won' AND s.sla_days IS NOT NULL
               AND :now::timestamptz >= d.stage_entered_at + s.sla_days * interval '24 hours' AS f_stalled,
           t.unpaid AND d.stage = 'won' AND s.sla_days IS NOT NULL
               AND :now::timestamptz >= d.stage_entered_at + s.sla_days * interval '24 hours' AS f_unpaid,
           t.idle AND d.stage <> 'won'
               AND :now::timestamptz >= coalesce(d.last_activity_at, d.created_at) + t.idle_days * interval '24 hours'
               AND (g.last_at IS NULL OR g.last_at <= :now::timestamptz - t.idle_days * interval '24 hours') AS f_idle,
           t.close_passed AND d.stage <> 'won' AND d.expected_close IS NOT NULL
               AND d.expected_close < t.local_today AS f_close
    FROM deals d
    JOIN t ON t.tenant_id = d.tenant_id
    JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
    JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
    LEFT JOIN eng g ON g.tenant_id = d.tenant_id AND g.contact_id = d.contact_id
    WHERE d.stage NOT IN ('paid', 'lost') AND u.active
      AND (d.snoozed_until IS NULL OR d.snoozed_until <= :now::timestamptz)
),
cand AS (
    SELECT o.*, r.rule, r.level, r.episode, r.days_over,
           CASE WHEN r.level = 1 THEN o.owner_id ELSE m.user_id END AS recipient_id,
           CASE WHEN r.level = 1 THEN o.rep_wecom ELSE m.wecom_userid END AS recipient
    FROM open o
    LEFT JOIN mgr m ON m.tenant_id = o.tenant_id AND m.team_id = o.team_id AND m.user_id <> o.owner_id
    CROSS JOIN LATERAL (VALUES
        ('stalled', 1, o.stage_entered_at, o.in_stage - o.sla_days, o.f_stalled),
        ('stalled', 2, o.stage_entered_at, o.in_stage - o.sla_days,
             o.f_stalled AND :now::timestamptz >= o.stage_entered_at + o.sla_days * o.factor * interval '24 hours'),
        ('unpaid', 1, o.stage_entered_at, o.in_stage - o.sla_days, o.f_unpaid),
        ('unpaid', 2, o.stage_entered_at, o.in_stage - o.sla_days,
             o.f_unpaid AND :now::timestamptz >= o.stage_entered_at + o.sla_days * o.factor * interval '24 hours'),
        ('idle', 1, o.last_touch, extract(epoch FROM (:now::timestamptz - o.last_touch)) / 86400.0 - o.idle_days, o.f_idle),
        ('close_passed', 1, (o.expected_close::timestamp AT TIME ZONE 'UTC'),
             (o.local_today - o.expected_close)::float8, o.f_close)
    ) AS r(rule, level, episode, days_over, fires)
    WHERE (o.f_stalled OR o.f_unpaid OR o.f_idle OR o.f_close) AND r.fires
),
fresh AS (
    SELECT c.* FROM cand c
    WHERE c.recipient IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM nudges n
          WHERE n.tenant_id = c.tenant_id AND n.deal_id = c.deal_id AND n.rule = c.rule AND n.level = c.level
            AND n.stage_entered_at = c.stage_entered_at AND n.episode = c.episode)
),
already AS (
    SELECT n.tenant_id, n.recipient_id, count(*) AS sent
    FROM nudges n JOIN t ON t.tenant_id = n.tenant_id AND n.send_day = t.send_day
    WHERE n.status = 'queued'
    GROUP BY n.tenant_id, n.recipient_id
),
ranked AS (
    SELECT f.*, coalesce(a.sent, 0) + row_number() OVER (
               PARTITION BY f.tenant_id, f.recipient_id
               ORDER BY f.engaged DESC, f.score DESC, f.days_over DESC, f.deal_id, f.level) AS nth
    FROM fresh f
    LEFT JOIN already a ON a.tenant_id = f.tenant_id AND a.recipient_id = f.recipient_id
),
ins AS (
    INSERT INTO nudges (tenant_id, deal_id, rule, level, stage_entered_at, episode, recipient_id, status,
                        score, days_over, engaged, send_at, send_day, created_at)
    SELECT r.tenant_id, r.deal_id, r.rule, r.level, r.stage_entered_at, r.episode, r.recipient_id,
           CASE WHEN r.nth <= r.cap THEN 'queued' ELSE 'summarised' END,
           r.score, r.days_over, r.engaged, r.send_at, r.send_day, :now::timestamptz
    FROM ranked r
    ON CONFLICT DO NOTHING
    RETURNING nudge_id, tenant_id, deal_id, rule, level, stage_entered_at, episode, recipient_id, status,
              score, days_over, engaged, send_at
)
SELECT i.*, r.nth, r.recipient, r.sla_days, r.stage, r.expected_close, r.cap, r.factor, r.engaged_days,
       r.events_recent, r.views_recent, r.views_today, r.forwards_recent, r.inquiries_recent,
       d.title, d.amount, d.next_step, d.last_activity_at, a.name AS company, c.name AS contact_name,
       s.name_zh AS stage_name, ow.name AS owner_name,
       la.kind AS last_kind, la.body AS last_body, la.created_at AS last_at
FROM ins i
JOIN ranked r ON r.tenant_id = i.tenant_id AND r.deal_id = i.deal_id AND r.rule = i.rule AND r.level = i.level
JOIN deals d ON d.tenant_id = i.tenant_id AND d.deal_id = i.deal_id
JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
JOIN users ow ON ow.tenant_id = d.tenant_id AND ow.user_id = d.owner_id
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
LEFT JOIN contacts c ON c.tenant_id = d.tenant_id AND c.contact_id = d.contact_id
LEFT JOIN LATERAL (
    SELECT x.kind, x.body, x.created_at FROM activities x
    WHERE i.status = 'queued' AND x.tenant_id = i.tenant_id AND x.deal_id = i.deal_id AND x.kind <> 'followup'
    ORDER BY x.created_at DESC LIMIT 1
) la ON true
ORDER BY i.tenant_id, i.recipient_id, r.nth;

-- name: nudge_outbox_many$
-- Many outbox rows in one statement (the scan queues thousands); same once-per-key rule as
-- outbox_enqueue. Returns how many were new.
WITH added AS (
    INSERT INTO outbox (tenant_id, channel, recipient, payload, idempotency_key, next_attempt_at)
    SELECT x.tenant_id, 'wecom', x.recipient, x.payload::jsonb, x.key, x.not_before
    FROM unnest(:tenant_ids::bigint[], :recipients::text[], :payloads::text[], :keys::text[],
                :not_before::timestamptz[]) AS x(tenant_id, recipient, payload, key, not_before)
    ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM added;

-- name: nudge_list
-- A tenant's recorded nudges, newest first (admin API, CLI).
SELECT n.nudge_id, n.deal_id, d.title, n.rule, n.level, n.recipient_id, u.name AS recipient_name, n.status,
       n.score, n.days_over, n.engaged, n.send_at, n.created_at
FROM nudges n
LEFT JOIN deals d ON d.tenant_id = n.tenant_id AND d.deal_id = n.deal_id
LEFT JOIN users u ON u.tenant_id = n.tenant_id AND u.user_id = n.recipient_id
WHERE n.tenant_id = :tenant_id AND (:deal_id::bigint IS NULL OR n.deal_id = :deal_id)
ORDER BY n.nudge_id DESC
LIMIT :limit;

-- name: nudge_due_followups
-- Claim the follow-ups due now whose reminder has not gone out (each once, whichever worker
-- claims it first), with what the reminder says and who gets it. A follow-up more than 7 days
-- overdue (a worker that was down for long) is not sent.
WITH due AS (
    SELECT a.tenant_id, a.activity_id, a.deal_id, a.user_id, a.body, a.due_at
    FROM activities a
    JOIN users u ON u.tenant_id = a.tenant_id AND u.user_id = a.user_id
    LEFT JOIN nudge_rules r ON r.tenant_id = a.tenant_id
    WHERE a.kind = 'followup' AND a.done_at IS NULL AND a.due_at <= :now
      AND a.due_at > :now - interval '7 days'
      AND u.active AND u.wecom_userid IS NOT NULL
      AND coalesce((r.rules->>'followup')::bool, true)
      AND NOT EXISTS (SELECT 1 FROM followup_reminders f
                      WHERE f.tenant_id = a.tenant_id AND f.activity_id = a.activity_id)
    ORDER BY a.due_at
    LIMIT :limit
),
claimed AS (
    INSERT INTO followup_reminders (tenant_id, activity_id, sent_at)
    SELECT tenant_id, activity_id, :now FROM due
    ON CONFLICT DO NOTHING
    RETURNING tenant_id, activity_id
)
SELECT due.tenant_id, due.activity_id, due.deal_id, due.body, due.due_at, u.wecom_userid,
       d.title, d.stage, s.name_zh AS stage_name
FROM claimed
JOIN due USING (tenant_id, activity_id)
JOIN users u ON u.tenant_id = due.tenant_id AND u.user_id = due.user_id
JOIN deals d ON d.tenant_id = due.tenant_id AND d.deal_id = due.deal_id
JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage;

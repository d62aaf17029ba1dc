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
-- named and is this rep's own) and what the contact did with the card today.
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
LEFT JOIN deals d ON d.tenant_id = u.tenant_id AND d.deal_id = :deal_id AND d.owner_id = u.user_id
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
  AND (:slot::int IS NULL OR t.tenant_id % :slots::int = :slot::int)
ORDER BY t.tenant_id;

-- name: nudge_scan_find!
-- A scan, step 1: every nudge due now that was not decided before, into the temporary table
-- nudge_cand (dropped at commit; analysed before step 2, so that step's plan fits its size).
-- Per tenant and stage, the entry time past which a rule fires turns each rule into an index
-- range scan (deals_stall_scan, deals_idle_scan, deals_close_scan); what was decided already
-- drops out on the unique key of ``nudges``. Per-tenant settings come in as arrays, one element
-- per tenant.
CREATE TEMP TABLE nudge_cand ON COMMIT DROP AS
WITH t AS (
    SELECT x.*, :now::timestamptz - x.idle_days * interval '24 hours' AS idle_before,
           :now::timestamptz - x.engaged_days * interval '24 hours' AS engaged_since
    FROM unnest(:tenant_ids::bigint[], :send_at::timestamptz[], :send_day::date[],
                :local_today::date[], :today_start::timestamptz[], :stalled::bool[],
                :factor::float8[], :idle::bool[], :idle_days::int[], :close_passed::bool[],
                :unpaid::bool[], :cap::int[], :engaged_days::int[])
        AS x(tenant_id, send_at, send_day, local_today, today_start, stalled, factor, idle,
             idle_days, close_passed, unpaid, cap, engaged_days)
),
th AS (
    SELECT t.tenant_id, s.key AS stage, s.sla_days, s.probability::float8 AS probability,
           (s.key = 'won' AND t.unpaid) OR (s.key <> 'won' AND t.stalled) AS sla_rule,
           :now::timestamptz - s.sla_days * interval '24 hours' AS due_before,
           :now::timestamptz - s.sla_days * t.factor * interval '24 hours' AS escalate_before,
           t.idle_before, t.send_at, t.send_day, t.cap, t.factor, t.engaged_days, t.engaged_since, t.today_start
    FROM t JOIN pipeline_stages s ON s.tenant_id = t.tenant_id
    WHERE s.key NOT IN ('paid', 'lost')
),
exhausted AS (
    -- recipients with nothing more coming on the day this pass sends for: the daily cap spent
    -- and the day's summary line out (what step 2 would drop them for, decided before any deal
    -- is read, so a rescan does not re-find and re-rank every capped candidate)
    SELECT n.tenant_id, n.recipient_id
    FROM nudges n JOIN t ON t.tenant_id = n.tenant_id AND n.send_day = t.send_day
    WHERE n.status = 'queued'
    GROUP BY n.tenant_id, n.recipient_id, t.cap, t.send_day
    HAVING count(DISTINCT n.deal_id) >= t.cap
       AND EXISTS (SELECT 1 FROM outbox b WHERE b.tenant_id = n.tenant_id
                     AND b.idempotency_key = 'nudge-summary:' || n.recipient_id || ':' || t.send_day)
),
skip AS MATERIALIZED (
    -- (owner, level) pairs whose recipient is exhausted: the owner (level 1), or the manager a
    -- level-2 nudge of the owner's deal goes to (the same pick as in ``cand`` below)
    SELECT u.tenant_id, u.user_id AS owner_id, 1 AS level
    FROM exhausted e JOIN users u ON u.tenant_id = e.tenant_id AND u.user_id = e.recipient_id
    UNION ALL
    SELECT u.tenant_id, u.user_id, 2
    FROM users u
    JOIN t ON t.tenant_id = u.tenant_id
    CROSS JOIN LATERAL (
        SELECT x.user_id FROM users x
        WHERE x.tenant_id = u.tenant_id AND x.team_id = u.team_id AND x.role = 'manager'
          AND x.active AND x.wecom_userid IS NOT NULL AND x.user_id <> u.user_id
        ORDER BY x.user_id LIMIT 1
    ) m
    JOIN exhausted e ON e.tenant_id = u.tenant_id AND e.recipient_id = m.user_id
    WHERE EXISTS (SELECT 1 FROM exhausted)
),
l1_live AS MATERIALIZED (
    -- tenants where someone could still get a level-1 nudge today: an active user with a WeChat
    -- Work id not skipped (a rescan's tenants are usually all spent: their deals are not read)
    SELECT t.tenant_id FROM t
    WHERE EXISTS (SELECT 1 FROM users u
                  WHERE u.tenant_id = t.tenant_id AND u.active AND u.wecom_userid IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM skip k WHERE k.tenant_id = u.tenant_id
                                      AND k.owner_id = u.user_id AND k.level = 1))
),
hit AS (
    SELECT d.tenant_id, d.deal_id, d.owner_id, d.contact_id, d.account_id, d.stage, d.stage_entered_at,
           CASE WHEN d.stage = 'won' THEN 'unpaid' ELSE 'stalled' END AS rule, 1 AS level,
           d.stage_entered_at AS episode, coalesce(d.amount, 0) * th.probability AS score,
           extract(epoch FROM (:now::timestamptz - d.stage_entered_at)) / 86400.0 - th.sla_days AS days_over,
           extract(epoch FROM (:now::timestamptz - d.stage_entered_at)) / 86400.0 - th.sla_days AS stage_over,
           th.idle_before, th.send_at, th.send_day, th.cap, th.factor, th.engaged_days, th.engaged_since, th.today_start
    FROM th CROSS JOIN LATERAL (
        SELECT * FROM deals x
        WHERE x.tenant_id = th.tenant_id AND x.stage = th.stage AND x.stage_entered_at <= th.due_before
          AND x.stage NOT IN ('paid', 'lost')) d
    WHERE th.tenant_id IN (SELECT tenant_id FROM l1_live) AND th.sla_rule AND th.sla_days IS NOT NULL AND (d.snoozed_until IS NULL OR d.snoozed_until <= :now::timestamptz)
    UNION ALL
    SELECT d.tenant_id, d.deal_id, d.owner_id, d.contact_id, d.account_id, d.stage, d.stage_entered_at,
           CASE WHEN d.stage = 'won' THEN 'unpaid' ELSE 'stalled' END, 2,
           d.stage_entered_at, coalesce(d.amount, 0) * th.probability,
           extract(epoch FROM (:now::timestamptz - d.stage_entered_at)) / 86400.0 - th.sla_days,
           extract(epoch FROM (:now::timestamptz - d.stage_entered_at)) / 86400.0 - th.sla_days,
           th.idle_before, th.send_at, th.send_day, th.cap, th.factor, th.engaged_days, th.engaged_since, th.today_start
    FROM th CROSS JOIN LATERAL (
        SELECT * FROM deals x
        WHERE x.tenant_id = th.tenant_id AND x.stage = th.stage AND x.stage_entered_at <= th.escalate_before
          AND x.stage NOT IN ('paid', 'lost')) d
    WHERE th.sla_rule AND th.sla_days IS NOT NULL AND (d.snoozed_until IS NULL OR d.snoozed_until <= :now::timestamptz)
    UNION ALL
    SELECT d.tenant_id, d.deal_id, d.owner_id, d.contact_id, d.account_id, d.stage, d.stage_entered_at, 'idle', 1,
           coalesce(d.last_activity_at, d.created_at), coalesce(d.amount, 0) * th.probability,
           extract(epoch FROM (:now::timestamptz - coalesce(d.last_activity_at, d.created_at))) / 86400.0 - t.idle_days,
           extract(epoch FROM (:now::timestamptz - d.stage_entered_at)) / 86400.0 - coalesce(th.sla_days, 0),
           th.idle_before, th.send_at, th.send_day, th.cap, th.factor, th.engaged_days, th.engaged_since, th.today_start
    FROM t
    JOIN deals d ON d.tenant_id = t.tenant_id AND coalesce(d.last_activity_at, d.created_at) <= t.idle_before
                AND d.stage NOT IN ('won', 'paid', 'lost')
    JOIN th ON th.tenant_id = d.tenant_id AND th.stage = d.stage
    WHERE t.idle AND t.tenant_id IN (SELECT tenant_id FROM l1_live)
      AND (d.snoozed_until IS NULL OR d.snoozed_until <= :now::timestamptz)
    UNION ALL
    SELECT d.tenant_id, d.deal_id, d.owner_id, d.contact_id, d.account_id, d.stage, d.stage_entered_at, 'close_passed', 1,
           (d.expected_close::timestamp AT TIME ZONE 'UTC'), coalesce(d.amount, 0) * th.probability,
           (t.local_today - d.expected_close)::float8,
           extract(epoch FROM (:now::timestamptz - d.stage_entered_at)) / 86400.0 - coalesce(th.sla_days, 0),
           th.idle_before, th.send_at, th.send_day, th.cap, th.factor, th.engaged_days, th.engaged_since, th.today_start
    FROM t
    JOIN deals d ON d.tenant_id = t.tenant_id AND d.expected_close < t.local_today
                AND d.expected_close IS NOT NULL AND d.stage NOT IN ('won', 'paid', 'lost')
    JOIN th ON th.tenant_id = d.tenant_id AND th.stage = d.stage
    WHERE t.close_passed AND t.tenant_id IN (SELECT tenant_id FROM l1_live)
      AND (d.snoozed_until IS NULL OR d.snoozed_until <= :now::timestamptz)
),
live AS (
    SELECT h.* FROM hit h
    WHERE NOT EXISTS (SELECT 1 FROM skip k
                      WHERE k.tenant_id = h.tenant_id AND k.owner_id = h.owner_id AND k.level = h.level)
),
cand AS (
    SELECT h.tenant_id, h.deal_id, h.contact_id, h.rule, h.level, h.stage_entered_at, h.episode, h.score,
           h.days_over, h.stage_over, coalesce(g.events_recent, 0) > 0 AS engaged,
           CASE WHEN h.level = 1 THEN h.owner_id ELSE m.user_id END AS recipient_id,
           CASE WHEN h.level = 1 THEN u.wecom_userid ELSE m.wecom_userid END AS recipient,
           h.send_at, h.send_day, h.cap, h.factor, h.engaged_days, h.engaged_since, h.today_start,
           coalesce(ac.tier_override, ac.tier, 'C') AS tier
    FROM live h
    JOIN users u ON u.tenant_id = h.tenant_id AND u.user_id = h.owner_id AND u.active
    LEFT JOIN accounts ac ON ac.tenant_id = h.tenant_id AND ac.account_id = h.account_id  -- 大客户 (tier A) first
    -- lookups per candidate, not joins with aggregates: the right plan whatever the row estimates
    LEFT JOIN LATERAL (
        SELECT max(e.created_at) AS last_at, count(*) FILTER (WHERE e.created_at > h.engaged_since) AS events_recent
        FROM card_events e
        WHERE h.contact_id IS NOT NULL AND e.tenant_id = h.tenant_id AND e.contact_id = h.contact_id
          AND e.kind <> 'dwell' AND e.created_at > :now::timestamptz - interval '90 days'
          AND e.created_at <= :now::timestamptz
    ) g ON true
    LEFT JOIN LATERAL (
        SELECT x.user_id, x.wecom_userid FROM users x
        WHERE h.level = 2 AND x.tenant_id = h.tenant_id AND x.team_id = u.team_id AND x.role = 'manager'
          AND x.active AND x.wecom_userid IS NOT NULL AND x.user_id <> h.owner_id
        ORDER BY x.user_id LIMIT 1
    ) m ON true
    WHERE (h.rule <> 'idle' OR g.last_at IS NULL OR g.last_at <= h.idle_before)
)
SELECT c.* FROM cand c
WHERE c.recipient IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM nudges n
      WHERE n.tenant_id = c.tenant_id AND n.deal_id = c.deal_id AND n.rule = c.rule AND n.level = c.level
        AND n.stage_entered_at = c.stage_entered_at AND n.episode = c.episode);

-- name: nudge_scan_record
-- A scan, step 2: each recipient's new nudges (nudge_cand) are ranked — customer engagement
-- first, then the account's tier (A first), then amount × probability, then days over the stage's SLA; a deal is one card however
-- many of its rules fire — and those within the daily cap are recorded and returned (kind
-- 'nudge'); the rest stay undecided, so they come up again on a later day while they still
-- apply, and are told in one summary line per recipient and day (kind 'summary', unless that
-- line went out already). A recipient whose cap and summary are spent is left out before any
-- ranking. The rows returned are the ones recorded: under the scan lock nothing else records
-- nudges, and should anything ever race, the outbox key still lets one message out.
WITH days AS (
    SELECT DISTINCT tenant_id, send_day, cap FROM nudge_cand
),
already AS (
    -- what each recipient was sent on the day this pass sends for; ``exhausted``: the cap is
    -- reached and the day's summary line went out, so nothing more goes to them that day
    SELECT a.tenant_id, a.recipient_id, a.sent,
           a.sent >= t.cap AND EXISTS (
               SELECT 1 FROM outbox b WHERE b.tenant_id = a.tenant_id
                 AND b.idempotency_key = 'nudge-summary:' || a.recipient_id || ':' || t.send_day) AS exhausted
    FROM (SELECT n.tenant_id, n.recipient_id, count(DISTINCT n.deal_id) AS sent
          FROM nudges n JOIN days t ON t.tenant_id = n.tenant_id AND n.send_day = t.send_day
          WHERE n.status = 'queued'
          GROUP BY n.tenant_id, n.recipient_id) a
    JOIN days t ON t.tenant_id = a.tenant_id
),
fresh AS (
    SELECT c.*, coalesce(a.sent, 0) AS sent FROM nudge_cand c
    LEFT JOIN already a ON a.tenant_id = c.tenant_id AND a.recipient_id = c.recipient_id
    WHERE a.exhausted IS NOT TRUE
),
ranked AS (
    -- a deal is one card however many of its rules fire: the rank (and the cap) counts deals
    SELECT f.*, f.sent + dense_rank() OVER (
               PARTITION BY f.tenant_id, f.recipient_id
               ORDER BY f.engaged DESC, f.tier, f.score DESC, f.stage_over DESC, f.deal_id) AS nth
    FROM fresh f
),
queued AS (
    SELECT r.* FROM ranked r WHERE r.nth <= r.cap
),
ins AS (
    INSERT INTO nudges (tenant_id, deal_id, rule, level, stage_entered_at, episode, recipient_id, status,
                        score, days_over, engaged, send_at, send_day, created_at)
    SELECT q.tenant_id, q.deal_id, q.rule, q.level, q.stage_entered_at, q.episode, q.recipient_id, 'queued',
           q.score, q.days_over, q.engaged, q.send_at, q.send_day, :now::timestamptz
    FROM queued q
    ON CONFLICT DO NOTHING
),
over AS (
    SELECT r.tenant_id, r.recipient_id, min(r.recipient) AS recipient, min(r.send_at) AS send_at,
           min(r.send_day) AS send_day, min(r.cap) AS cap, count(DISTINCT r.deal_id) AS over_cap
    FROM ranked r
    WHERE r.nth > r.cap
    GROUP BY r.tenant_id, r.recipient_id
),
over_top AS (
    -- the three most valuable of those, named in the summary line
    SELECT r.tenant_id, r.recipient_id, array_agg(d.title ORDER BY r.nth) AS titles
    FROM (SELECT DISTINCT r.tenant_id, r.recipient_id, r.deal_id, r.nth
          FROM ranked r
          WHERE r.nth > r.cap AND r.nth <= r.cap + 3) r
    JOIN deals d ON d.tenant_id = r.tenant_id AND d.deal_id = r.deal_id
    GROUP BY r.tenant_id, r.recipient_id
)
SELECT 'nudge' AS kind, q.tenant_id, q.deal_id, q.rule, q.level, q.stage_entered_at, q.episode,
       q.recipient_id, q.recipient, q.send_at, q.score, q.days_over, q.engaged, q.nth, q.cap, q.factor,
       q.engaged_days, coalesce(g.events_recent, 0) AS events_recent, coalesce(g.views_recent, 0) AS views_recent,
       coalesce(g.views_today, 0) AS views_today, coalesce(g.forwards_recent, 0) AS forwards_recent,
       coalesce(g.inquiries_recent, 0) AS inquiries_recent,
       s.sla_days, d.stage, d.expected_close, d.title, d.amount, d.next_step, d.last_activity_at,
       a.name AS company, c.name AS contact_name, s.name_zh AS stage_name, ow.name AS owner_name,
       la.kind AS last_kind, la.body AS last_body, la.created_at AS last_at,
       NULL::bigint AS over_cap, NULL::text[] AS titles, NULL::text AS summary_key
FROM queued q
JOIN deals d ON d.tenant_id = q.tenant_id AND d.deal_id = q.deal_id
JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
JOIN users ow ON ow.tenant_id = d.tenant_id AND ow.user_id = d.owner_id
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE e.created_at > q.engaged_since) AS events_recent,
           count(*) FILTER (WHERE e.kind = 'view' AND e.created_at > q.engaged_since) AS views_recent,
           count(*) FILTER (WHERE e.kind = 'view' AND e.created_at >= q.today_start) AS views_today,
           count(*) FILTER (WHERE e.kind = 'forward' AND e.created_at > q.engaged_since) AS forwards_recent,
           count(*) FILTER (WHERE e.kind = 'inquiry' AND e.created_at > q.engaged_since) AS inquiries_recent
    FROM card_events e
    WHERE q.engaged AND e.tenant_id = q.tenant_id AND e.contact_id = q.contact_id AND e.kind <> 'dwell'
      AND e.created_at > least(q.engaged_since, q.today_start) AND e.created_at <= :now::timestamptz
) g ON true
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
LEFT JOIN contacts c ON c.tenant_id = d.tenant_id AND c.contact_id = d.contact_id
LEFT JOIN LATERAL (
    SELECT x.kind, x.body, x.created_at FROM activities x
    WHERE x.tenant_id = q.tenant_id AND x.deal_id = q.deal_id AND x.kind <> 'followup'
    ORDER BY x.created_at DESC LIMIT 1
) la ON true
UNION ALL
SELECT 'summary', o.tenant_id, NULL, NULL, NULL, NULL, NULL, o.recipient_id, o.recipient, o.send_at,
       NULL, NULL, NULL, NULL, o.cap, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, o.over_cap, ot.titles,
       'nudge-summary:' || o.recipient_id || ':' || o.send_day
FROM over o
JOIN over_top ot ON ot.tenant_id = o.tenant_id AND ot.recipient_id = o.recipient_id
WHERE NOT EXISTS (SELECT 1 FROM outbox b WHERE b.tenant_id = o.tenant_id
                    AND b.idempotency_key = 'nudge-summary:' || o.recipient_id || ':' || o.send_day)
ORDER BY 2, 8, 1, 14, 3, 4;

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

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
-- The tenants a scan covers, with their manners and stored rules; each tenant's row is locked
-- FOR KEY SHARE until the scan commits (what a foreign-key check would lock, once per tenant
-- instead of once per nudge and outbox row written: migration 0025).
SELECT t.tenant_id, t.slug, t.timezone, to_char(t.quiet_start, 'HH24:MI') AS quiet_start,
       to_char(t.quiet_end, 'HH24:MI') AS quiet_end, r.rules
FROM tenants t LEFT JOIN nudge_rules r ON r.tenant_id = t.tenant_id
WHERE (:tenant_id::bigint IS NULL OR t.tenant_id = :tenant_id)
  AND (:slot::int IS NULL OR t.tenant_id % :slots::int = :slot::int)
ORDER BY t.tenant_id
FOR KEY SHARE OF t;

-- name: nudge_scan_people
-- A scan, step 1: the people of the scan's tenants as nudge recipients: each user's activity and
-- WeChat Work id, the team manager a level-2 nudge of their deals goes to, and for everyone who
-- was sent something on the day this pass sends for, how many deals (the daily cap counts cards)
-- and whether they are spent (cap reached and the day's summary line out: nothing more that day).
-- The scan reads the deals of the people who can still get something, and only theirs.
WITH t AS (
    SELECT * FROM unnest(:tenant_ids::bigint[], :send_day::date[], :cap::int[]) AS t(tenant_id, send_day, cap)
),
sent AS (
    SELECT n.tenant_id, n.recipient_id, count(DISTINCT n.deal_id)::int AS sent
    FROM t JOIN nudges n ON n.tenant_id = t.tenant_id AND n.send_day = t.send_day AND n.status = 'queued'
    GROUP BY n.tenant_id, n.recipient_id
)
SELECT u.tenant_id, u.user_id, u.active, u.wecom_userid, m.user_id AS manager_id, m.wecom_userid AS manager_wecom,
       coalesce(s.sent, 0) AS sent,
       coalesce(s.sent >= t.cap AND EXISTS (
           SELECT 1 FROM outbox b WHERE b.tenant_id = u.tenant_id
             AND b.idempotency_key = 'nudge-summary:' || u.user_id || ':' || t.send_day), false) AS spent
FROM t
JOIN users u ON u.tenant_id = t.tenant_id
LEFT JOIN sent s ON s.tenant_id = u.tenant_id AND s.recipient_id = u.user_id
LEFT JOIN LATERAL (
    SELECT x.user_id, x.wecom_userid FROM users x
    WHERE x.tenant_id = u.tenant_id AND x.team_id = u.team_id AND x.role = 'manager'
      AND x.active AND x.wecom_userid IS NOT NULL AND x.user_id <> u.user_id
    ORDER BY x.user_id LIMIT 1
) m ON u.team_id IS NOT NULL;

-- name: nudge_scan
-- A scan, step 2, one statement: every nudge due now that was not decided before, for the
-- recipients who can still get one today (step 1), ranked per recipient — customer engagement
-- first, then the account's tier (A first), then amount × probability, then days over the
-- stage's SLA; a deal is one card however many of its rules fire — and those within the daily
-- cap recorded and returned (kind 'nudge'); the rest stay undecided, so they come up again on a
-- later day while they still apply, and are told in one summary line per recipient and day
-- (kind 'summary', unless that line went out already). The same statement writes them to the
-- outbox (once per key, as outbox_enqueue): a card as a small row whose key names its nudges
-- and whose payload says what the deal will not (cards.render_card renders it when it is sent),
-- a summary line rendered here (nudge_clip of migration 0024); the rows recorded, with what their
-- cards say, come back only when :collect, and a last row (kind 'counts') says how many nudges,
-- cards, summary lines and new outbox rows there were.
-- Level 1 reads the open deals of the owners given (:o1_*: active, reachable, not spent), in
-- one pass (deals_owner_open, or one sequential read when they are most owners); level 2 reads
-- only the deals past escalate_factor × SLA (deals_stall_scan) of owners whose manager is not
-- spent (:o2_*). Engagement is read once per contact. Per-tenant settings come in as arrays, one
-- element per tenant. The rows returned are the ones recorded: under the scan lock nothing else
-- records nudges, and should anything ever race, the outbox key still lets one message out.
WITH t AS (
    SELECT x.*, :now::timestamptz - x.idle_days * interval '24 hours' AS idle_before,
           :now::timestamptz - x.engaged_days * interval '24 hours' AS engaged_since
    FROM unnest(:tenant_ids::bigint[], :send_at::timestamptz[], :send_day::date[],
                :local_today::date[], :today_start::timestamptz[], :stalled::bool[],
                :factor::float8[], :idle::bool[], :idle_days::int[], :close_passed::bool[],
                :unpaid::bool[], :cap::int[], :engaged_days::int[], :factor_g::text[])
        AS x(tenant_id, send_at, send_day, local_today, today_start, stalled, factor, idle,
             idle_days, close_passed, unpaid, cap, engaged_days, factor_g)
),
th AS MATERIALIZED (
    SELECT t.tenant_id, s.key AS stage, s.sla_days, s.probability::float8 AS probability,
           ((s.key = 'won' AND t.unpaid) OR (s.key <> 'won' AND t.stalled)) AND s.sla_days IS NOT NULL AS sla_rule,
           t.idle AND s.key <> 'won' AS idle_rule, t.close_passed AND s.key <> 'won' AS close_rule,
           :now::timestamptz - s.sla_days * interval '24 hours' AS due_before,
           :now::timestamptz - s.sla_days * t.factor * interval '24 hours' AS escalate_before,
           t.idle_before, t.idle_days, t.local_today, t.send_at, t.send_day, t.cap, t.factor, t.engaged_days,
           t.engaged_since, t.today_start
    FROM t JOIN pipeline_stages s ON s.tenant_id = t.tenant_id
    WHERE s.key NOT IN ('paid', 'lost')
),
o1 AS (
    SELECT * FROM unnest(:o1_tenants::bigint[], :o1_users::bigint[], :o1_sent::int[]) AS o(tenant_id, user_id, sent)
),
o2 AS (
    SELECT * FROM unnest(:o2_tenants::bigint[], :o2_users::bigint[], :o2_managers::bigint[], :o2_sent::int[])
        AS o(tenant_id, user_id, manager_id, sent)
),
dd AS (
    -- the candidate deals and their recipient: level 1, the live owners' deals over some rule
    SELECT d.tenant_id, d.deal_id, 1 AS level, o.user_id AS recipient_id, o.sent, d.contact_id, d.account_id,
           coalesce(d.amount, 0) * th.probability AS score, d.stage_entered_at, d.expected_close,
           coalesce(d.last_activity_at, d.created_at) AS touch, d.stage = 'won' AS won, th.sla_days,
           th.sla_rule AND d.stage_entered_at <= th.due_before AS r_sla,
           th.idle_rule AND coalesce(d.last_activity_at, d.created_at) <= th.idle_before AS r_idle,
           th.close_rule AND d.expected_close < th.local_today AS r_close
    FROM o1 o
    JOIN deals d ON d.tenant_id = o.tenant_id AND d.owner_id = o.user_id AND d.stage NOT IN ('paid', 'lost')
    JOIN th ON th.tenant_id = d.tenant_id AND th.stage = d.stage
    WHERE (d.snoozed_until IS NULL OR d.snoozed_until <= :now::timestamptz)
      AND ((th.sla_rule AND d.stage_entered_at <= th.due_before)
           OR (th.idle_rule AND coalesce(d.last_activity_at, d.created_at) <= th.idle_before)
           OR (th.close_rule AND d.expected_close < th.local_today))
    UNION ALL
    -- level 2: the deals past escalate_factor × SLA whose owner's manager is not spent
    SELECT d.tenant_id, d.deal_id, 2, o.manager_id, o.sent, d.contact_id, d.account_id,
           coalesce(d.amount, 0) * th.probability, d.stage_entered_at, d.expected_close,
           coalesce(d.last_activity_at, d.created_at), d.stage = 'won', th.sla_days, true, false, false
    FROM th CROSS JOIN LATERAL (
        SELECT * FROM deals x
        WHERE x.tenant_id = th.tenant_id AND x.stage = th.stage AND x.stage_entered_at <= th.escalate_before
          AND x.stage NOT IN ('paid', 'lost')
        OFFSET 0) d  -- kept a per-stage range scan: the owners are many, the deals past escalation few
    JOIN o2 o ON o.tenant_id = d.tenant_id AND o.user_id = d.owner_id
    WHERE th.sla_rule AND (d.snoozed_until IS NULL OR d.snoozed_until <= :now::timestamptz)
),
ev AS (
    -- each contact's card events of the last 90 days (not dwell): the last one, and how many
    -- lately (engagement ranks a deal first; any in the last idle_days means it is not idle)
    SELECT e.tenant_id, e.contact_id, max(e.created_at) AS last_at,
           count(*) FILTER (WHERE e.created_at > t.engaged_since) AS recent
    FROM t JOIN card_events e ON e.tenant_id = t.tenant_id AND e.contact_id IS NOT NULL
        AND e.created_at > :now::timestamptz - interval '90 days' AND e.created_at <= :now::timestamptz
    WHERE e.kind <> 'dwell'
    GROUP BY e.tenant_id, e.contact_id
),
hit AS (
    -- one row per rule that fires, not decided before (the unique key of ``nudges``); only what
    -- the ranking and the record need (the tenant's settings are joined back afterwards)
    SELECT dd.tenant_id, dd.deal_id, dd.level, dd.recipient_id, dd.sent, t.cap, r.rule, dd.stage_entered_at,
           r.episode, r.days_over, dd.score,
           extract(epoch FROM (:now::timestamptz - dd.stage_entered_at)) / 86400.0 - coalesce(dd.sla_days, 0) AS stage_over,
           coalesce(ev.recent, 0) > 0 AS engaged, coalesce(ac.tier_override, ac.tier, 'C') AS tier
    FROM dd
    JOIN t ON t.tenant_id = dd.tenant_id
    LEFT JOIN ev ON ev.tenant_id = dd.tenant_id AND ev.contact_id = dd.contact_id
    LEFT JOIN accounts ac ON ac.tenant_id = dd.tenant_id AND ac.account_id = dd.account_id  -- 大客户 (tier A) first
    CROSS JOIN LATERAL (
        SELECT CASE WHEN dd.won THEN 'unpaid' ELSE 'stalled' END, dd.stage_entered_at,
               extract(epoch FROM (:now::timestamptz - dd.stage_entered_at)) / 86400.0 - dd.sla_days
        WHERE dd.r_sla
        UNION ALL
        SELECT 'idle', dd.touch, extract(epoch FROM (:now::timestamptz - dd.touch)) / 86400.0 - t.idle_days
        WHERE dd.r_idle AND (ev.last_at IS NULL OR ev.last_at <= t.idle_before)
        UNION ALL
        SELECT 'close_passed', dd.expected_close::timestamp AT TIME ZONE 'UTC', (t.local_today - dd.expected_close)::float8
        WHERE dd.r_close
    ) r(rule, episode, days_over)
    WHERE NOT EXISTS (
        SELECT 1 FROM nudges n
        WHERE n.tenant_id = dd.tenant_id AND n.deal_id = dd.deal_id AND n.rule = r.rule AND n.level = dd.level
          AND n.stage_entered_at = dd.stage_entered_at AND n.episode = r.episode)
),
ranked AS (
    -- a deal is one card however many of its rules fire: the rank (and the cap) counts deals
    SELECT h.*, h.sent + dense_rank() OVER (
               PARTITION BY h.tenant_id, h.recipient_id
               ORDER BY h.engaged DESC, h.tier, h.score DESC, h.stage_over DESC, h.deal_id) AS nth
    FROM hit h
),
queued AS (
    SELECT r.*, t.send_at, t.send_day, t.factor, t.factor_g, t.engaged_days, t.engaged_since, t.today_start,
           r.rule || ':' || nudge_micros(r.stage_entered_at) || ':' || nudge_micros(r.episode) AS part
    FROM ranked r JOIN t ON t.tenant_id = r.tenant_id
    WHERE r.nth <= r.cap
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
    -- per recipient over the cap: how many deals — a recipient's ranks are consecutive from
    -- sent + 1, one per deal (the deal id breaks ties), so that is the last rank less what the cap
    -- let through, with no count of distinct deals — and the three most valuable of them (to be
    -- named in the summary line; a deal's rules are neighbours there, told apart below)
    SELECT r.tenant_id, r.recipient_id, min(r.cap) AS cap, max(r.nth) - greatest(min(r.cap), min(r.sent)) AS over_cap,
           -- unordered (an ORDER BY here sorts every row over the cap): the titles go by rank below
           array_agg(r.deal_id) FILTER (WHERE r.nth <= r.cap + 3) AS top,
           array_agg(r.nth) FILTER (WHERE r.nth <= r.cap + 3) AS top_nth
    FROM ranked r
    WHERE r.nth > r.cap
    GROUP BY r.tenant_id, r.recipient_id
),
over_keyed AS (
    SELECT o.*, t.send_at, 'nudge-summary:' || o.recipient_id || ':' || t.send_day AS summary_key
    FROM over o JOIN t ON t.tenant_id = o.tenant_id
),
over_titled AS (
    -- the lists whose summary line did not go out already (once per recipient and day), with the
    -- three most valuable titles, a deal named once
    SELECT o.*, ARRAY(SELECT d.title FROM unnest(o.top, o.top_nth) AS x(deal_id, nth)
                      JOIN deals d ON d.tenant_id = o.tenant_id AND d.deal_id = x.deal_id
                      GROUP BY d.deal_id, d.title ORDER BY min(x.nth)) AS titles
    FROM over_keyed o
    WHERE NOT EXISTS (SELECT 1 FROM outbox b WHERE b.tenant_id = o.tenant_id AND b.idempotency_key = o.summary_key)
),
qd AS (
    -- the recorded nudges with what their cards say (read only when :collect: dry runs, CLI, admin)
    SELECT 'nudge'::text AS kind, q.tenant_id, q.deal_id, q.rule, q.level, q.stage_entered_at, q.episode,
           q.recipient_id, rc.wecom_userid AS recipient, q.send_at, q.score, q.days_over, q.engaged, q.nth, q.cap, q.factor,
           q.engaged_days, coalesce(g.events_recent, 0) AS events_recent, coalesce(g.views_recent, 0) AS views_recent,
           coalesce(g.views_today, 0) AS views_today, coalesce(g.forwards_recent, 0) AS forwards_recent,
           coalesce(g.inquiries_recent, 0) AS inquiries_recent,
           s.sla_days, d.stage, d.expected_close, d.title, d.amount, d.next_step, d.last_activity_at,
           a.name AS company, c.name AS contact_name, s.name_zh AS stage_name, ow.name AS owner_name,
           la.kind AS last_kind, la.body AS last_body, la.created_at AS last_at, q.factor_g
    FROM queued q
    JOIN deals d ON d.tenant_id = q.tenant_id AND d.deal_id = q.deal_id
    JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
    JOIN users ow ON ow.tenant_id = d.tenant_id AND ow.user_id = d.owner_id
    JOIN users rc ON rc.tenant_id = q.tenant_id AND rc.user_id = q.recipient_id
    LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE e.created_at > q.engaged_since) AS events_recent,
               count(*) FILTER (WHERE e.kind = 'view' AND e.created_at > q.engaged_since) AS views_recent,
               count(*) FILTER (WHERE e.kind = 'view' AND e.created_at >= q.today_start) AS views_today,
               count(*) FILTER (WHERE e.kind = 'forward' AND e.created_at > q.engaged_since) AS forwards_recent,
               count(*) FILTER (WHERE e.kind = 'inquiry' AND e.created_at > q.engaged_since) AS inquiries_recent
        FROM card_events e
        WHERE q.engaged AND e.tenant_id = q.tenant_id AND e.contact_id = d.contact_id AND e.kind <> 'dwell'
          AND e.created_at > least(q.engaged_since, q.today_start) AND e.created_at <= :now::timestamptz
    ) g ON true
    LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
    LEFT JOIN contacts c ON c.tenant_id = d.tenant_id AND c.contact_id = d.contact_id
    LEFT JOIN LATERAL (
        SELECT x.kind, x.body, x.created_at FROM activities x
        WHERE x.tenant_id = q.tenant_id AND x.deal_id = q.deal_id AND x.kind <> 'followup'
        ORDER BY x.created_at DESC LIMIT 1
    ) la ON true
),
card AS (
    -- one card per deal and recipient. Its outbox key is the unique keys of the nudges it carries
    -- (the rules in alphabetical order: scan.outbox_key), and its payload only what the deal's
    -- rows will not say when the card is sent: the scan's time, whether the customer engaged,
    -- and the tenant's rules as they were — {"render": "nudge_card", "at", "engaged",
    -- "engaged_days", "factor", "today_start"}, ~0.15 KB against ~0.9 KB for the card. The
    -- sender renders the card from that (cards.render_card: messages.nudge_card, as of the scan).
    SELECT q.tenant_id, q.recipient_id, q.deal_id, any_value(q.send_at) AS send_at,
           '{"render":"nudge_card","at":' || to_json(:now::timestamptz)::text || ',"engaged":' || bool_or(q.engaged)
               || ',"engaged_days":' || any_value(q.engaged_days) || ',"factor":' || to_json(any_value(q.factor))::text
               || ',"today_start":' || to_json(any_value(q.today_start))::text || '}' AS payload,
           'nudge:' || q.deal_id || ':' || q.level || ':'
               || concat_ws('+', max(q.part) FILTER (WHERE q.rule = 'close_passed'), max(q.part) FILTER (WHERE q.rule = 'idle'),
                            max(q.part) FILTER (WHERE q.rule = 'stalled'), max(q.part) FILTER (WHERE q.rule = 'unpaid')) AS key
    FROM queued q
    GROUP BY q.tenant_id, q.recipient_id, q.deal_id, q.level
),
outbound AS (
    SELECT c.tenant_id, rc.wecom_userid AS recipient, c.send_at, c.key, c.payload::jsonb AS payload
    FROM card c
    JOIN users rc ON rc.tenant_id = c.tenant_id AND rc.user_id = c.recipient_id
    UNION ALL
    -- one summary line per recipient over the cap (messages.summary_text), unless it went out already
    SELECT o.tenant_id, rc.wecom_userid, o.send_at, o.summary_key,
           jsonb_build_object('msgtype', 'text', 'text', jsonb_build_object('content',
               '另有 ' || o.over_cap || ' 单今天没有逐条提醒（每天最多 ' || o.cap || ' 条）：'
               || coalesce((SELECT string_agg(nudge_clip(x.title, 16), '、' ORDER BY x.i)
                            FROM unnest(o.titles) WITH ORDINALITY AS x(title, i) WHERE x.i <= 3), '')
               || CASE WHEN o.over_cap > 3 THEN '等' ELSE '' END || '。回复“我的商机”查看全部。'))
    FROM over_titled o
    JOIN users rc ON rc.tenant_id = o.tenant_id AND rc.user_id = o.recipient_id
),
added AS (
    INSERT INTO outbox (tenant_id, channel, recipient, payload, idempotency_key, next_attempt_at)
    SELECT x.tenant_id, 'wecom', x.recipient, x.payload, x.key, x.send_at
    FROM outbound x
    ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
    RETURNING 1
)
-- what was recorded, for the caller to show (only when :collect), and one row of counts
SELECT qd.kind, qd.tenant_id, qd.deal_id, qd.rule, qd.level, qd.stage_entered_at, qd.episode,
       qd.recipient_id, qd.recipient, qd.send_at, qd.score, qd.days_over, qd.engaged, qd.nth, qd.cap, qd.factor,
       qd.engaged_days, qd.events_recent, qd.views_recent, qd.views_today, qd.forwards_recent, qd.inquiries_recent,
       qd.sla_days, qd.stage, qd.expected_close, qd.title, qd.amount, qd.next_step, qd.last_activity_at,
       qd.company, qd.contact_name, qd.stage_name, qd.owner_name, qd.last_kind, qd.last_body, qd.last_at,
       NULL::bigint AS over_cap, NULL::text[] AS titles, NULL::text AS summary_key,
       NULL::bigint AS queued, NULL::bigint AS cards, NULL::bigint AS summaries, NULL::bigint AS summarised, NULL::bigint AS enqueued
FROM qd
WHERE :collect::bool
UNION ALL
SELECT 'summary', o.tenant_id, NULL, NULL, NULL, NULL, NULL, o.recipient_id, rc.wecom_userid, o.send_at,
       NULL, NULL, NULL, NULL, o.cap, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, o.over_cap, o.titles, o.summary_key,
       NULL, NULL, NULL, NULL, NULL
FROM over_titled o
JOIN users rc ON rc.tenant_id = o.tenant_id AND rc.user_id = o.recipient_id
UNION ALL
SELECT 'counts', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, (SELECT count(*) FROM queued), (SELECT count(*) FROM card),
       (SELECT count(*) FROM outbound) - (SELECT count(*) FROM card), (SELECT coalesce(sum(over_cap), 0)::bigint FROM over_titled),
       (SELECT count(*) FROM added)
ORDER BY 2, 8, 1, 14, 3, 4;

-- name: nudge_outbox_many$
-- Many outbox rows in one statement (the digests, the pool's warnings); same once-per-key rule as
-- outbox_enqueue, and the same tenant lock (once per tenant: migration 0025). Returns how many
-- were new.
WITH tn AS (
    SELECT tenant_id FROM tenants WHERE tenant_id = ANY(:tenant_ids::bigint[]) FOR KEY SHARE
),
added AS (
    INSERT INTO outbox (tenant_id, channel, recipient, payload, idempotency_key, next_attempt_at)
    SELECT x.tenant_id, 'wecom', x.recipient, x.payload::jsonb, x.key, x.not_before
    FROM unnest(:tenant_ids::bigint[], :recipients::text[], :payloads::text[], :keys::text[],
                :not_before::timestamptz[]) AS x(tenant_id, recipient, payload, key, not_before)
    WHERE x.tenant_id IN (SELECT tenant_id FROM tn)
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

-- name: nudge_card_rows
-- What a nudge card says, read when the card is sent (cards.render_card): one row per nudge it
-- carries (their rule, stage entry and episode come from the outbox key, in its order) with the
-- deal, stage, people, last activity and the customer's engagement — as of the scan (:at, the
-- scan's time): activities and card events after it do not count, and a passed close date is the
-- one the nudge was decided on (its episode). No row when the deal is gone.
SELECT 'nudge'::text AS kind, d.tenant_id, d.deal_id, r.rule, :level::int AS level, r.stage_entered_at, r.episode,
       :engaged::bool AS engaged,
       coalesce(g.events_recent, 0) AS events_recent, coalesce(g.views_recent, 0) AS views_recent,
       coalesce(g.views_today, 0) AS views_today, coalesce(g.forwards_recent, 0) AS forwards_recent,
       coalesce(g.inquiries_recent, 0) AS inquiries_recent,
       s.sla_days, d.stage,
       CASE WHEN r.rule = 'close_passed' THEN (r.episode AT TIME ZONE 'UTC')::date ELSE d.expected_close END AS expected_close,
       d.title, d.amount, d.next_step, d.last_activity_at,
       a.name AS company, c.name AS contact_name, s.name_zh AS stage_name, ow.name AS owner_name,
       la.kind AS last_kind, la.body AS last_body, la.created_at AS last_at
FROM unnest(:rules::text[], :entered::timestamptz[], :episodes::timestamptz[]) WITH ORDINALITY
         AS r(rule, stage_entered_at, episode, i)
JOIN deals d ON d.tenant_id = :tenant_id AND d.deal_id = :deal_id
JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
LEFT JOIN users ow ON ow.tenant_id = d.tenant_id AND ow.user_id = d.owner_id
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE e.created_at > :at::timestamptz - :engaged_days::int * interval '24 hours') AS events_recent,
           count(*) FILTER (WHERE e.kind = 'view' AND e.created_at > :at::timestamptz - :engaged_days::int * interval '24 hours')
               AS views_recent,
           count(*) FILTER (WHERE e.kind = 'view' AND e.created_at >= :today_start::timestamptz) AS views_today,
           count(*) FILTER (WHERE e.kind = 'forward' AND e.created_at > :at::timestamptz - :engaged_days::int * interval '24 hours')
               AS forwards_recent,
           count(*) FILTER (WHERE e.kind = 'inquiry' AND e.created_at > :at::timestamptz - :engaged_days::int * interval '24 hours')
               AS inquiries_recent
    FROM card_events e
    WHERE :engaged::bool AND e.tenant_id = d.tenant_id AND e.contact_id = d.contact_id AND e.kind <> 'dwell'
      AND e.created_at > least(:at::timestamptz - :engaged_days::int * interval '24 hours', :today_start::timestamptz)
      AND e.created_at <= :at::timestamptz
) g ON true
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
LEFT JOIN contacts c ON c.tenant_id = d.tenant_id AND c.contact_id = d.contact_id
LEFT JOIN LATERAL (
    SELECT x.kind, x.body, x.created_at FROM activities x
    WHERE x.tenant_id = d.tenant_id AND x.deal_id = d.deal_id AND x.kind <> 'followup' AND x.created_at <= :at::timestamptz
    ORDER BY x.created_at DESC LIMIT 1
) la ON true
ORDER BY r.i;

-- Manager digests. Every figure is scoped to one tenant and to the manager's team
-- (:team_id NULL: the whole tenant), through the owner of each deal / card.

-- name: digest_new_leads
SELECT d.source, count(*) AS count, coalesce(sum(d.amount), 0)::bigint AS amount
FROM deals d JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
WHERE d.tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
  AND d.created_at >= :since AND d.created_at < :until
GROUP BY d.source
ORDER BY count DESC, d.source;

-- name: digest_stage_moves
-- Stage moves in the window (new leads, won and lost are reported on their own).
SELECT h.from_stage, h.to_stage, fs.name_zh AS from_name, ts.name_zh AS to_name, count(*) AS count,
       ts.position > fs.position AS forward
FROM deal_stage_history h
JOIN deals d ON d.tenant_id = h.tenant_id AND d.deal_id = h.deal_id
JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
JOIN pipeline_stages fs ON fs.tenant_id = h.tenant_id AND fs.key = h.from_stage
JOIN pipeline_stages ts ON ts.tenant_id = h.tenant_id AND ts.key = h.to_stage
WHERE h.tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
  AND h.changed_at >= :since AND h.changed_at < :until
  AND h.to_stage NOT IN ('won', 'lost')
GROUP BY h.from_stage, h.to_stage, fs.name_zh, ts.name_zh, fs.position, ts.position
ORDER BY count DESC, fs.position, ts.position;

-- name: digest_closed
-- Deals won or lost in the window, biggest first, with the reason given.
SELECT h.to_stage AS outcome, d.deal_id, d.title, u.name AS owner, h.amount,
       coalesce(h.reason, d.lost_reason) AS reason
FROM deal_stage_history h
JOIN deals d ON d.tenant_id = h.tenant_id AND d.deal_id = h.deal_id
JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
WHERE h.tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
  AND h.changed_at >= :since AND h.changed_at < :until
  AND h.to_stage IN ('won', 'lost')
ORDER BY h.amount DESC NULLS LAST, h.history_id;

-- name: digest_stalled
-- Open deals over their stage's SLA, the biggest first; ``total`` counts them all.
SELECT d.deal_id, d.title, u.name AS owner, s.name_zh AS stage_name, d.amount,
       floor(extract(epoch FROM (:now::timestamptz - d.stage_entered_at)) / 86400.0 - s.sla_days)::int AS days_over,
       count(*) OVER () AS total
FROM deals d
JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
WHERE d.tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
  AND d.stage NOT IN ('won', 'paid', 'lost') AND s.sla_days IS NOT NULL
  AND :now::timestamptz >= d.stage_entered_at + s.sla_days * interval '24 hours'
ORDER BY d.amount DESC NULLS LAST, days_over DESC, d.deal_id
LIMIT :limit;

-- name: digest_funnel
-- Open deals per stage now (won is counted until paid), in pipeline order; weighted by probability.
SELECT s.key AS stage, s.name_zh AS name, count(x.deal_id) AS count,
       coalesce(sum(x.amount), 0)::bigint AS amount,
       coalesce(sum(x.amount * s.probability), 0)::float8 AS weighted
FROM pipeline_stages s
LEFT JOIN (
    SELECT d.deal_id, d.stage, d.amount FROM deals d
    JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
    WHERE d.tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
      AND d.stage NOT IN ('paid', 'lost')
) x ON x.stage = s.key
WHERE s.tenant_id = :tenant_id AND s.key NOT IN ('paid', 'lost')
GROUP BY s.key, s.name_zh, s.position
ORDER BY s.position, s.key;

-- name: digest_funnel_at
-- The funnel as it stood at :at, rebuilt from the stage history (the last move of each deal).
SELECT s.key AS stage, s.name_zh AS name, count(x.deal_id) AS count, coalesce(sum(x.amount), 0)::bigint AS amount
FROM pipeline_stages s
LEFT JOIN (
    SELECT DISTINCT ON (h.deal_id) h.deal_id, h.to_stage AS stage, coalesce(h.amount, d.amount) AS amount
    FROM deal_stage_history h
    JOIN deals d ON d.tenant_id = h.tenant_id AND d.deal_id = h.deal_id
    JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
    WHERE h.tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
      AND h.changed_at < :at
    ORDER BY h.deal_id, h.changed_at DESC, h.history_id DESC
) x ON x.stage = s.key
WHERE s.tenant_id = :tenant_id AND s.key NOT IN ('paid', 'lost')
GROUP BY s.key, s.name_zh, s.position
ORDER BY s.position, s.key;

-- name: digest_conversion
-- Stage-to-stage conversion: of the deals that entered a stage in the window, how many have
-- since moved to a later stage (not lost). One pass over those deals' history: for each entry,
-- the furthest stage the deal reached after it. The manager's deals and the stage positions are
-- read once each (materialised), so the history joins them by hash, not by a lookup per row.
WITH pos AS MATERIALIZED (
    SELECT key, position FROM pipeline_stages WHERE tenant_id = :tenant_id
),
mine AS MATERIALIZED (
    SELECT d.deal_id FROM deals d
    JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
    WHERE d.tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
),
moved AS MATERIALIZED (
    SELECT DISTINCT h.deal_id FROM deal_stage_history h JOIN mine m ON m.deal_id = h.deal_id
    WHERE h.tenant_id = :tenant_id AND h.changed_at >= :since AND h.changed_at < :until
),
entries AS (
    SELECT h.deal_id, h.to_stage, h.changed_at, p.position,
           max(CASE WHEN h.to_stage <> 'lost' THEN p.position END) OVER (
               PARTITION BY h.deal_id ORDER BY h.changed_at, h.history_id
               ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS reached_later
    FROM deal_stage_history h
    JOIN moved m ON m.deal_id = h.deal_id
    JOIN pos p ON p.key = h.to_stage
    WHERE h.tenant_id = :tenant_id AND h.changed_at < :until
)
SELECT s.key AS stage, s.name_zh AS name,
       coalesce(lead(s.name_zh) OVER (ORDER BY s.position, s.key), '') AS next_name,
       count(DISTINCT e.deal_id) AS entered,
       count(DISTINCT e.deal_id) FILTER (WHERE e.reached_later > s.position) AS advanced
FROM pipeline_stages s
LEFT JOIN entries e ON e.to_stage = s.key AND e.changed_at >= :since
WHERE s.tenant_id = :tenant_id AND s.key NOT IN ('paid', 'lost')
GROUP BY s.key, s.name_zh, s.position
ORDER BY s.position, s.key;

-- name: digest_engagement^
-- What customers did with the team's cards in the window.
SELECT count(*) FILTER (WHERE e.kind = 'view') AS views,
       count(DISTINCT e.visitor_id) FILTER (WHERE e.kind = 'view') AS visitors,
       count(*) FILTER (WHERE e.kind = 'forward') AS forwards,
       count(*) FILTER (WHERE e.kind = 'inquiry') AS inquiries,
       count(*) FILTER (WHERE e.kind = 'tap_phone') AS tap_phone,
       (coalesce(sum(e.dwell_seconds) FILTER (WHERE e.kind = 'dwell'), 0) / 60)::int AS dwell_minutes
FROM card_events e JOIN users u ON u.tenant_id = e.tenant_id AND u.user_id = e.rep_id
WHERE e.tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
  AND e.created_at >= :since AND e.created_at < :until;

-- name: digest_idle_reps
-- Active reps of the team who logged no activity and moved no deal in the window.
SELECT u.user_id, u.name FROM users u
WHERE u.tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
  AND u.role = 'rep' AND u.active
  AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.tenant_id = u.tenant_id AND a.user_id = u.user_id
                    AND a.created_at >= :since AND a.created_at < :until)
  AND NOT EXISTS (SELECT 1 FROM deal_stage_history h WHERE h.tenant_id = u.tenant_id AND h.changed_by = u.user_id
                    AND h.changed_at >= :since AND h.changed_at < :until)
ORDER BY u.user_id;

-- name: digest_trend
-- Per local day of the window: new leads, forward stage moves, deals won (and amount), card views.
-- (Scope, stage positions and the manager's deals materialised: hash joins, whatever the estimates.)
WITH scope AS MATERIALIZED (
    SELECT user_id FROM users WHERE tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR team_id = :team_id)
),
pos AS MATERIALIZED (
    SELECT key, position FROM pipeline_stages WHERE tenant_id = :tenant_id
),
mine AS MATERIALIZED (
    SELECT d.deal_id FROM deals d WHERE d.tenant_id = :tenant_id AND d.owner_id IN (SELECT user_id FROM scope)
)
SELECT 'leads' AS series, (d.created_at AT TIME ZONE :tz)::date AS day, count(*) AS n, 0::bigint AS amount
FROM deals d WHERE d.tenant_id = :tenant_id AND d.owner_id IN (SELECT user_id FROM scope)
  AND d.created_at >= :since AND d.created_at < :until
GROUP BY 2
UNION ALL
SELECT CASE WHEN h.to_stage = 'won' THEN 'won' ELSE 'moves' END, (h.changed_at AT TIME ZONE :tz)::date,
       count(*), coalesce(sum(h.amount), 0)::bigint
FROM deal_stage_history h
JOIN mine m ON m.deal_id = h.deal_id
JOIN pos fs ON fs.key = h.from_stage
JOIN pos ts ON ts.key = h.to_stage
WHERE h.tenant_id = :tenant_id
  AND h.changed_at >= :since AND h.changed_at < :until
  AND ts.position > fs.position AND h.to_stage <> 'lost'
GROUP BY 1, 2
UNION ALL
SELECT 'views', (e.created_at AT TIME ZONE :tz)::date, count(*), 0
FROM card_events e WHERE e.tenant_id = :tenant_id AND e.rep_id IN (SELECT user_id FROM scope)
  AND e.kind = 'view' AND e.created_at >= :since AND e.created_at < :until
GROUP BY 2;

-- name: digest_period_counts^
-- The weekly review's figures for one window.
WITH scope AS (
    SELECT user_id FROM users WHERE tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR team_id = :team_id)
)
SELECT
    (SELECT count(*) FROM deals d WHERE d.tenant_id = :tenant_id AND d.owner_id IN (SELECT user_id FROM scope)
       AND d.created_at >= :since AND d.created_at < :until) AS leads,
    (SELECT count(*) FROM deal_stage_history h
       JOIN deals d ON d.tenant_id = h.tenant_id AND d.deal_id = h.deal_id
       JOIN pipeline_stages fs ON fs.tenant_id = h.tenant_id AND fs.key = h.from_stage
       JOIN pipeline_stages ts ON ts.tenant_id = h.tenant_id AND ts.key = h.to_stage
      WHERE h.tenant_id = :tenant_id AND d.owner_id IN (SELECT user_id FROM scope)
        AND h.changed_at >= :since AND h.changed_at < :until
        AND ts.position > fs.position AND h.to_stage NOT IN ('won', 'paid', 'lost')) AS advances,
    (SELECT count(*) FROM deal_stage_history h JOIN deals d ON d.tenant_id = h.tenant_id AND d.deal_id = h.deal_id
      WHERE h.tenant_id = :tenant_id AND d.owner_id IN (SELECT user_id FROM scope) AND h.to_stage = 'won'
        AND h.changed_at >= :since AND h.changed_at < :until) AS won,
    (SELECT coalesce(sum(h.amount), 0)::bigint FROM deal_stage_history h
       JOIN deals d ON d.tenant_id = h.tenant_id AND d.deal_id = h.deal_id
      WHERE h.tenant_id = :tenant_id AND d.owner_id IN (SELECT user_id FROM scope) AND h.to_stage = 'won'
        AND h.changed_at >= :since AND h.changed_at < :until) AS won_amount,
    (SELECT count(*) FROM deal_stage_history h JOIN deals d ON d.tenant_id = h.tenant_id AND d.deal_id = h.deal_id
      WHERE h.tenant_id = :tenant_id AND d.owner_id IN (SELECT user_id FROM scope) AND h.to_stage = 'lost'
        AND h.changed_at >= :since AND h.changed_at < :until) AS lost,
    (SELECT count(*) FROM activities a WHERE a.tenant_id = :tenant_id AND a.user_id IN (SELECT user_id FROM scope)
       AND a.kind <> 'followup' AND a.created_at >= :since AND a.created_at < :until) AS activities,
    (SELECT count(*) FROM card_events e WHERE e.tenant_id = :tenant_id AND e.rep_id IN (SELECT user_id FROM scope)
       AND e.kind = 'view' AND e.created_at >= :since AND e.created_at < :until) AS views;

-- name: digest_managers
-- The managers of a tenant (or one of them) who can receive a digest, with their team.
SELECT u.user_id, u.name, u.team_id, tm.name AS team, u.wecom_userid
FROM users u LEFT JOIN teams tm ON tm.tenant_id = u.tenant_id AND tm.team_id = u.team_id
WHERE u.tenant_id = :tenant_id AND u.role = 'manager' AND u.active
  AND (:manager_id::bigint IS NULL OR u.user_id = :manager_id)
ORDER BY u.user_id;

-- name: digest_due
-- Managers whose digest time has come today (their tenant's local day) and who have not had
-- today's digest; ``monday`` says the weekly review is due too.
SELECT t.tenant_id, u.user_id AS manager_id,
       (:now::timestamptz AT TIME ZONE t.timezone)::date AS day,
       extract(isodow FROM (:now::timestamptz AT TIME ZONE t.timezone)) = 1 AS monday
FROM tenants t
JOIN users u ON u.tenant_id = t.tenant_id AND u.role = 'manager' AND u.active AND u.wecom_userid IS NOT NULL
WHERE (:now::timestamptz AT TIME ZONE t.timezone)::time >= t.digest_time
  AND NOT EXISTS (SELECT 1 FROM digests g WHERE g.tenant_id = t.tenant_id AND g.manager_id = u.user_id
                    AND g.kind = 'daily' AND g.day = (:now::timestamptz AT TIME ZONE t.timezone)::date)
ORDER BY t.tenant_id, u.user_id
LIMIT :limit;

-- name: digest_claim$
-- Claim one digest (daily or weekly) of a manager for a day: the row, or NULL when another worker has it.
INSERT INTO digests (tenant_id, manager_id, kind, day, token, expires_at, created_at)
VALUES (:tenant_id, :manager_id, :kind, :day, :token, :expires_at, :now)
ON CONFLICT (tenant_id, manager_id, kind, day) DO NOTHING
RETURNING digest_id;

-- name: digest_set_figures!
UPDATE digests SET figures = :figures WHERE tenant_id = :tenant_id AND digest_id = :digest_id;

-- name: digest_by_token^
SELECT tenant_id, digest_id, manager_id, kind, day, expires_at, figures FROM digests WHERE token = :token;

-- name: digest_preview_put$
-- A preview of a manager's daily digest (tuoke digest preview): one a day, replaced by the next.
INSERT INTO digests (tenant_id, manager_id, kind, day, token, expires_at, figures, created_at)
VALUES (:tenant_id, :manager_id, 'preview', :day, :token, :expires_at, :figures, :now)
ON CONFLICT (tenant_id, manager_id, kind, day) DO UPDATE
    SET token = excluded.token, expires_at = excluded.expires_at, figures = excluded.figures,
        created_at = excluded.created_at
RETURNING token;

-- Set-based daily digests: each figure below is one statement for MANY managers at once (the
-- digest job computes every due manager's digest together; a single manager is a batch of one).
-- The managers come in as arrays, one element per manager: the manager, its tenant and team
-- (NULL: the whole tenant), yesterday's window [since, until), the conversion window's start,
-- the trend window's start and the tenant's timezone; ``sc`` is each manager's scope, the users
-- of the team (digest_many_scope, as arrays). Every row carries the manager_id it belongs to, ordered by manager first.

-- name: digest_many_scope
-- Each manager's scope (the users of the team; the whole tenant without one), read first and
-- passed back to the figures as arrays: so PostgreSQL knows its real size and joins by hash.
SELECT m.manager_id, u.user_id
FROM unnest(:manager_ids::bigint[], :tenant_ids::bigint[], :team_ids::bigint[]) AS m(manager_id, tenant_id, team_id)
JOIN users u ON u.tenant_id = m.tenant_id AND (m.team_id IS NULL OR u.team_id = m.team_id)
ORDER BY m.manager_id, u.user_id;

-- name: digest_many_new_leads
WITH m AS MATERIALIZED (
    SELECT * FROM unnest(:manager_ids::bigint[], :tenant_ids::bigint[], :team_ids::bigint[], :since::timestamptz[],
                         :until::timestamptz[], :conv_since::timestamptz[], :trend_since::timestamptz[], :tz::text[])
        AS m(manager_id, tenant_id, team_id, since, until, conv_since, trend_since, tz)
),
sc AS MATERIALIZED (
    SELECT m.*, x.user_id FROM unnest(:scope_managers::bigint[], :scope_users::bigint[]) AS x(manager_id, user_id)
    JOIN m USING (manager_id)
)
SELECT sc.manager_id, d.source, count(*) AS count, coalesce(sum(d.amount), 0)::bigint AS amount
FROM (SELECT DISTINCT tenant_id, since, until FROM m) w
-- each tenant's deals created in the window by its range (deals_created), then to the scopes by hash
CROSS JOIN LATERAL (
    SELECT x.tenant_id, x.owner_id, x.source, x.amount FROM deals x
    WHERE x.tenant_id = w.tenant_id AND x.created_at >= w.since AND x.created_at < w.until
    OFFSET 0) d
JOIN sc ON sc.tenant_id = d.tenant_id AND sc.user_id = d.owner_id
GROUP BY sc.manager_id, d.source
ORDER BY sc.manager_id, count DESC, d.source;

-- name: digest_many_stage_moves
WITH m AS MATERIALIZED (
    SELECT * FROM unnest(:manager_ids::bigint[], :tenant_ids::bigint[], :team_ids::bigint[], :since::timestamptz[],
                         :until::timestamptz[], :conv_since::timestamptz[], :trend_since::timestamptz[], :tz::text[])
        AS m(manager_id, tenant_id, team_id, since, until, conv_since, trend_since, tz)
),
sc AS MATERIALIZED (
    SELECT m.*, x.user_id FROM unnest(:scope_managers::bigint[], :scope_users::bigint[]) AS x(manager_id, user_id)
    JOIN m USING (manager_id)
),
h AS MATERIALIZED (
    -- the window's history of the managers' tenants, each by its range (stage_history_time; a
    -- plain join read the whole history), then to the scopes by hash
    SELECT h.* FROM (SELECT DISTINCT tenant_id, since, until FROM m) w
    CROSS JOIN LATERAL (
        SELECT x.* FROM deal_stage_history x
        WHERE x.tenant_id = w.tenant_id AND x.changed_at >= w.since AND x.changed_at < w.until
        OFFSET 0) h
)
SELECT sc.manager_id, h.from_stage, h.to_stage, fs.name_zh AS from_name, ts.name_zh AS to_name, count(*) AS count,
       ts.position > fs.position AS forward
FROM h
JOIN deals d ON d.tenant_id = h.tenant_id AND d.deal_id = h.deal_id
JOIN sc ON sc.tenant_id = d.tenant_id AND sc.user_id = d.owner_id
JOIN pipeline_stages fs ON fs.tenant_id = h.tenant_id AND fs.key = h.from_stage
JOIN pipeline_stages ts ON ts.tenant_id = h.tenant_id AND ts.key = h.to_stage
WHERE h.changed_at >= sc.since AND h.changed_at < sc.until AND h.to_stage NOT IN ('won', 'lost')
GROUP BY sc.manager_id, h.from_stage, h.to_stage, fs.name_zh, ts.name_zh, fs.position, ts.position
ORDER BY sc.manager_id, count DESC, fs.position, ts.position;

-- name: digest_many_closed
WITH m AS MATERIALIZED (
    SELECT * FROM unnest(:manager_ids::bigint[], :tenant_ids::bigint[], :team_ids::bigint[], :since::timestamptz[],
                         :until::timestamptz[], :conv_since::timestamptz[], :trend_since::timestamptz[], :tz::text[])
        AS m(manager_id, tenant_id, team_id, since, until, conv_since, trend_since, tz)
),
sc AS MATERIALIZED (
    SELECT m.*, x.user_id FROM unnest(:scope_managers::bigint[], :scope_users::bigint[]) AS x(manager_id, user_id)
    JOIN m USING (manager_id)
),
h AS MATERIALIZED (
    SELECT h.* FROM (SELECT DISTINCT tenant_id, since, until FROM m) w
    CROSS JOIN LATERAL (
        SELECT x.* FROM deal_stage_history x
        WHERE x.tenant_id = w.tenant_id AND x.changed_at >= w.since AND x.changed_at < w.until
          AND x.to_stage IN ('won', 'lost')
        OFFSET 0) h
)
SELECT sc.manager_id, h.to_stage AS outcome, d.deal_id, d.title, u.name AS owner, h.amount,
       coalesce(h.reason, d.lost_reason) AS reason
FROM h
JOIN deals d ON d.tenant_id = h.tenant_id AND d.deal_id = h.deal_id
JOIN sc ON sc.tenant_id = d.tenant_id AND sc.user_id = d.owner_id
JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
WHERE h.changed_at >= sc.since AND h.changed_at < sc.until
ORDER BY sc.manager_id, h.amount DESC NULLS LAST, h.history_id;

-- name: digest_many_stalled
-- The ``limit`` biggest stalled deals of each manager; ``total`` counts them all.
WITH m AS MATERIALIZED (
    SELECT * FROM unnest(:manager_ids::bigint[], :tenant_ids::bigint[], :team_ids::bigint[], :since::timestamptz[],
                         :until::timestamptz[], :conv_since::timestamptz[], :trend_since::timestamptz[], :tz::text[])
        AS m(manager_id, tenant_id, team_id, since, until, conv_since, trend_since, tz)
),
sc AS MATERIALIZED (
    SELECT m.*, x.user_id, u.name FROM unnest(:scope_managers::bigint[], :scope_users::bigint[]) AS x(manager_id, user_id)
    JOIN m USING (manager_id) JOIN users u ON u.tenant_id = m.tenant_id AND u.user_id = x.user_id
),
over AS (
    SELECT sc.manager_id, d.deal_id, d.title, sc.name AS owner, s.name_zh AS stage_name, d.amount,
           floor(extract(epoch FROM (:now::timestamptz - d.stage_entered_at)) / 86400.0 - s.sla_days)::int AS days_over
    FROM (SELECT DISTINCT tenant_id FROM m) w
    JOIN pipeline_stages s ON s.tenant_id = w.tenant_id AND s.key NOT IN ('won', 'paid', 'lost') AND s.sla_days IS NOT NULL
    -- per tenant and stage, only the deals past its SLA (deals_stall_scan), then to the scopes by hash
    CROSS JOIN LATERAL (
        SELECT x.deal_id, x.title, x.owner_id, x.amount, x.stage_entered_at, x.tenant_id FROM deals x
        WHERE x.tenant_id = s.tenant_id AND x.stage = s.key AND x.stage NOT IN ('paid', 'lost')
          AND x.stage_entered_at <= :now::timestamptz - s.sla_days * interval '24 hours'
        OFFSET 0) d
    JOIN sc ON sc.tenant_id = d.tenant_id AND sc.user_id = d.owner_id
),
ranked AS (
    SELECT o.*, count(*) OVER (PARTITION BY o.manager_id) AS total,
           row_number() OVER (PARTITION BY o.manager_id ORDER BY o.amount DESC NULLS LAST, o.days_over DESC, o.deal_id) AS nth
    FROM over o
)
SELECT manager_id, deal_id, title, owner, stage_name, amount, days_over, total FROM ranked
WHERE nth <= :limit
ORDER BY manager_id, nth;

-- name: digest_many_funnel
WITH m AS MATERIALIZED (
    SELECT * FROM unnest(:manager_ids::bigint[], :tenant_ids::bigint[], :team_ids::bigint[], :since::timestamptz[],
                         :until::timestamptz[], :conv_since::timestamptz[], :trend_since::timestamptz[], :tz::text[])
        AS m(manager_id, tenant_id, team_id, since, until, conv_since, trend_since, tz)
),
sc AS MATERIALIZED (
    SELECT m.*, x.user_id FROM unnest(:scope_managers::bigint[], :scope_users::bigint[]) AS x(manager_id, user_id)
    JOIN m USING (manager_id)
),
per_owner AS (
    -- the open deals of the managers' tenants counted per owner and stage first (each tenant by
    -- its range of deals_stall_scan), then to the scopes by hash: no hash of every deal
    SELECT d.tenant_id, d.owner_id, d.stage, count(*) AS count, sum(d.amount) AS amount
    FROM (SELECT DISTINCT tenant_id FROM m) w
    CROSS JOIN LATERAL (
        SELECT x.tenant_id, x.owner_id, x.stage, x.amount FROM deals x
        WHERE x.tenant_id = w.tenant_id AND x.stage NOT IN ('paid', 'lost')
        OFFSET 0) d
    GROUP BY d.tenant_id, d.owner_id, d.stage
),
x AS (
    SELECT sc.manager_id, po.stage, sum(po.count)::bigint AS count, sum(po.amount) AS amount
    FROM sc JOIN per_owner po ON po.tenant_id = sc.tenant_id AND po.owner_id = sc.user_id
    GROUP BY sc.manager_id, po.stage
)
SELECT m.manager_id, s.key AS stage, s.name_zh AS name, coalesce(x.count, 0) AS count,
       coalesce(x.amount, 0)::bigint AS amount, coalesce(x.amount * s.probability, 0)::float8 AS weighted
FROM m
JOIN pipeline_stages s ON s.tenant_id = m.tenant_id AND s.key NOT IN ('paid', 'lost')
LEFT JOIN x ON x.manager_id = m.manager_id AND x.stage = s.key
ORDER BY m.manager_id, s.position, s.key;

-- name: digest_many_conversion
-- The figures read from the history of the last 30 days, per manager, in one pass (its read and
-- each row's owner shared):
--   part 'conv': as digest_conversion, of the deals that entered a stage in the window, how many
--   have since moved to a later stage (not lost). What an entry in the window reached later lies
--   in the window too, so one sort of the window's history (per tenant, stage_history_time) does:
--   per entry, the furthest stage reached after it and the stages entered before it. A deal
--   counts once per stage it entered (its first entry there), and it advanced from that stage
--   when its first entry did: what followed the first entry includes what followed any later one.
--   part 'trend': the 14-day trend's forward moves and wins per local day (digest_many_trend has
--   the leads and the card views).
WITH m AS MATERIALIZED (
    SELECT * FROM unnest(:manager_ids::bigint[], :tenant_ids::bigint[], :team_ids::bigint[], :since::timestamptz[],
                         :until::timestamptz[], :conv_since::timestamptz[], :trend_since::timestamptz[], :tz::text[])
        AS m(manager_id, tenant_id, team_id, since, until, conv_since, trend_since, tz)
),
sc AS MATERIALIZED (
    SELECT m.*, x.user_id FROM unnest(:scope_managers::bigint[], :scope_users::bigint[]) AS x(manager_id, user_id)
    JOIN m USING (manager_id)
),
w AS MATERIALIZED (
    -- each tenant's window, and its stages' keys and positions (a stage is looked up by its index
    -- in keys: no join per history row)
    SELECT w.*, s.keys, s.positions
    FROM (SELECT DISTINCT tenant_id, conv_since, until FROM m) w
    CROSS JOIN LATERAL (
        SELECT array_agg(p.key ORDER BY p.key) AS keys, array_agg(p.position ORDER BY p.key) AS positions
        FROM pipeline_stages p WHERE p.tenant_id = w.tenant_id
    ) s
),
entries AS (
    SELECT h.tenant_id, h.deal_id, h.owner_id, h.changed_at, h.to_stage, h.amount, h.position, h.from_position,
           max(CASE WHEN h.to_stage <> 'lost' THEN h.position END) OVER later AS reached_later,
           array_agg(h.to_stage) OVER earlier AS entered_before
    FROM w
    CROSS JOIN LATERAL (
        SELECT x.tenant_id, x.deal_id, x.history_id, x.changed_at, x.to_stage, x.amount, d.owner_id,
               w.positions[array_position(w.keys, x.to_stage)] AS position,
               w.positions[array_position(w.keys, x.from_stage)] AS from_position
        FROM deal_stage_history x
        JOIN deals d ON d.tenant_id = w.tenant_id AND d.deal_id = x.deal_id  -- the owner, per tenant
        WHERE x.tenant_id = w.tenant_id AND x.changed_at >= w.conv_since AND x.changed_at < w.until
          AND x.to_stage = ANY (w.keys)
        OFFSET 0  -- the window's range of each tenant (stage_history_time) and its deals, tenant by tenant
    ) h
    WINDOW later AS (PARTITION BY h.tenant_id, h.deal_id ORDER BY h.changed_at, h.history_id
                     ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING),
           earlier AS (PARTITION BY h.tenant_id, h.deal_id ORDER BY h.changed_at, h.history_id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
owned AS (
    -- each entry to the managers whose team owns its deal (by hash, once for both parts); only what
    -- the two parts count (the trend's local day when the entry is one of its forward moves)
    SELECT sc.manager_id, e.to_stage, e.amount,
           CASE WHEN e.changed_at >= sc.trend_since AND e.changed_at < sc.until AND e.to_stage <> 'lost'
                     AND e.position > e.from_position THEN (e.changed_at AT TIME ZONE sc.tz)::date END AS trend_day,
           e.reached_later > e.position AS advanced,
           e.entered_before IS NULL OR NOT e.to_stage = ANY (e.entered_before) AS first_entry
    FROM entries e
    JOIN sc ON sc.tenant_id = e.tenant_id AND sc.user_id = e.owner_id
),
agg AS (
    SELECT o.manager_id, o.to_stage, count(*) AS entered, count(*) FILTER (WHERE o.advanced) AS advanced
    FROM owned o
    WHERE o.first_entry AND o.to_stage NOT IN ('paid', 'lost')
    GROUP BY o.manager_id, o.to_stage
)
SELECT 'conv' AS part, m.manager_id, s.position AS ord, s.key AS stage, s.name_zh AS name,
       coalesce(lead(s.name_zh) OVER (PARTITION BY m.manager_id ORDER BY s.position, s.key), '') AS next_name,
       coalesce(a.entered, 0) AS entered, coalesce(a.advanced, 0) AS advanced,
       NULL::text AS series, NULL::date AS day, NULL::bigint AS n, NULL::bigint AS amount
FROM m
JOIN pipeline_stages s ON s.tenant_id = m.tenant_id AND s.key NOT IN ('paid', 'lost')
LEFT JOIN agg a ON a.manager_id = m.manager_id AND a.to_stage = s.key
UNION ALL
SELECT 'trend', o.manager_id, NULL, NULL, NULL, NULL, NULL, NULL,
       CASE WHEN o.to_stage = 'won' THEN 'won' ELSE 'moves' END, o.trend_day,
       count(*), coalesce(sum(o.amount), 0)::bigint
FROM owned o
WHERE o.trend_day IS NOT NULL
GROUP BY o.manager_id, 9, 10
ORDER BY 1, 2, 3, 4;

-- name: digest_many_engagement
WITH m AS MATERIALIZED (
    SELECT * FROM unnest(:manager_ids::bigint[], :tenant_ids::bigint[], :team_ids::bigint[], :since::timestamptz[],
                         :until::timestamptz[], :conv_since::timestamptz[], :trend_since::timestamptz[], :tz::text[])
        AS m(manager_id, tenant_id, team_id, since, until, conv_since, trend_since, tz)
),
sc AS MATERIALIZED (
    SELECT m.*, x.user_id FROM unnest(:scope_managers::bigint[], :scope_users::bigint[]) AS x(manager_id, user_id)
    JOIN m USING (manager_id)
),
ev AS (
    SELECT sc.manager_id, e.kind, e.visitor_id, e.dwell_seconds
    FROM sc JOIN card_events e ON e.tenant_id = sc.tenant_id AND e.rep_id = sc.user_id
                               AND e.created_at >= sc.since AND e.created_at < sc.until
)
SELECT m.manager_id,
       count(ev.kind) FILTER (WHERE ev.kind = 'view') AS views,
       count(DISTINCT ev.visitor_id) FILTER (WHERE ev.kind = 'view') AS visitors,
       count(ev.kind) FILTER (WHERE ev.kind = 'forward') AS forwards,
       count(ev.kind) FILTER (WHERE ev.kind = 'inquiry') AS inquiries,
       count(ev.kind) FILTER (WHERE ev.kind = 'tap_phone') AS tap_phone,
       (coalesce(sum(ev.dwell_seconds) FILTER (WHERE ev.kind = 'dwell'), 0) / 60)::int AS dwell_minutes
FROM m LEFT JOIN ev ON ev.manager_id = m.manager_id
GROUP BY m.manager_id
ORDER BY m.manager_id;

-- name: digest_many_idle_reps
WITH m AS MATERIALIZED (
    SELECT * FROM unnest(:manager_ids::bigint[], :tenant_ids::bigint[], :team_ids::bigint[], :since::timestamptz[],
                         :until::timestamptz[], :conv_since::timestamptz[], :trend_since::timestamptz[], :tz::text[])
        AS m(manager_id, tenant_id, team_id, since, until, conv_since, trend_since, tz)
)
SELECT m.manager_id, u.user_id, u.name
FROM m JOIN users u ON u.tenant_id = m.tenant_id AND (m.team_id IS NULL OR u.team_id = m.team_id)
WHERE u.role = 'rep' AND u.active
  AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.tenant_id = u.tenant_id AND a.user_id = u.user_id
                    AND a.created_at >= m.since AND a.created_at < m.until)
  AND NOT EXISTS (SELECT 1 FROM deal_stage_history h WHERE h.tenant_id = u.tenant_id AND h.changed_by = u.user_id
                    AND h.changed_at >= m.since AND h.changed_at < m.until)
ORDER BY m.manager_id, u.user_id;

-- name: digest_many_trend
-- The 14-day trend's new leads and card views per local day (its moves and wins come with the
-- conversion, digest_many_conversion, which reads the same history).
WITH m AS MATERIALIZED (
    SELECT * FROM unnest(:manager_ids::bigint[], :tenant_ids::bigint[], :team_ids::bigint[], :since::timestamptz[],
                         :until::timestamptz[], :conv_since::timestamptz[], :trend_since::timestamptz[], :tz::text[])
        AS m(manager_id, tenant_id, team_id, since, until, conv_since, trend_since, tz)
),
sc AS MATERIALIZED (
    SELECT m.*, x.user_id FROM unnest(:scope_managers::bigint[], :scope_users::bigint[]) AS x(manager_id, user_id)
    JOIN m USING (manager_id)
),
w AS MATERIALIZED (
    SELECT DISTINCT tenant_id, trend_since, until FROM m
),
leads AS (
    -- the deals created in the window, each tenant by its range (deals_created)
    SELECT d.tenant_id, d.owner_id, d.created_at FROM w CROSS JOIN LATERAL (
        SELECT x.tenant_id, x.owner_id, x.created_at FROM deals x
        WHERE x.tenant_id = w.tenant_id AND x.created_at >= w.trend_since AND x.created_at < w.until
        OFFSET 0) d
)
SELECT sc.manager_id, 'leads' AS series, (d.created_at AT TIME ZONE sc.tz)::date AS day, count(*) AS n, 0::bigint AS amount
FROM sc JOIN leads d ON d.tenant_id = sc.tenant_id AND d.owner_id = sc.user_id
WHERE d.created_at >= sc.trend_since AND d.created_at < sc.until
GROUP BY 1, 3
UNION ALL
SELECT sc.manager_id, 'views', (e.created_at AT TIME ZONE sc.tz)::date, count(*), 0
FROM sc JOIN card_events e ON e.tenant_id = sc.tenant_id AND e.rep_id = sc.user_id
WHERE e.kind = 'view' AND e.created_at >= sc.trend_since AND e.created_at < sc.until
GROUP BY 1, 3;

-- name: digest_many_managers
-- Active managers named by (tenant, user) arrays, with their team (digest_managers for many).
SELECT u.tenant_id, u.user_id, u.name, u.team_id, tm.name AS team, u.wecom_userid
FROM unnest(:tenant_ids::bigint[], :manager_ids::bigint[]) AS x(tenant_id, user_id)
JOIN users u ON u.tenant_id = x.tenant_id AND u.user_id = x.user_id AND u.role = 'manager' AND u.active
LEFT JOIN teams tm ON tm.tenant_id = u.tenant_id AND tm.team_id = u.team_id
ORDER BY u.tenant_id, u.user_id;

-- name: digest_claim_many
-- Claim many daily/weekly digests at once: the rows claimed (a row another worker has is left out).
INSERT INTO digests (tenant_id, manager_id, kind, day, token, expires_at, created_at)
SELECT x.tenant_id, x.manager_id, :kind, x.day, x.token, :expires_at, :now
FROM unnest(:tenant_ids::bigint[], :manager_ids::bigint[], :days::date[], :tokens::text[])
    AS x(tenant_id, manager_id, day, token)
ORDER BY x.tenant_id, x.manager_id
ON CONFLICT (tenant_id, manager_id, kind, day) DO NOTHING
RETURNING tenant_id, manager_id, digest_id, token;

-- name: digest_set_figures_many!
UPDATE digests g SET figures = x.figures::jsonb
FROM unnest(:tenant_ids::bigint[], :digest_ids::bigint[], :figures::text[]) AS x(tenant_id, digest_id, figures)
WHERE g.tenant_id = x.tenant_id AND g.digest_id = x.digest_id;

-- name: digest_many_pool
-- Deals returned to (released or recycled) and claimed from each manager's team pool in the window.
WITH m AS MATERIALIZED (
    SELECT * FROM unnest(:manager_ids::bigint[], :tenant_ids::bigint[], :team_ids::bigint[], :since::timestamptz[],
                         :until::timestamptz[]) AS m(manager_id, tenant_id, team_id, since, until)
)
SELECT m.manager_id,
       count(*) FILTER (WHERE e.kind IN ('recycle', 'release')) AS returned,
       count(*) FILTER (WHERE e.kind = 'recycle') AS recycled,
       count(*) FILTER (WHERE e.kind = 'claim') AS claimed
FROM m JOIN deal_pool_events e
    ON e.tenant_id = m.tenant_id AND e.kind IN ('recycle', 'release', 'claim')
   AND (m.team_id IS NULL OR e.team_id = m.team_id) AND e.created_at >= m.since AND e.created_at < m.until
GROUP BY m.manager_id;

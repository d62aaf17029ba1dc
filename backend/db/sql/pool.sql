-- The shared lead pool (公海): rules, release, claim, keep, the recycle pass; account scores and
-- tiers; the manager's questions in chat. Every query is scoped by tenant.

-- name: pool_rules_get$
SELECT rules FROM pool_rules WHERE tenant_id = :tenant_id;

-- name: pool_rules_put!
INSERT INTO pool_rules (tenant_id, rules, updated_at) VALUES (:tenant_id, :rules, :now)
ON CONFLICT (tenant_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at;

-- name: pool_rules_delete!
DELETE FROM pool_rules WHERE tenant_id = :tenant_id;

-- name: pool_deal_state^
-- A deal as the pool sees it: its owner (or none), its pool, its account's tier.
SELECT d.deal_id, d.title, a.name AS company, d.product, d.stage, s.name_zh AS stage_name, d.amount,
       d.owner_id, u.name AS owner, u.team_id AS owner_team_id, u.wecom_userid AS owner_wecom,
       d.pooled_at, d.pool_team_id, d.prev_owner_id, pu.name AS prev_owner,
       d.last_activity_at, d.kept_at, d.keep_streak, d.created_at, d.pool_clock_at,
       coalesce(a.tier_override, a.tier) AS tier
FROM deals d
LEFT JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
LEFT JOIN users pu ON pu.tenant_id = d.tenant_id AND pu.user_id = d.prev_owner_id
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
LEFT JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
WHERE d.tenant_id = :tenant_id AND d.deal_id = :deal_id;

-- name: pool_lock_deal^
SELECT deal_id, owner_id, stage, last_activity_at, kept_at, keep_streak FROM deals
WHERE tenant_id = :tenant_id AND deal_id = :deal_id
FOR UPDATE;

-- name: pool_release^
-- An owned open deal goes to its owner's team's pool.
UPDATE deals SET owner_id = NULL, pooled_at = :now, pool_team_id = :team_id, prev_owner_id = owner_id,
                 keep_streak = 0, kept_at = NULL, snoozed_until = NULL, updated_at = :now
WHERE tenant_id = :tenant_id AND deal_id = :deal_id AND owner_id = :owner_id
RETURNING deal_id;

-- name: pool_claim^
-- Only a deal still in the pool: of two reps claiming at once, the second finds it owned.
UPDATE deals SET owner_id = :user_id, pooled_at = NULL, pool_team_id = NULL, pool_clock_at = :now,
                 keep_streak = 0, kept_at = NULL, updated_at = :now
WHERE tenant_id = :tenant_id AND deal_id = :deal_id AND owner_id IS NULL
RETURNING deal_id, prev_owner_id;

-- name: pool_keep!
UPDATE deals SET pool_clock_at = :now, kept_at = :now, keep_streak = :streak, updated_at = :now
WHERE tenant_id = :tenant_id AND deal_id = :deal_id;

-- name: pool_event_insert$
INSERT INTO deal_pool_events (tenant_id, deal_id, kind, owner_id, actor_id, team_id, stage, idle_days,
                              reason, episode, created_at)
VALUES (:tenant_id, :deal_id, :kind, :owner_id, :actor_id, :team_id, :stage, :idle_days, :reason,
        :episode, :now)
RETURNING event_id;

-- name: pool_claims_since$
SELECT count(*) FROM deal_pool_events
WHERE tenant_id = :tenant_id AND kind = 'claim' AND actor_id = :user_id AND created_at >= :since;

-- name: pool_list
-- The deals in a pool, most valuable first (amount, then the account's tier, then the newest).
-- :everyone — an admin sees every team's pool; others their team's (and the team-less pool).
SELECT d.deal_id, d.title, a.name AS company, d.product, d.stage, s.name_zh AS stage_name, d.amount,
       coalesce(a.tier_override, a.tier) AS tier, d.pool_team_id AS team_id, d.pooled_at,
       d.prev_owner_id, pu.name AS prev_owner,
       (SELECT e.reason FROM deal_pool_events e
        WHERE e.tenant_id = d.tenant_id AND e.deal_id = d.deal_id AND e.kind IN ('release', 'recycle')
        ORDER BY e.created_at DESC, e.event_id DESC LIMIT 1) AS reason
FROM deals d
JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
LEFT JOIN users pu ON pu.tenant_id = d.tenant_id AND pu.user_id = d.prev_owner_id
WHERE d.tenant_id = :tenant_id AND d.owner_id IS NULL
  AND (:everyone::bool OR d.pool_team_id IS NULL OR d.pool_team_id = :team_id::bigint)
ORDER BY d.amount DESC NULLS LAST, coalesce(a.tier_override, a.tier), d.pooled_at DESC, d.deal_id DESC
LIMIT :limit OFFSET :offset;

-- name: pool_recently_claimed
-- Deals of a team's pool claimed lately (to tell a late claimer who has it).
SELECT DISTINCT ON (e.deal_id) e.deal_id, d.title, a.name AS company, d.product, d.contact_id,
       c.name AS contact_name, u.name AS owner, e.created_at AS claimed_at
FROM deal_pool_events e
JOIN deals d ON d.tenant_id = e.tenant_id AND d.deal_id = e.deal_id AND d.owner_id = e.owner_id
JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
LEFT JOIN contacts c ON c.tenant_id = d.tenant_id AND c.contact_id = d.contact_id
WHERE e.tenant_id = :tenant_id AND e.kind = 'claim' AND e.created_at >= :since
  AND (:everyone::bool OR e.team_id IS NULL OR e.team_id = :team_id::bigint)
ORDER BY e.deal_id, e.created_at DESC;

-- name: pool_tenant_deals_open
-- Open deals of the whole tenant (to tell a rep "that one is 李四's" rather than "not found").
SELECT d.deal_id, d.title, a.name AS company, d.product, c.name AS contact_name, d.owner_id,
       u.name AS owner, u.team_id AS owner_team_id, d.stage, d.amount
FROM deals d
JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
LEFT JOIN contacts c ON c.tenant_id = d.tenant_id AND c.contact_id = d.contact_id
WHERE d.tenant_id = :tenant_id AND d.stage NOT IN ('won', 'paid', 'lost')
ORDER BY d.updated_at DESC, d.deal_id DESC
LIMIT :limit;

-- name: pool_events
SELECT e.event_id, e.deal_id, e.kind, e.owner_id, o.name AS owner, e.actor_id, x.name AS actor, e.team_id,
       e.stage, e.idle_days, e.reason, e.created_at
FROM deal_pool_events e
LEFT JOIN users o ON o.tenant_id = e.tenant_id AND o.user_id = e.owner_id
LEFT JOIN users x ON x.tenant_id = e.tenant_id AND x.user_id = e.actor_id
WHERE e.tenant_id = :tenant_id AND (:deal_id::bigint IS NULL OR e.deal_id = :deal_id)
ORDER BY e.created_at DESC, e.event_id DESC
LIMIT :limit;

-- name: pool_chat_get^
SELECT listed, listed_at, keep_deal_id, keep_until FROM pool_chat
WHERE tenant_id = :tenant_id AND user_id = :user_id;

-- name: pool_chat_listed!
INSERT INTO pool_chat (tenant_id, user_id, listed, listed_at) VALUES (:tenant_id, :user_id, :listed, :now)
ON CONFLICT (tenant_id, user_id) DO UPDATE SET listed = excluded.listed, listed_at = excluded.listed_at;

-- name: pool_chat_keep!
INSERT INTO pool_chat (tenant_id, user_id, keep_deal_id, keep_until)
VALUES (:tenant_id, :user_id, :deal_id, :until)
ON CONFLICT (tenant_id, user_id) DO UPDATE SET keep_deal_id = excluded.keep_deal_id,
                                              keep_until = excluded.keep_until;

-- name: pool_tenants
-- The tenants a recycle pass covers, with their stored rules and timezone.
SELECT t.tenant_id, t.slug, t.timezone, to_char(t.quiet_start, 'HH24:MI') AS quiet_start,
       to_char(t.quiet_end, 'HH24:MI') AS quiet_end, r.rules
FROM tenants t LEFT JOIN pool_rules r ON r.tenant_id = t.tenant_id
WHERE (:tenant_id::bigint IS NULL OR t.tenant_id = :tenant_id)
  AND (:slot::int IS NULL OR t.tenant_id % :slots::int = :slot::int)
ORDER BY t.tenant_id;

-- name: pool_recycle_find!
-- The recycle pass, step 1: every owned open deal whose idle clock has run (or is within the
-- warning days of running) into the temporary table pool_cand. The clock starts at the later
-- of the last activity and the last claim / keep; a deal's days are its stage's (or the
-- tenant's default) times its account tier's factor, rounded up. Per tenant and stage the
-- earliest clock that can be due is an index range scan (deals_recycle_scan).
CREATE TEMP TABLE pool_cand ON COMMIT DROP AS
WITH t AS MATERIALIZED (
    SELECT x.tenant_id, x.rules::jsonb AS rules, x.send_at
    FROM unnest(:tenant_ids::bigint[], :rules::text[], :send_at::timestamptz[]) AS x(tenant_id, rules, send_at)
),
tr AS MATERIALIZED (
    -- the rules read once per tenant (not per deal)
    SELECT t.tenant_id, t.send_at, t.rules -> 'stage_days' AS stage_days, (t.rules ->> 'idle_days')::int AS idle_days,
           (t.rules ->> 'warn_days')::int AS warn_days,
           coalesce((t.rules -> 'tier_factor' ->> 'A')::float8, 1.0) AS fa,
           coalesce((t.rules -> 'tier_factor' ->> 'B')::float8, 1.0) AS fb,
           coalesce((t.rules -> 'tier_factor' ->> 'C')::float8, 1.0) AS fc
    FROM t WHERE (t.rules ->> 'enabled')::bool
),
th AS MATERIALIZED (
    SELECT tr.tenant_id, s.key AS stage, tr.send_at, tr.warn_days, tr.fa, tr.fb, tr.fc,
           coalesce((tr.stage_days ->> s.key)::int, tr.idle_days) AS days,
           -- the latest idle-clock start that can be due for a warning, whatever the tier
           :now::timestamptz - (ceil(coalesce((tr.stage_days ->> s.key)::int, tr.idle_days)
                                     * least(1.0, tr.fa, tr.fb, tr.fc)) - tr.warn_days) * interval '1 day' AS warn_before
    FROM tr JOIN pipeline_stages s ON s.tenant_id = tr.tenant_id
    WHERE s.key NOT IN ('won', 'paid', 'lost')
),
hit AS (
    SELECT d.tenant_id, d.deal_id, d.owner_id, d.stage, th.send_at, th.warn_days, d.episode,
           ceil(th.days * CASE coalesce(a.tier_override, a.tier) WHEN 'A' THEN th.fa WHEN 'B' THEN th.fb
                                                                  WHEN 'C' THEN th.fc ELSE 1.0 END)::int AS days
    FROM th CROSS JOIN LATERAL (
        SELECT x.tenant_id, x.deal_id, x.owner_id, x.account_id, x.stage,
               greatest(coalesce(x.last_activity_at, x.created_at), coalesce(x.pool_clock_at, x.created_at)) AS episode
        FROM deals x
        WHERE x.tenant_id = th.tenant_id AND x.stage = th.stage AND x.owner_id IS NOT NULL
          AND x.stage NOT IN ('won', 'paid', 'lost')
          AND greatest(coalesce(x.last_activity_at, x.created_at), coalesce(x.pool_clock_at, x.created_at)) <= th.warn_before
    ) d
    LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
    WHERE th.days > 0
)
SELECT h.tenant_id, h.deal_id, h.owner_id, h.stage, h.episode, h.days, h.warn_days, h.send_at,
       h.episode + h.days * interval '1 day' AS due_at,
       w.created_at AS warned_at
FROM hit h
LEFT JOIN deal_pool_events w ON w.tenant_id = h.tenant_id AND w.deal_id = h.deal_id AND w.kind = 'warn'
                            AND w.episode = h.episode
WHERE h.episode + (h.days - h.warn_days) * interval '1 day' <= :now::timestamptz;

-- name: pool_recycle_warn
-- Step 2: warn the owners of the deals within the warning days, once per deal and idle episode.
WITH w AS (
    INSERT INTO deal_pool_events (tenant_id, deal_id, kind, owner_id, stage, idle_days, episode, created_at)
    SELECT c.tenant_id, c.deal_id, 'warn', c.owner_id, c.stage, c.days, c.episode, :now::timestamptz
    FROM pool_cand c WHERE c.warned_at IS NULL
    ON CONFLICT (tenant_id, deal_id, episode) WHERE kind = 'warn' DO NOTHING
    RETURNING tenant_id, deal_id, episode, created_at
)
SELECT c.tenant_id, c.deal_id, c.owner_id, c.days, c.warn_days, c.episode, c.send_at,
       greatest(c.due_at, w.created_at + c.warn_days * interval '1 day') AS recycle_at,
       d.title, a.name AS company, d.amount, s.name_zh AS stage_name, u.wecom_userid, u.name AS owner,
       coalesce(a.tier_override, a.tier) AS tier, d.keep_streak
FROM w
JOIN pool_cand c ON c.tenant_id = w.tenant_id AND c.deal_id = w.deal_id
JOIN deals d ON d.tenant_id = c.tenant_id AND d.deal_id = c.deal_id
JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = c.owner_id
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
LEFT JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
ORDER BY c.tenant_id, c.owner_id, d.amount DESC NULLS LAST, c.deal_id;

-- name: pool_recycle_take
-- Step 3: the deals whose time has come (and whose owner was warned at least the warning days
-- before) go to their owner's team's pool. The UPDATE re-checks owner and clock on the row it
-- locks: a deal claimed, touched or recycled meanwhile by anyone is left alone, so each deal is
-- recycled once however many workers run.
WITH due AS (
    SELECT c.tenant_id, c.deal_id, c.owner_id, c.episode, c.days, u.team_id
    FROM pool_cand c
    JOIN users u ON u.tenant_id = c.tenant_id AND u.user_id = c.owner_id
    WHERE c.warned_at IS NOT NULL AND c.due_at <= :now::timestamptz
      AND c.warned_at + c.warn_days * interval '1 day' <= :now::timestamptz
),
upd AS (
    UPDATE deals d SET owner_id = NULL, pooled_at = :now::timestamptz, pool_team_id = due.team_id,
                       prev_owner_id = due.owner_id, keep_streak = 0, kept_at = NULL, snoozed_until = NULL,
                       updated_at = :now::timestamptz
    FROM due
    WHERE d.tenant_id = due.tenant_id AND d.deal_id = due.deal_id AND d.owner_id = due.owner_id
      AND greatest(coalesce(d.last_activity_at, d.created_at), coalesce(d.pool_clock_at, d.created_at)) = due.episode
    RETURNING d.tenant_id, d.deal_id, due.owner_id, due.team_id, d.stage, due.days, due.episode
)
INSERT INTO deal_pool_events (tenant_id, deal_id, kind, owner_id, team_id, stage, idle_days, reason, episode, created_at)
SELECT upd.tenant_id, upd.deal_id, 'recycle', upd.owner_id, upd.team_id, upd.stage, upd.days,
       upd.days || ' days without activity', upd.episode, :now::timestamptz
FROM upd
RETURNING tenant_id, deal_id, owner_id;

-- name: pool_counts^
-- What the digest reports: deals recycled into and claimed from the team's pool in a window.
SELECT count(*) FILTER (WHERE kind IN ('recycle', 'release')) AS returned,
       count(*) FILTER (WHERE kind = 'recycle') AS recycled,
       count(*) FILTER (WHERE kind = 'claim') AS claimed
FROM deal_pool_events
WHERE tenant_id = :tenant_id AND kind IN ('recycle', 'release', 'claim')
  AND (:team_id::bigint IS NULL OR team_id = :team_id)
  AND created_at >= :since AND created_at < :until;

-- name: accounts_claim_dirty!
-- The rescore pass, step 1 (dirty accounts): take the accounts marked since the last pass into
-- the temporary table score_acc. Clearing the mark first (in the pass's transaction) means a
-- deal that changes while the pass runs marks its account again for the next pass.
CREATE TEMP TABLE score_acc ON COMMIT DROP AS
WITH taken AS (
    UPDATE accounts a SET score_dirty = false
    WHERE a.score_dirty AND a.tenant_id = any(:tenant_ids::bigint[])
    RETURNING a.tenant_id, a.account_id
)
SELECT * FROM taken;

-- name: accounts_claim_all!
-- The rescore pass, step 1 (nightly, or on demand): every account of the tenants.
CREATE TEMP TABLE score_acc ON COMMIT DROP AS
SELECT a.tenant_id, a.account_id FROM accounts a WHERE a.tenant_id = any(:tenant_ids::bigint[]);

-- name: accounts_score$
-- Step 2: the score of every account in score_acc, and its tier by the tenant's thresholds;
-- rows whose figures did not change are not written. THE FORMULA (README, section pool):
--   W = min(1, log10(1 + won amount / 10,000) / 3)          won or paid deals (1 at ¥10M)
--   P = (paid on time + ½ paid late) / (paid on time + paid late + won-unpaid past the won SLA)
--   O = min(1, log10(1 + open amount × stage probability / 10,000) / 3)
--   E = min(card events of the account's contacts in 90 days, 20) / 20   (dwell not counted)
--   N = min(deals, 5) / 5
--   score = clamp(round(100 × (0.35 W + 0.20 P + 0.20 O + 0.10 E + 0.15 N)) − 10 × min(overdue, 3), 0, 100)
-- "On time": paid within the won stage's SLA days (default 30) of being won.
WITH t AS (
    SELECT x.tenant_id, x.tier_a, x.tier_b
    FROM unnest(:tenant_ids::bigint[], :tier_a::int[], :tier_b::int[]) AS x(tenant_id, tier_a, tier_b)
),
dl AS (
    SELECT d.tenant_id, d.account_id, count(*) AS deal_count,
           coalesce(sum(d.amount) FILTER (WHERE d.stage IN ('won', 'paid')), 0)::float8 AS won_amount,
           coalesce(sum(d.amount * s.probability) FILTER (WHERE d.stage NOT IN ('won', 'paid', 'lost')), 0)::float8
               AS open_weighted,
           count(*) FILTER (WHERE d.stage = 'won' AND d.stage_entered_at
                              + coalesce(t.won_sla, 30) * interval '1 day' < :now::timestamptz) AS overdue,
           count(*) FILTER (WHERE d.stage = 'paid' AND pw.won_at IS NOT NULL
                              AND d.stage_entered_at <= pw.won_at + coalesce(t.won_sla, 30) * interval '1 day') AS paid_on_time,
           count(*) FILTER (WHERE d.stage = 'paid' AND pw.won_at IS NOT NULL
                              AND d.stage_entered_at > pw.won_at + coalesce(t.won_sla, 30) * interval '1 day') AS paid_late
    FROM score_acc sa
    JOIN deals d ON d.tenant_id = sa.tenant_id AND d.account_id = sa.account_id
    JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
    LEFT JOIN (SELECT w.tenant_id, coalesce(w.sla_days, 30) AS won_sla FROM pipeline_stages w WHERE w.key = 'won') t
           ON t.tenant_id = d.tenant_id
    LEFT JOIN LATERAL (
        SELECT max(h.changed_at) AS won_at FROM deal_stage_history h
        WHERE d.stage = 'paid' AND h.tenant_id = d.tenant_id AND h.deal_id = d.deal_id AND h.to_stage = 'won'
    ) pw ON d.stage = 'paid'
    GROUP BY d.tenant_id, d.account_id
),
eng AS (
    SELECT c.tenant_id, c.account_id, least(count(*), 20) AS events
    FROM score_acc sa
    JOIN contacts c ON c.tenant_id = sa.tenant_id AND c.account_id = sa.account_id
    JOIN card_events e ON e.tenant_id = c.tenant_id AND e.contact_id = c.contact_id AND e.kind <> 'dwell'
                      AND e.created_at > :now::timestamptz - interval '90 days' AND e.created_at <= :now::timestamptz
    GROUP BY c.tenant_id, c.account_id
),
calc AS (
    SELECT sa.tenant_id, sa.account_id, t.tier_a, t.tier_b,
           coalesce(dl.deal_count, 0)::int AS deal_count, coalesce(dl.won_amount, 0) AS won_amount,
           coalesce(dl.open_weighted, 0) AS open_weighted, coalesce(dl.overdue, 0)::int AS overdue,
           coalesce(dl.paid_on_time, 0)::int AS paid_on_time, coalesce(dl.paid_late, 0)::int AS paid_late,
           coalesce(eng.events, 0)::int AS engagement
    FROM score_acc sa
    JOIN t ON t.tenant_id = sa.tenant_id
    LEFT JOIN dl ON dl.tenant_id = sa.tenant_id AND dl.account_id = sa.account_id
    LEFT JOIN eng ON eng.tenant_id = sa.tenant_id AND eng.account_id = sa.account_id
),
scored AS (
    SELECT c.*,
           greatest(0, least(100, round(100 * (
               0.35 * least(1.0, log(1 + c.won_amount / 10000.0) / 3)
             + 0.20 * CASE WHEN c.paid_on_time + c.paid_late + c.overdue = 0 THEN 0
                           ELSE (c.paid_on_time + 0.5 * c.paid_late) / (c.paid_on_time + c.paid_late + c.overdue) END
             + 0.20 * least(1.0, log(1 + c.open_weighted / 10000.0) / 3)
             + 0.10 * c.engagement / 20.0
             + 0.15 * least(c.deal_count, 5) / 5.0
           ))::int - 10 * least(c.overdue, 3))) AS score
    FROM calc c
),
upd AS (
    UPDATE accounts a SET
        score = s.score,
        tier = CASE WHEN s.score >= s.tier_a THEN 'A' WHEN s.score >= s.tier_b THEN 'B' ELSE 'C' END,
        won_amount = s.won_amount::bigint, open_weighted = round(s.open_weighted)::bigint,
        deal_count = s.deal_count, paid_on_time = s.paid_on_time, paid_late = s.paid_late,
        overdue = s.overdue, engagement = s.engagement, scored_at = :now::timestamptz
    FROM scored s
    WHERE a.tenant_id = s.tenant_id AND a.account_id = s.account_id
      AND (a.scored_at IS NULL OR a.score <> s.score
           OR a.tier <> CASE WHEN s.score >= s.tier_a THEN 'A' WHEN s.score >= s.tier_b THEN 'B' ELSE 'C' END
           OR a.won_amount <> s.won_amount::bigint OR a.open_weighted <> round(s.open_weighted)::bigint
           OR a.deal_count <> s.deal_count OR a.paid_on_time <> s.paid_on_time OR a.paid_late <> s.paid_late
           OR a.overdue <> s.overdue OR a.engagement <> s.engagement)
    RETURNING 1
)
SELECT count(*) FROM upd;

-- name: accounts_scoring_due
-- Tenants whose nightly rescore has not run for their local day yet (after 02:00 local).
SELECT t.tenant_id, t.timezone FROM tenants t
LEFT JOIN account_scoring s ON s.tenant_id = t.tenant_id
WHERE (s.day IS NULL OR s.day < (:now::timestamptz AT TIME ZONE t.timezone)::date)
  AND (:now::timestamptz AT TIME ZONE t.timezone)::time >= '02:00'
ORDER BY t.tenant_id;

-- name: accounts_scoring_claim$
-- One worker takes a tenant's nightly rescore for its local day.
INSERT INTO account_scoring (tenant_id, day, done_at) VALUES (:tenant_id, :day, :now)
ON CONFLICT (tenant_id) DO UPDATE SET day = excluded.day, done_at = excluded.done_at
WHERE account_scoring.day < excluded.day
RETURNING tenant_id;

-- name: accounts_list
SELECT a.account_id, a.name, coalesce(a.tier_override, a.tier) AS tier, a.score, a.tier AS computed_tier,
       a.tier_override, a.tier_reason, a.tier_set_by, a.tier_set_at, a.won_amount, a.open_weighted,
       a.deal_count, a.paid_on_time, a.paid_late, a.overdue, a.engagement, a.scored_at
FROM accounts a
WHERE a.tenant_id = :tenant_id
  AND (:tier::text IS NULL OR coalesce(a.tier_override, a.tier) = :tier)
ORDER BY a.score DESC, a.account_id
LIMIT :limit OFFSET :offset;

-- name: accounts_count$
SELECT count(*) FROM accounts a
WHERE a.tenant_id = :tenant_id AND (:tier::text IS NULL OR coalesce(a.tier_override, a.tier) = :tier);

-- name: accounts_get^
SELECT a.account_id, a.name, coalesce(a.tier_override, a.tier) AS tier, a.score, a.tier AS computed_tier,
       a.tier_override, a.tier_reason, a.tier_set_by, a.tier_set_at, a.won_amount, a.open_weighted,
       a.deal_count, a.paid_on_time, a.paid_late, a.overdue, a.engagement, a.scored_at
FROM accounts a WHERE a.tenant_id = :tenant_id AND a.account_id = :account_id;

-- name: accounts_set_override!
UPDATE accounts SET tier_override = :tier, tier_reason = :reason, tier_set_by = :user_id, tier_set_at = :now
WHERE tenant_id = :tenant_id AND account_id = :account_id;

-- The manager's questions in chat: the digest's figures, any time, for one scope — a manager's
-- team (:team_id; NULL with no :owner_id: the whole tenant, as the digest does) or one rep
-- (:owner_id). Pooled deals (no owner) are nobody's figures.

-- name: mgr_funnel
SELECT s.key AS stage, s.name_zh AS name, count(x.deal_id) AS count,
       coalesce(sum(x.amount), 0)::bigint AS amount,
       coalesce(sum(x.amount * s.probability), 0)::float8 AS weighted
FROM pipeline_stages s
LEFT JOIN (
    SELECT d.deal_id, d.stage, d.amount FROM deals d
    JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
    WHERE d.tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
      AND (:owner_id::bigint IS NULL OR d.owner_id = :owner_id)
      AND d.stage NOT IN ('paid', 'lost')
) x ON x.stage = s.key
WHERE s.tenant_id = :tenant_id AND s.key NOT IN ('paid', 'lost')
GROUP BY s.key, s.name_zh, s.position
ORDER BY s.position, s.key;

-- name: mgr_period^
-- New leads, forward moves, won (count, amount) and lost in [:since, :until).
SELECT
    (SELECT count(*) FROM deals d JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
      WHERE d.tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
        AND (:owner_id::bigint IS NULL OR d.owner_id = :owner_id)
        AND d.created_at >= :since AND d.created_at < :until) AS leads,
    (SELECT count(*) FROM deal_stage_history h
       JOIN deals d ON d.tenant_id = h.tenant_id AND d.deal_id = h.deal_id
       JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
       JOIN pipeline_stages fs ON fs.tenant_id = h.tenant_id AND fs.key = h.from_stage
       JOIN pipeline_stages ts ON ts.tenant_id = h.tenant_id AND ts.key = h.to_stage
      WHERE h.tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
        AND (:owner_id::bigint IS NULL OR d.owner_id = :owner_id)
        AND h.changed_at >= :since AND h.changed_at < :until
        AND ts.position > fs.position AND h.to_stage NOT IN ('won', 'paid', 'lost')) AS advances;

-- name: mgr_closed
-- Deals won or lost in the window, biggest first, with the reason given (as the digest lists them).
SELECT h.to_stage AS outcome, d.deal_id, d.title, a.name AS company, u.name AS owner, h.amount,
       coalesce(h.reason, d.lost_reason) AS reason
FROM deal_stage_history h
JOIN deals d ON d.tenant_id = h.tenant_id AND d.deal_id = h.deal_id
JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
WHERE h.tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
  AND (:owner_id::bigint IS NULL OR d.owner_id = :owner_id)
  AND h.changed_at >= :since AND h.changed_at < :until
  AND h.to_stage IN ('won', 'lost')
ORDER BY h.amount DESC NULLS LAST, h.history_id;

-- name: mgr_stalled
-- Open deals over their stage's SLA, the biggest first (big customers first among equals).
SELECT d.deal_id, d.title, a.name AS company, u.name AS owner, s.name_zh AS stage_name, d.amount,
       coalesce(a.tier_override, a.tier) AS tier,
       floor(extract(epoch FROM (:now::timestamptz - d.stage_entered_at)) / 86400.0 - s.sla_days)::int AS days_over,
       count(*) OVER () AS total
FROM deals d
JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
WHERE d.tenant_id = :tenant_id AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
  AND (:owner_id::bigint IS NULL OR d.owner_id = :owner_id)
  AND d.stage NOT IN ('won', 'paid', 'lost') AND s.sla_days IS NOT NULL
  AND :now::timestamptz >= d.stage_entered_at + s.sla_days * interval '24 hours'
ORDER BY d.amount DESC NULLS LAST, coalesce(a.tier_override, a.tier), days_over DESC, d.deal_id
LIMIT :limit;

-- name: mgr_not_followed
-- Per active rep in scope: open deals, those with no activity for :idle_days, the last activity.
SELECT u.user_id, u.name, count(d.deal_id) AS open_deals,
       count(d.deal_id) FILTER (WHERE coalesce(d.last_activity_at, d.created_at) <= :idle_before) AS idle_deals,
       (SELECT max(x.created_at) FROM activities x WHERE x.tenant_id = u.tenant_id AND x.user_id = u.user_id) AS last_activity
FROM users u
LEFT JOIN deals d ON d.tenant_id = u.tenant_id AND d.owner_id = u.user_id AND d.stage NOT IN ('won', 'paid', 'lost')
WHERE u.tenant_id = :tenant_id AND u.active AND u.role = 'rep'
  AND (:team_id::bigint IS NULL OR u.team_id = :team_id)
  AND (:owner_id::bigint IS NULL OR u.user_id = :owner_id)
GROUP BY u.tenant_id, u.user_id, u.name
ORDER BY idle_deals DESC, last_activity NULLS FIRST, u.user_id;

-- name: mgr_users_named
-- Users of the tenant whose name matches (a rep's pipeline asked by name).
SELECT user_id, name, role, team_id FROM users
WHERE tenant_id = :tenant_id AND active AND (name = :name OR name ILIKE :pattern)
ORDER BY (name = :name) DESC, user_id
LIMIT 5;

-- name: mgr_top_open
SELECT d.deal_id, d.title, a.name AS company, d.product, d.stage, s.name_zh AS stage_name, d.amount,
       coalesce(a.tier_override, a.tier) AS tier
FROM deals d
JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
WHERE d.tenant_id = :tenant_id AND d.owner_id = :owner_id AND d.stage NOT IN ('won', 'paid', 'lost')
ORDER BY d.amount * s.probability DESC NULLS LAST, d.deal_id
LIMIT :limit;

-- name: pool_undo_release^
-- 撤销 right after 放回公海: the deal goes back to who released it, if nobody took it meanwhile.
UPDATE deals SET owner_id = prev_owner_id, pooled_at = NULL, pool_team_id = NULL, updated_at = :now
WHERE tenant_id = :tenant_id AND deal_id = :deal_id AND owner_id IS NULL AND prev_owner_id = :user_id
RETURNING deal_id;

-- name: pool_undo_claim^
-- 撤销 right after 领取: the deal goes back into the pool as it was.
UPDATE deals SET owner_id = NULL, pooled_at = :pooled_at, pool_team_id = :pool_team_id,
                 prev_owner_id = :prev_owner_id, updated_at = :now
WHERE tenant_id = :tenant_id AND deal_id = :deal_id AND owner_id = :user_id
RETURNING deal_id;

-- name: pool_event_delete_last!
-- The undone release or claim leaves no trace (nor a claim counted against the day's cap).
DELETE FROM deal_pool_events WHERE tenant_id = :tenant_id AND event_id = (
    SELECT max(event_id) FROM deal_pool_events
    WHERE tenant_id = :tenant_id AND deal_id = :deal_id AND kind = :kind AND actor_id = :user_id);

-- name: accounts_find
-- Accounts whose normalised name contains the words a manager used (set a tier in chat).
SELECT account_id, name, coalesce(tier_override, tier) AS tier, score FROM accounts
WHERE tenant_id = :tenant_id AND norm_name LIKE '%' || :words || '%'
ORDER BY (norm_name = :words) DESC, length(norm_name), account_id
LIMIT 5;

-- Business cards, shares, visitors, mini-program sessions, inquiries, the radar (cards_*),
-- and the mini-program workbench's funnel and team views (miniapp_*).

-- name: cards_insert$
INSERT INTO cards (tenant_id, user_id, code, name, title, company, phone, email, created_at, updated_at)
VALUES (:tenant_id, :user_id, :code, :name, :title, :company, :phone, :email, :now, :now)
ON CONFLICT DO NOTHING
RETURNING card_id;

-- name: cards_root_share_insert!
INSERT INTO card_shares (tenant_id, card_id, token, parent_share_id, visitor_id, depth, created_at)
VALUES (:tenant_id, :card_id, :token, NULL, NULL, 0, :now)
ON CONFLICT DO NOTHING;

-- name: cards_for_user^
SELECT c.card_id, c.user_id, c.code, c.name, c.title, c.company, c.phone, c.email, c.wechat_id,
       c.avatar_url, c.bio, c.products, c.updated_at, s.token AS root_share
FROM cards c
LEFT JOIN card_shares s ON s.tenant_id = c.tenant_id AND s.card_id = c.card_id AND s.parent_share_id IS NULL
WHERE c.tenant_id = :tenant_id AND c.user_id = :user_id;

-- name: cards_update!
UPDATE cards SET name = :name, title = :title, company = :company, phone = :phone, email = :email,
                 wechat_id = :wechat_id, avatar_url = :avatar_url, bio = :bio, products = :products,
                 updated_at = :now
WHERE tenant_id = :tenant_id AND card_id = :card_id;

-- name: cards_by_code^
-- A card by its public code (optionally only within one tenant), with the rep's wecom id.
SELECT c.tenant_id, c.card_id, c.user_id, c.code, c.name, c.title, c.company, c.phone, c.email,
       c.wechat_id, c.avatar_url, c.bio, c.products, c.updated_at, u.wecom_userid, u.active
FROM cards c JOIN users u ON u.tenant_id = c.tenant_id AND u.user_id = c.user_id
WHERE c.code = :code AND (:tenant_id::bigint IS NULL OR c.tenant_id = :tenant_id);

-- name: cards_open^
-- Open a card in one round trip: the customer's session (when a token hash is given: live, not
-- revoked, of this tenant), the card, the share it came through (the root share when the token
-- is missing or unknown), the visitor's previous view (only for a known contact: repeat visits
-- are hot signals), and, when :record and the session is good, the view event. An H5 visitor
-- comes as :visitor_id / :contact_id instead of a session. The rate limits are counted in the same
-- statement by card_rate_count (migration 0017; :rl_incs are the hits this process admitted
-- locally since it last counted, plus this one; NULL arrays when the process admits the open
-- locally, ratelimit.Plan.batched): over any of them, no view is recorded and the counts come
-- back (rl_keys / rl_hits / rl_previous) for the caller's 429. The counting stays behind the
-- function so that the statement's cost does not depend on the arrays and its plan stays cached.
WITH lim AS (
    -- (not called at all for an open the process counted locally: no row, and coalesce says ok)
    SELECT * FROM card_rate_count(:rl_tenant::bigint, :rl_keys::text[], :rl_wins::bigint[], :rl_expires::timestamptz[],
                                  :rl_amounts::int[], :rl_weights::float8[], :rl_incs::int[], :rl_shard::smallint)
    WHERE :rl_keys::text[] IS NOT NULL
), sess AS (
    SELECT s.visitor_id, v.contact_id, u.user_id
    FROM miniapp_sessions s
    JOIN card_visitors v ON v.tenant_id = s.tenant_id AND v.visitor_id = s.visitor_id
    LEFT JOIN users u ON u.tenant_id = s.tenant_id AND u.miniapp_openid = s.openid AND u.active
    WHERE :token_hash::text IS NOT NULL AND s.tenant_id = :tenant_id::bigint AND s.token_hash = :token_hash::text
      AND s.revoked_at IS NULL AND s.expires_at > :now
), who AS (
    SELECT coalesce((SELECT visitor_id FROM sess), :visitor_id::bigint) AS visitor_id,
           coalesce((SELECT contact_id FROM sess), :contact_id::bigint) AS contact_id,
           coalesce((SELECT user_id FROM sess), :viewer_user_id::bigint) AS user_id,
           (:token_hash::text IS NULL OR EXISTS (SELECT 1 FROM sess)) AS session_ok
), c AS (
    SELECT c.* FROM cards c JOIN users u ON u.tenant_id = c.tenant_id AND u.user_id = c.user_id
    WHERE c.code = :code AND (:tenant_id::bigint IS NULL OR c.tenant_id = :tenant_id::bigint) AND u.active
), sh AS (
    -- the share named by :share when it is this card's, else the card's root share: two lookups
    -- by unique key (scanning the card's shares for either grew with every forward)
    SELECT s.share_id, s.token, s.parent_share_id, s.forwarded_at, s.visitor_id
    FROM c, LATERAL (
        SELECT 0 AS pick, s.* FROM card_shares s
        WHERE s.tenant_id = c.tenant_id AND s.token = :share::text AND s.card_id = c.card_id
        UNION ALL
        SELECT 1 AS pick, s.* FROM card_shares s
        WHERE s.tenant_id = c.tenant_id AND s.card_id = c.card_id AND s.parent_share_id IS NULL
        ORDER BY pick
        LIMIT 1
    ) s
), prev AS (
    SELECT max(e.created_at) AS at FROM card_events e, c, who
    WHERE who.contact_id IS NOT NULL AND e.tenant_id = c.tenant_id
      AND e.visitor_id = who.visitor_id AND e.rep_id = c.user_id AND e.kind = 'view'
), ins AS (
    INSERT INTO card_events (tenant_id, rep_id, visitor_id, contact_id, kind, share_id, client_event_id, created_at)
    SELECT c.tenant_id, c.user_id, who.visitor_id, who.contact_id, 'view', (SELECT share_id FROM sh),
           :client_event_id::text, :now
    FROM c, who
    WHERE :record::bool AND who.session_ok AND c.user_id IS DISTINCT FROM who.user_id AND coalesce((SELECT ok FROM lim), true)
    ON CONFLICT (tenant_id, visitor_id, client_event_id) WHERE client_event_id IS NOT NULL DO NOTHING
    RETURNING event_id
), fwd AS (
    -- a share minted by the page inside WeChat (not forwarded yet), opened by someone else than
    -- its forwarder: now it was forwarded (once: card_forward_on_open, migration 0017, checks
    -- again under the share's lock); every other open never calls the function
    SELECT f.visitor_id, f.contact_id
    FROM c, who, sh, card_forward_on_open(c.tenant_id, sh.share_id, c.user_id, who.visitor_id, :now) f
    WHERE :record::bool AND who.session_ok AND c.user_id IS DISTINCT FROM who.user_id
      AND sh.parent_share_id IS NOT NULL AND sh.forwarded_at IS NULL AND sh.visitor_id IS DISTINCT FROM who.visitor_id
)
SELECT c.tenant_id, c.card_id, c.user_id, c.code, c.name, c.title, c.company, c.phone, c.email,
       c.wechat_id, c.avatar_url, c.bio, c.products,
       (SELECT share_id FROM sh) AS share_id, (SELECT token FROM sh) AS share_token,
       (SELECT at FROM prev) AS prev_view_at, (SELECT event_id FROM ins) AS event_id,
       who.session_ok, who.visitor_id, who.contact_id, who.user_id AS viewer_user_id,
       coalesce((SELECT ok FROM lim), true) AS rate_ok, (SELECT keys FROM lim) AS rl_keys, (SELECT hits FROM lim) AS rl_hits,
       (SELECT previous FROM lim) AS rl_previous,
       (SELECT visitor_id FROM fwd) AS forwarder_visitor_id, (SELECT contact_id FROM fwd) AS forwarder_contact_id
FROM c, who;

-- name: cards_open_session^
-- The common open, leaner: a mini-program session's (:token_hash of tenant :tenant_id), without a
-- client event id. Every other open (an H5 visitor, anonymous, a beacon) is cards_open; both
-- check, count, record and answer alike (tests/integration/test_cards_open_session.py). Rate
-- limits as in cards_open (lim; NULL :rl_* arrays when the process counted the open alone). The
-- rest in one CTE instead of seven: the session behind card_session (migration 0023: index
-- probes, not scans of the tenant's sessions and visitors); the share named by :share, else the
-- card's root share, as one COALESCE (the root is read only when :share is not this card's); the
-- previous view read only for a known contact; the view inserted without ON CONFLICT (no client
-- event id, nothing to conflict with: no speculative insertion). The forward of a link minted
-- inside WeChat, first opened by someone else, is card_forward_on_open as in cards_open.
WITH lim AS (
    SELECT * FROM card_rate_count(:rl_tenant::bigint, :rl_keys::text[], :rl_wins::bigint[], :rl_expires::timestamptz[],
                                  :rl_amounts::int[], :rl_weights::float8[], :rl_incs::int[], :rl_shard::smallint)
    WHERE :rl_keys::text[] IS NOT NULL
), o AS (
    SELECT c.tenant_id, c.card_id, c.user_id, c.code, c.name, c.title, c.company, c.phone, c.email,
           c.wechat_id, c.avatar_url, c.bio, c.products,
           s.visitor_id, s.contact_id, s.user_id AS viewer_user_id, (s.visitor_id IS NOT NULL) AS session_ok,
           (x.sh).share_id, (x.sh).token AS share_token, (x.sh).parent_share_id, (x.sh).forwarded_at,
           (x.sh).visitor_id AS share_visitor_id
    FROM cards c
    JOIN users ru ON ru.tenant_id = c.tenant_id AND ru.user_id = c.user_id AND ru.active
    LEFT JOIN card_session(:tenant_id::bigint, :token_hash::text, :now) s ON true
    CROSS JOIN LATERAL (
        -- OFFSET 0: evaluated once, not once for each field taken out of the row
        SELECT coalesce(
            (SELECT t FROM card_shares t WHERE t.tenant_id = c.tenant_id AND t.token = :share::text AND t.card_id = c.card_id),
            (SELECT t FROM card_shares t WHERE t.tenant_id = c.tenant_id AND t.card_id = c.card_id AND t.parent_share_id IS NULL)
        ) AS sh
        OFFSET 0
    ) x
    WHERE c.code = :code::text AND c.tenant_id = :tenant_id::bigint
), ins AS (
    INSERT INTO card_events (tenant_id, rep_id, visitor_id, contact_id, kind, share_id, created_at)
    SELECT o.tenant_id, o.user_id, o.visitor_id, o.contact_id, 'view', o.share_id, :now
    FROM o WHERE o.session_ok AND o.user_id IS DISTINCT FROM o.viewer_user_id AND coalesce((SELECT ok FROM lim), true)
    RETURNING event_id
), fwd AS (
    SELECT f.visitor_id, f.contact_id
    FROM o, card_forward_on_open(o.tenant_id, o.share_id, o.user_id, o.visitor_id, :now) f
    WHERE o.session_ok AND o.user_id IS DISTINCT FROM o.viewer_user_id
      AND o.parent_share_id IS NOT NULL AND o.forwarded_at IS NULL AND o.share_visitor_id IS DISTINCT FROM o.visitor_id
)
SELECT o.tenant_id, o.card_id, o.user_id, o.code, o.name, o.title, o.company, o.phone, o.email,
       o.wechat_id, o.avatar_url, o.bio, o.products, o.share_id, o.share_token,
       CASE WHEN o.contact_id IS NOT NULL THEN (
           SELECT max(e.created_at) FROM card_events e
           WHERE e.tenant_id = o.tenant_id AND e.visitor_id = o.visitor_id AND e.rep_id = o.user_id AND e.kind = 'view'
       ) END AS prev_view_at,
       (SELECT event_id FROM ins) AS event_id, o.session_ok, o.visitor_id, o.contact_id, o.viewer_user_id,
       coalesce((SELECT ok FROM lim), true) AS rate_ok, (SELECT keys FROM lim) AS rl_keys,
       (SELECT hits FROM lim) AS rl_hits, (SELECT previous FROM lim) AS rl_previous,
       (SELECT visitor_id FROM fwd) AS forwarder_visitor_id, (SELECT contact_id FROM fwd) AS forwarder_contact_id
FROM o;

-- name: cards_share_by_token^
SELECT share_id, card_id, token, parent_share_id, visitor_id, depth FROM card_shares
WHERE tenant_id = :tenant_id AND card_id = :card_id AND token = :token;

-- name: cards_root_share^
SELECT share_id, card_id, token, parent_share_id, visitor_id, depth FROM card_shares
WHERE tenant_id = :tenant_id AND card_id = :card_id AND parent_share_id IS NULL;

-- name: cards_child_share_insert^
-- One child share per forwarding visitor and parent: forwarding again gives the same share.
-- :pending (the page minting the link WeChat will forward): not forwarded yet (forwarded_at
-- stays NULL until the link is opened by someone else, cards_open); otherwise forwarded now.
INSERT INTO card_shares (tenant_id, card_id, token, parent_share_id, visitor_id, depth, created_at, forwarded_at)
VALUES (:tenant_id, :card_id, :token, :parent_share_id, :visitor_id, :depth, :now,
        CASE WHEN coalesce(:pending::bool, false) THEN NULL ELSE :now::timestamptz END)
ON CONFLICT (tenant_id, card_id, parent_share_id, visitor_id) WHERE parent_share_id IS NOT NULL
DO UPDATE SET depth = excluded.depth,
              forwarded_at = coalesce(card_shares.forwarded_at, excluded.forwarded_at)
RETURNING share_id, token, depth, (xmax = 0) AS created;

-- name: cards_share_chain
-- The shares from the rep's root down to :share_id, with who forwarded each.
WITH RECURSIVE up AS (
    SELECT share_id, parent_share_id, visitor_id, depth FROM card_shares
    WHERE tenant_id = :tenant_id AND share_id = :share_id
    UNION ALL
    SELECT p.share_id, p.parent_share_id, p.visitor_id, p.depth
    FROM card_shares p JOIN up ON p.tenant_id = :tenant_id AND p.share_id = up.parent_share_id
)
SELECT up.share_id, up.depth, up.visitor_id, coalesce(v.name, ct.name) AS name
FROM up
LEFT JOIN card_visitors v ON v.tenant_id = :tenant_id AND v.visitor_id = up.visitor_id
LEFT JOIN contacts ct ON ct.tenant_id = :tenant_id AND ct.contact_id = v.contact_id
ORDER BY up.depth;

-- name: cards_visitor_by_openid^
SELECT visitor_id, contact_id FROM card_visitors WHERE tenant_id = :tenant_id AND openid = :openid;

-- name: cards_visitor_upsert_openid^
-- The customer with this openid on this tenant (created on first login), linked to the CRM
-- contact with the same openid when there is one.
INSERT INTO card_visitors (tenant_id, openid, contact_id, created_at)
VALUES (:tenant_id, :openid,
        (SELECT contact_id FROM contacts WHERE tenant_id = :tenant_id AND openid = :openid ORDER BY contact_id LIMIT 1),
        :now)
ON CONFLICT (tenant_id, openid) WHERE openid IS NOT NULL DO UPDATE
    SET contact_id = coalesce(card_visitors.contact_id, excluded.contact_id)
RETURNING visitor_id, contact_id;

-- name: cards_visitor_upsert_anon^
INSERT INTO card_visitors (tenant_id, anon_key, created_at) VALUES (:tenant_id, :anon_key, :now)
ON CONFLICT (tenant_id, anon_key) WHERE anon_key IS NOT NULL DO UPDATE SET anon_key = excluded.anon_key
RETURNING visitor_id, contact_id;

-- name: cards_visitor_get^
SELECT visitor_id, openid, contact_id, name, phone, company FROM card_visitors
WHERE tenant_id = :tenant_id AND visitor_id = :visitor_id;

-- name: cards_visitor_link!
-- An inquiry tells who the visitor is: keep what they said and the contact they are.
UPDATE card_visitors SET name = :name, phone = :phone, company = coalesce(:company, company),
                         contact_id = coalesce(:contact_id, contact_id)
WHERE tenant_id = :tenant_id AND visitor_id = :visitor_id;

-- name: cards_events_link_contact!
-- Earlier events of a visitor who has just become known as a contact (nudges read contact_id).
UPDATE card_events SET contact_id = :contact_id
WHERE tenant_id = :tenant_id AND visitor_id = :visitor_id AND contact_id IS NULL;

-- name: cards_contact_set_openid!
UPDATE contacts SET openid = :openid
WHERE tenant_id = :tenant_id AND contact_id = :contact_id AND openid IS NULL;

-- name: cards_session_insert!
INSERT INTO miniapp_sessions (tenant_id, token_hash, openid, visitor_id, created_at, expires_at)
VALUES (:tenant_id, :token_hash, :openid, :visitor_id, :now, :expires_at);

-- name: cards_session_get^
-- A live session, the customer it belongs to, and the rep whose openid it carries (if any).
SELECT s.session_id, s.openid, s.visitor_id, s.expires_at, v.contact_id,
       u.user_id, u.role, u.team_id, u.name, u.lang, u.wecom_userid
FROM miniapp_sessions s
JOIN card_visitors v ON v.tenant_id = s.tenant_id AND v.visitor_id = s.visitor_id
LEFT JOIN users u ON u.tenant_id = s.tenant_id AND u.miniapp_openid = s.openid AND u.active
WHERE s.tenant_id = :tenant_id AND s.token_hash = :token_hash
  AND s.revoked_at IS NULL AND s.expires_at > :now;

-- name: cards_session_revoke!
UPDATE miniapp_sessions SET revoked_at = :now
WHERE tenant_id = :tenant_id AND session_id = :session_id AND revoked_at IS NULL;

-- name: cards_visitor_events_today$
SELECT count(*) FROM card_events
WHERE tenant_id = :tenant_id AND visitor_id = :visitor_id AND rep_id = :rep_id AND created_at >= :since;

-- name: cards_event_insert$
-- One client event, once per visitor and client event id (the unique index of 0002).
INSERT INTO card_events (tenant_id, rep_id, visitor_id, contact_id, kind, dwell_seconds, share_id,
                         client_event_id, detail, created_at)
VALUES (:tenant_id, :rep_id, :visitor_id, :contact_id, :kind, :dwell_seconds, :share_id,
        :client_event_id, :detail, :now)
ON CONFLICT (tenant_id, visitor_id, client_event_id) WHERE client_event_id IS NOT NULL DO NOTHING
RETURNING event_id;

-- name: cards_inquiry_lock!
-- Serialise inquiries with one phone, then one visitor (always in this order: no deadlock).
SELECT pg_advisory_xact_lock(hashtextextended((:tenant_id::bigint)::text || ':inquiry-phone:' || :phone::text, 0)),
       pg_advisory_xact_lock(hashtextextended((:tenant_id::bigint)::text || ':inquiry-visitor:' || (:visitor_id::bigint)::text, 0));

-- name: cards_inquiry_counts^
-- Inquiries to this tenant in the window from this visitor and from this phone.
SELECT count(*) FILTER (WHERE visitor_id = :visitor_id) AS by_visitor,
       count(*) FILTER (WHERE phone = :phone) AS by_phone
FROM card_inquiries
WHERE tenant_id = :tenant_id AND created_at >= :since AND (visitor_id = :visitor_id OR phone = :phone);

-- name: cards_inquiry_insert$
INSERT INTO card_inquiries (tenant_id, card_id, rep_id, visitor_id, share_id, name, phone, company,
                            email, message, contact_id, deal_id, ip, created_at)
VALUES (:tenant_id, :card_id, :rep_id, :visitor_id, :share_id, :name, :phone, :company, :email,
        :message, :contact_id, :deal_id, :ip, :now)
RETURNING inquiry_id;

-- name: cards_open_deal_for_contact^
-- The contact's open deal, the card rep's first, then the most recently active.
SELECT d.deal_id, d.owner_id, d.title, u.wecom_userid
FROM deals d JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
WHERE d.tenant_id = :tenant_id AND d.contact_id = :contact_id AND d.stage NOT IN ('won', 'paid', 'lost')
ORDER BY (d.owner_id = :rep_id) DESC, d.last_activity_at DESC NULLS LAST, d.deal_id DESC
LIMIT 1;

-- name: cards_radar_days
-- Per visitor and day (tenant's timezone) on one rep's card: visits (a view 30 minutes or more
-- after the visitor's previous view starts a visit), dwell, taps, products, forwards, inquiries.
WITH ev AS (
    SELECT e.visitor_id, e.kind, e.dwell_seconds, e.created_at, e.detail,
           CASE WHEN e.kind = 'view' THEN
               lag(e.created_at) OVER (PARTITION BY e.visitor_id, e.kind = 'view' ORDER BY e.created_at, e.event_id)
           END AS prev_view_at
    FROM card_events e
    WHERE e.tenant_id = :tenant_id AND e.rep_id = :rep_id AND e.visitor_id IS NOT NULL
      AND e.created_at >= :since AND (:visitor_id::bigint IS NULL OR e.visitor_id = :visitor_id::bigint)
)
SELECT visitor_id, (created_at AT TIME ZONE :tz)::date AS day,
       count(*) FILTER (WHERE kind = 'view' AND (prev_view_at IS NULL
                                                 OR created_at - prev_view_at >= interval '30 minutes')) AS visits,
       count(*) FILTER (WHERE kind = 'view') AS views,
       coalesce(sum(least(dwell_seconds, :dwell_event_cap)) FILTER (WHERE kind = 'dwell'), 0)::bigint AS dwell,
       count(*) FILTER (WHERE kind = 'tap_phone') AS phone_taps,
       count(*) FILTER (WHERE kind = 'save_contact') AS contact_saves,
       count(DISTINCT detail->>'product') FILTER (WHERE kind = 'view_product') AS products_viewed,
       count(*) FILTER (WHERE kind = 'forward') AS forwards,
       count(*) FILTER (WHERE kind = 'inquiry') AS inquiries,
       max(created_at) AS last_seen
FROM ev
GROUP BY visitor_id, day
ORDER BY visitor_id, day;

-- name: cards_radar_reach
-- For each visitor who forwarded this card: how many other visitors opened it through their shares.
SELECT s.visitor_id, count(DISTINCT e.visitor_id) AS forwarded_to
FROM card_shares s
JOIN card_events e ON e.tenant_id = s.tenant_id AND e.rep_id = :rep_id AND e.share_id = s.share_id AND e.kind = 'view'
WHERE s.tenant_id = :tenant_id AND s.card_id = :card_id AND s.visitor_id IS NOT NULL
  AND e.visitor_id IS NOT NULL AND e.visitor_id <> s.visitor_id AND e.created_at >= :since
GROUP BY s.visitor_id;

-- name: cards_radar_visitors
-- Who the visitors are: the name they gave or their contact's, the company, the share they
-- first came through.
SELECT v.visitor_id, coalesce(v.name, ct.name) AS name, coalesce(v.company, a.name) AS company,
       v.contact_id, v.openid IS NOT NULL AS in_miniapp, coalesce(a.tier_override, a.tier) AS tier,
       (SELECT e.share_id FROM card_events e
        WHERE e.tenant_id = v.tenant_id AND e.visitor_id = v.visitor_id AND e.rep_id = :rep_id AND e.kind = 'view'
        ORDER BY e.created_at, e.event_id LIMIT 1) AS first_share_id
FROM card_visitors v
LEFT JOIN contacts ct ON ct.tenant_id = v.tenant_id AND ct.contact_id = v.contact_id
LEFT JOIN accounts a ON a.tenant_id = ct.tenant_id AND a.account_id = ct.account_id
WHERE v.tenant_id = :tenant_id AND v.visitor_id = any(:visitor_ids::bigint[]);

-- name: cards_visitor_recent_events
SELECT e.event_id, e.kind, e.dwell_seconds, e.share_id, e.detail, e.created_at
FROM card_events e
WHERE e.tenant_id = :tenant_id AND e.rep_id = :rep_id AND e.visitor_id = :visitor_id
ORDER BY e.created_at DESC, e.event_id DESC
LIMIT :limit;

-- name: cards_forwarded_to
-- The visitors who opened the card through shares :visitor_id forwarded.
SELECT DISTINCT ON (e.visitor_id) e.visitor_id, coalesce(v.name, ct.name) AS name, s.depth
FROM card_shares s
JOIN card_events e ON e.tenant_id = s.tenant_id AND e.rep_id = :rep_id AND e.share_id = s.share_id AND e.kind = 'view'
JOIN card_visitors v ON v.tenant_id = e.tenant_id AND v.visitor_id = e.visitor_id
LEFT JOIN contacts ct ON ct.tenant_id = v.tenant_id AND ct.contact_id = v.contact_id
WHERE s.tenant_id = :tenant_id AND s.card_id = :card_id AND s.visitor_id = :visitor_id
  AND e.visitor_id <> :visitor_id
ORDER BY e.visitor_id;

-- name: miniapp_funnel
-- Deals per stage (count, amount, weighted amount) for one owner, a team, or the tenant.
SELECT s.key AS stage, s.name_zh, s.position, s.probability::float8 AS probability,
       count(d.deal_id) AS deals, coalesce(sum(d.amount), 0)::bigint AS amount,
       coalesce(sum(d.amount * s.probability), 0)::float8 AS weighted
FROM pipeline_stages s
LEFT JOIN (deals d JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id)
       ON d.tenant_id = s.tenant_id AND d.stage = s.key
      AND (:owner_id::bigint IS NULL OR d.owner_id = :owner_id::bigint)
      AND (:team_id::bigint IS NULL OR u.team_id = :team_id::bigint)
      AND (:everyone::bool OR :owner_id::bigint IS NOT NULL OR :team_id::bigint IS NOT NULL)
WHERE s.tenant_id = :tenant_id
GROUP BY s.key, s.name_zh, s.position, s.probability
ORDER BY s.position, s.key;

-- name: miniapp_stalled
-- Open deals over their stage's SLA in a team (or the tenant), the furthest over first.
SELECT d.deal_id, d.title, a.name AS company, d.stage, s.name_zh AS stage_name, d.amount,
       d.owner_id, u.name AS owner, d.stage_entered_at, d.last_activity_at, s.sla_days,
       extract(epoch FROM (:now - d.stage_entered_at)) / 86400.0 AS days_in_stage
FROM deals d
JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
WHERE d.tenant_id = :tenant_id AND d.stage NOT IN ('won', 'paid', 'lost')
  AND (:team_id::bigint IS NULL OR u.team_id = :team_id::bigint)
  AND s.sla_days IS NOT NULL
  AND d.stage_entered_at < :now - make_interval(days => s.sla_days)
ORDER BY extract(epoch FROM (:now - d.stage_entered_at)) / 86400.0 / s.sla_days DESC, d.deal_id
LIMIT :limit;

-- name: miniapp_team_reps
-- Per member of a team (or the tenant): open deals and pipeline, activities, stage moves and
-- card views since :since, and the last activity.
SELECT u.user_id, u.name, u.role,
       (SELECT count(*) FROM deals d WHERE d.tenant_id = u.tenant_id AND d.owner_id = u.user_id
            AND d.stage NOT IN ('won', 'paid', 'lost')) AS open_deals,
       (SELECT coalesce(sum(d.amount), 0) FROM deals d WHERE d.tenant_id = u.tenant_id AND d.owner_id = u.user_id
            AND d.stage NOT IN ('won', 'paid', 'lost'))::bigint AS pipeline_amount,
       (SELECT count(*) FROM activities a WHERE a.tenant_id = u.tenant_id AND a.user_id = u.user_id
            AND a.created_at >= :since) AS activities,
       (SELECT count(*) FROM deal_stage_history h WHERE h.tenant_id = u.tenant_id AND h.changed_by = u.user_id
            AND h.changed_at >= :since AND h.from_stage IS NOT NULL) AS stage_moves,
       (SELECT count(*) FROM card_events e WHERE e.tenant_id = u.tenant_id AND e.rep_id = u.user_id
            AND e.kind = 'view' AND e.created_at >= :since) AS card_views,
       (SELECT max(a.created_at) FROM activities a WHERE a.tenant_id = u.tenant_id AND a.user_id = u.user_id)
            AS last_activity_at
FROM users u
WHERE u.tenant_id = :tenant_id AND u.active AND (:team_id::bigint IS NULL OR u.team_id = :team_id::bigint)
ORDER BY u.name, u.user_id;

-- name: cards_share_forwarders
-- Who forwarded each of these shares (NULL visitor: the rep's root share).
SELECT s.share_id, s.visitor_id, coalesce(v.name, ct.name) AS name
FROM card_shares s
LEFT JOIN card_visitors v ON v.tenant_id = s.tenant_id AND v.visitor_id = s.visitor_id
LEFT JOIN contacts ct ON ct.tenant_id = v.tenant_id AND ct.contact_id = v.contact_id
WHERE s.tenant_id = :tenant_id AND s.share_id = any(:share_ids::bigint[]);

-- name: cards_contact_account^
-- The contact already known by this phone or e-mail, with their company.
SELECT c.contact_id, c.account_id, a.name AS company
FROM contacts c LEFT JOIN accounts a ON a.tenant_id = c.tenant_id AND a.account_id = c.account_id
WHERE c.tenant_id = :tenant_id
  AND ((:phone::text IS NOT NULL AND c.phone = :phone) OR (:email::text IS NOT NULL AND lower(c.email) = lower(:email)))
ORDER BY (c.phone = :phone) DESC NULLS LAST
LIMIT 1;

-- name: cards_sessions_prune!
-- Forget sessions that expired or were revoked more than :keep ago (a bounded batch).
DELETE FROM miniapp_sessions
WHERE (tenant_id, session_id) IN (
    SELECT tenant_id, session_id FROM miniapp_sessions
    WHERE expires_at < :before OR revoked_at < :before
    LIMIT :batch
);

-- name: rate_hit
-- Count one hit on each key (this window, shard 0: exact, the row lock orders concurrent hits)
-- and return each key's hits in this window (other shards' committed hits added) and the
-- previous one. Keys come sorted, so concurrent statements lock rows in one order.
WITH k AS (
    SELECT * FROM unnest(:keys::text[], :wins::bigint[], :expires::timestamptz[]) AS k(key, win, expires_at)
), up AS (
    INSERT INTO rate_counters AS r (tenant_id, key, win, shard, hits, expires_at)
    SELECT :tenant_id, key, win, 0, 1, expires_at FROM k
    ON CONFLICT (tenant_id, key, win, shard) DO UPDATE SET hits = r.hits + 1
    RETURNING r.key, r.win, r.hits
)
SELECT up.key,
       up.hits + coalesce(sum(c.hits) FILTER (WHERE c.win = up.win AND c.shard <> 0), 0) AS hits,
       coalesce(sum(c.hits) FILTER (WHERE c.win = up.win - 1), 0) AS previous
FROM up LEFT JOIN rate_counters c
    ON c.tenant_id = :tenant_id AND c.key = up.key AND c.win IN (up.win, up.win - 1)
GROUP BY up.key, up.win, up.hits;

-- name: rate_prune$
WITH gone AS (DELETE FROM rate_counters WHERE expires_at < :now RETURNING 1)
SELECT count(*) FROM gone;

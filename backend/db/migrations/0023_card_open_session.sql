-- 0023 card opens: a mini-program session's open, in a leaner statement (cards_open_session in
-- backend/db/sql/cards.sql), with the session looked up behind a function.
--
-- The session check joins miniapp_sessions, card_visitors and users (is the customer one of the
-- tenant's reps?). On small tables (a new tenant; the benchmark's 200 sessions) PostgreSQL's
-- default random_page_cost of 4 makes a probe of the unique (tenant_id, token_hash) index look
-- dearer than reading the whole table, so the cached plan of the open scanned every session and
-- every visitor of the tenant and hashed them, on every open: about a fifth of the database's
-- time an open. The lookups here are point lookups by unique keys on pages that are in memory;
-- behind a function they are planned with the random_page_cost of a cached working set (1.1, as
-- for SSDs), for this function only (every other statement keeps the server's setting). The
-- answer is the same: the live, unrevoked session of this tenant with its visitor, the visitor's
-- contact, and the rep whose mini-program identity the session's openid is (none for a customer).
CREATE FUNCTION card_session(p_tenant bigint, p_token_hash text, p_now timestamptz)
RETURNS TABLE (visitor_id bigint, contact_id bigint, user_id bigint)
LANGUAGE sql STABLE ROWS 1 SET random_page_cost = 1.1 AS $$
    SELECT s.visitor_id, v.contact_id, u.user_id
    FROM miniapp_sessions s
    JOIN card_visitors v ON v.tenant_id = s.tenant_id AND v.visitor_id = s.visitor_id
    LEFT JOIN users u ON u.tenant_id = s.tenant_id AND u.miniapp_openid = s.openid AND u.active
    WHERE s.tenant_id = p_tenant AND s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > p_now
$$;

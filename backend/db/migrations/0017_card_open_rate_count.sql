-- 0017 card opens: the rate-limit counting of cards_open (backend/db/sql/cards.sql) moves into a
-- function. Inline, its unnest() of the :rl_* arrays gave the planner a cost that depends on the
-- parameters (no rows for NULL arrays, ten guessed for a generic plan), so PostgreSQL judged a
-- fresh plan cheaper than the cached one and planned the whole ten-CTE statement again on every
-- open (1.4-1.7 ms of PostgreSQL CPU an open, three times what running it costs). Behind a
-- function (one row, a fixed cost) the statement keeps one generic plan; the function's own
-- statements are plain and cached by PL/pgSQL. Same counting as before: every key's hit (the
-- process's batched hits, :rl_incs) added on a random shard, then every key's count in this window
-- and the previous one; NULL keys (an open the process counted locally) count nothing and pass.
CREATE FUNCTION card_rate_count(p_tenant bigint, p_keys text[], p_wins bigint[], p_expires timestamptz[],
                                p_amounts integer[], p_weights float8[], p_incs integer[], p_shard smallint)
RETURNS TABLE (ok boolean, keys text[], hits bigint[], previous bigint[])
LANGUAGE plpgsql ROWS 1 AS $$
#variable_conflict use_column
BEGIN
    IF p_keys IS NULL OR cardinality(p_keys) = 0 THEN
        RETURN QUERY SELECT true, NULL::text[], NULL::bigint[], NULL::bigint[];
        RETURN;
    END IF;
    -- A random shard per open: one IP's opens (a NAT, a load test) do not queue on one row.
    INSERT INTO rate_counters AS r (tenant_id, key, win, shard, hits, expires_at)
    SELECT p_tenant, k.key, k.win, p_shard, k.inc, k.expires_at
    FROM unnest(p_keys, p_wins, p_expires, p_incs) AS k(key, win, expires_at, inc)
    ON CONFLICT (tenant_id, key, win, shard) DO UPDATE SET hits = r.hits + excluded.hits;
    -- What every process committed, this open's hits included (a new snapshot sees them).
    RETURN QUERY
    SELECT coalesce(bool_and(x.previous * x.weight + x.hits <= x.amount), true),
           array_agg(x.key), array_agg(x.hits), array_agg(x.previous)
    FROM (
        SELECT k.key, k.amount, k.weight,
               coalesce(sum(c.hits) FILTER (WHERE c.win = k.win), 0)::bigint AS hits,
               coalesce(sum(c.hits) FILTER (WHERE c.win = k.win - 1), 0)::bigint AS previous
        FROM unnest(p_keys, p_wins, p_amounts, p_weights) AS k(key, win, amount, weight)
        LEFT JOIN rate_counters c ON c.tenant_id = p_tenant AND c.key = k.key AND c.win IN (k.win, k.win - 1)
        GROUP BY k.key, k.win, k.amount, k.weight
    ) x;
END
$$;

-- The forward recorded when a link minted inside WeChat is first opened by someone else (migration
-- 0014), behind a function too: cards_open calls it only for such a share (a child share not
-- forwarded yet, opened by another visitor), so the statement no longer carries an UPDATE of
-- card_shares and a second INSERT into card_events that every other open paid to set up. The
-- UPDATE checks again under the row's lock: two concurrent opens record one forward.
CREATE FUNCTION card_forward_on_open(p_tenant bigint, p_share_id bigint, p_rep_id bigint, p_viewer bigint,
                                     p_now timestamptz)
RETURNS TABLE (visitor_id bigint, contact_id bigint)
LANGUAGE plpgsql ROWS 1 AS $$
#variable_conflict use_column
DECLARE
    v_visitor bigint;
    v_parent bigint;
    v_contact bigint;
BEGIN
    UPDATE card_shares s SET forwarded_at = p_now
    WHERE s.tenant_id = p_tenant AND s.share_id = p_share_id
      AND s.parent_share_id IS NOT NULL AND s.forwarded_at IS NULL AND s.visitor_id IS DISTINCT FROM p_viewer
    RETURNING s.visitor_id, s.parent_share_id INTO v_visitor, v_parent;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT v.contact_id INTO v_contact FROM card_visitors v WHERE v.tenant_id = p_tenant AND v.visitor_id = v_visitor;
    INSERT INTO card_events (tenant_id, rep_id, visitor_id, contact_id, kind, share_id, detail, created_at)
    VALUES (p_tenant, p_rep_id, v_visitor, v_contact, 'forward', p_share_id,
            jsonb_build_object('parent_share_id', v_parent), p_now);
    RETURN QUERY SELECT v_visitor, v_contact;
END
$$;

-- 0024 the nudge scan renders its cards in SQL (issue 12).
--
-- The scan used to return every recorded nudge to Python, render the cards there and send them
-- back as JSON text to be parsed into jsonb: about a third of a pass's CPU. These functions say in
-- SQL exactly what backend/services/nudges/messages.py says (clip, money, days_between, ago,
-- micros, the activity names); nudge_scan builds each card with them and writes the outbox in
-- the same statement. tests/integration/test_nudges_render_sql.py checks that the cards and
-- summary lines written this way equal messages.py's, payload for payload and key for key.
-- Plain SQL functions of one expression, so PostgreSQL inlines them into the scan (for that, those
-- that use to_char or extract on a timestamptz, which are STABLE, are declared STABLE too).

-- Python's str.strip() whitespace, then newlines as spaces, then at most ``n`` characters (the
-- last one an ellipsis when cut): messages.clip.
CREATE FUNCTION nudge_clip(t text, n int) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN length(replace(btrim(coalesce(t, ''), E'\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000'), E'\n', ' ')) <= n
    THEN replace(btrim(coalesce(t, ''), E'\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000'), E'\n', ' ')
    ELSE left(replace(btrim(coalesce(t, ''), E'\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000'), E'\n', ' '), n - 1) || '…'
END
$$;

-- Python's format(x, '.4g') for x >= 1 (to_char rounds the double as printf does, like Python).
CREATE FUNCTION nudge_g4(x float8) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN length(split_part(to_char(x, CASE WHEN x < 10 THEN 'FM990.000' WHEN x < 100 THEN 'FM9990.00'
                                           WHEN x < 1000 THEN 'FM99990.0' ELSE 'FM99999999999999990' END), '.', 1)) > 4
    THEN regexp_replace(btrim(to_char(x, '9.999EEEE')), '\.?0+e', 'e')
    WHEN x < 1000
    THEN rtrim(rtrim(to_char(x, CASE WHEN x < 10 THEN 'FM990.000' WHEN x < 100 THEN 'FM9990.00' ELSE 'FM99990.0' END), '0'), '.')
    ELSE to_char(x, 'FM99999999999999990')
END
$$;

-- messages.money: 500000 → 50万, 120000000 → 1.2亿, 8000 → 8000元 (the quotient rounded once, as
-- Python's int / int is).
CREATE FUNCTION nudge_money(a bigint) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN a IS NULL THEN '未填金额'
    WHEN a >= 100000000 THEN nudge_g4((a::numeric / 100000000)::float8) || '亿'
    WHEN a >= 10000 THEN nudge_g4((a::numeric / 10000)::float8) || '万'
    ELSE a::text || '元'
END
$$;

-- messages.days_between: whole days elapsed, never negative (the seconds as a double, as
-- timedelta.total_seconds() gives them).
CREATE FUNCTION nudge_days(later timestamptz, earlier timestamptz) RETURNS int LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT greatest(floor((extract(epoch FROM later) - extract(epoch FROM earlier))::float8 / 86400), 0)::int
$$;

-- messages.ago
CREATE FUNCTION nudge_ago(now timestamptz, at timestamptz) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT CASE WHEN at IS NULL THEN '无记录' WHEN nudge_days(now, at) = 0 THEN '今天' WHEN nudge_days(now, at) = 1 THEN '昨天'
            ELSE nudge_days(now, at) || '天前' END
$$;

-- messages.micros: microseconds since the epoch, exactly.
CREATE FUNCTION nudge_micros(at timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT (extract(epoch FROM at) * 1000000)::bigint
$$;

-- messages.ACTIVITY_ZH
CREATE FUNCTION nudge_activity_zh(kind text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE kind WHEN 'visit' THEN '拜访' WHEN 'call' THEN '电话' WHEN 'note' THEN '备注' WHEN 'meeting' THEN '会议'
                 WHEN 'email' THEN '邮件' WHEN 'followup' THEN '跟进' ELSE kind END
$$;

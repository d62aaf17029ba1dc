-- Tenants, their admin tokens, teams, users and pipeline stages.

-- name: tenant_insert<!
INSERT INTO tenants (slug, name, timezone, wecom, miniapp, mp, aibot, digest_time, quiet_start, quiet_end)
VALUES (:slug, :name, :timezone, :wecom, :miniapp, :mp, :aibot, :digest_time::text::time, :quiet_start::text::time, :quiet_end::text::time)
RETURNING tenant_id;

-- name: tenant_by_slug^
SELECT tenant_id, slug, name, timezone, wecom, miniapp, mp, aibot,
       to_char(digest_time, 'HH24:MI') AS digest_time,
       to_char(quiet_start, 'HH24:MI') AS quiet_start,
       to_char(quiet_end, 'HH24:MI') AS quiet_end, created_at, config_version
FROM tenants WHERE slug = :slug;

-- name: tenant_by_id^
SELECT tenant_id, slug, name, timezone, wecom, miniapp, mp, aibot,
       to_char(digest_time, 'HH24:MI') AS digest_time,
       to_char(quiet_start, 'HH24:MI') AS quiet_start,
       to_char(quiet_end, 'HH24:MI') AS quiet_end, created_at
FROM tenants WHERE tenant_id = :tenant_id;

-- name: tenant_list
SELECT tenant_id, slug, name, timezone, wecom, miniapp, mp, aibot,
       to_char(digest_time, 'HH24:MI') AS digest_time,
       to_char(quiet_start, 'HH24:MI') AS quiet_start,
       to_char(quiet_end, 'HH24:MI') AS quiet_end, created_at
FROM tenants
WHERE (:only_tenant_id::bigint IS NULL OR tenant_id = :only_tenant_id)
ORDER BY tenant_id;

-- name: tenant_update!
UPDATE tenants SET
    name = coalesce(:name, name),
    timezone = coalesce(:timezone, timezone),
    wecom = coalesce(:wecom, wecom),
    miniapp = coalesce(:miniapp, miniapp),
    mp = coalesce(:mp, mp),
    aibot = aibot || coalesce(:aibot::jsonb, '{}'::jsonb),
    digest_time = coalesce(:digest_time::text::time, digest_time),
    quiet_start = coalesce(:quiet_start::text::time, quiet_start),
    quiet_end = coalesce(:quiet_end::text::time, quiet_end)
WHERE tenant_id = :tenant_id;

-- name: api_token_insert<!
INSERT INTO api_tokens (tenant_id, token_hash, label) VALUES (:tenant_id, :token_hash, :label)
RETURNING token_id;

-- name: api_token_tenant$
SELECT tenant_id FROM api_tokens WHERE token_hash = :token_hash AND revoked_at IS NULL;

-- name: stage_insert!
INSERT INTO pipeline_stages (tenant_id, key, name_zh, aliases, sla_days, probability, position)
VALUES (:tenant_id, :key, :name_zh, :aliases, :sla_days, :probability, :position);

-- name: stage_list
SELECT key, name_zh, aliases, sla_days, probability::float8 AS probability, position
FROM pipeline_stages WHERE tenant_id = :tenant_id ORDER BY position, key;

-- name: stage_update!
UPDATE pipeline_stages SET
    name_zh = coalesce(:name_zh, name_zh),
    aliases = coalesce(:aliases, aliases),
    sla_days = CASE WHEN :set_sla::bool THEN :sla_days ELSE sla_days END,
    probability = coalesce(:probability, probability),
    position = coalesce(:position, position)
WHERE tenant_id = :tenant_id AND key = :key;

-- name: team_insert<!
INSERT INTO teams (tenant_id, name) VALUES (:tenant_id, :name)
ON CONFLICT (tenant_id, name) DO UPDATE SET name = excluded.name
RETURNING team_id, name, created_at;

-- name: team_list
SELECT team_id, name, created_at FROM teams WHERE tenant_id = :tenant_id ORDER BY team_id;

-- name: user_insert<!
INSERT INTO users (tenant_id, name, role, team_id, wecom_userid, phone, email, lang)
VALUES (:tenant_id, :name, :role, :team_id, :wecom_userid, :phone, :email, :lang)
RETURNING user_id;

-- name: user_get^
SELECT u.user_id, u.name, u.role, u.team_id, t.name AS team, u.wecom_userid, u.miniapp_openid,
       u.phone, u.email, u.lang, u.active, u.created_at
FROM users u LEFT JOIN teams t ON t.tenant_id = u.tenant_id AND t.team_id = u.team_id
WHERE u.tenant_id = :tenant_id AND u.user_id = :user_id;

-- name: user_list
SELECT u.user_id, u.name, u.role, u.team_id, t.name AS team, u.wecom_userid, u.miniapp_openid,
       u.phone, u.email, u.lang, u.active, u.created_at
FROM users u LEFT JOIN teams t ON t.tenant_id = u.tenant_id AND t.team_id = u.team_id
WHERE u.tenant_id = :tenant_id ORDER BY u.user_id;

-- name: user_by_wecom^
SELECT user_id, name, role, team_id, lang, wecom_userid FROM users
WHERE tenant_id = :tenant_id AND wecom_userid = :wecom_userid AND active;

-- name: user_by_openid^
SELECT user_id, name, role, team_id, lang, wecom_userid FROM users
WHERE tenant_id = :tenant_id AND miniapp_openid = :openid AND active;

-- name: user_actor^
SELECT user_id, name, role, team_id, lang, wecom_userid FROM users
WHERE tenant_id = :tenant_id AND user_id = :user_id AND active;

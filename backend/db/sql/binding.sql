-- One-time codes that bind a rep's mini-program openid (the bot hands them out: 绑定).

-- name: bind_code_insert!
INSERT INTO bind_codes (tenant_id, code, user_id, expires_at) VALUES (:tenant_id, :code, :user_id, :expires_at)
ON CONFLICT (tenant_id, code) DO UPDATE
    SET user_id = excluded.user_id, expires_at = excluded.expires_at, used_at = NULL
    WHERE bind_codes.used_at IS NOT NULL OR bind_codes.expires_at < :now;

-- name: bind_code_owner$
SELECT user_id FROM bind_codes WHERE tenant_id = :tenant_id AND code = :code;

-- name: bind_code_take$
UPDATE bind_codes SET used_at = :now
WHERE tenant_id = :tenant_id AND code = :code AND used_at IS NULL AND expires_at > :now
RETURNING user_id;

-- name: bind_user_openid!
UPDATE users SET miniapp_openid = :openid WHERE tenant_id = :tenant_id AND user_id = :user_id;

-- name: unbind_openid!
UPDATE users SET miniapp_openid = NULL WHERE tenant_id = :tenant_id AND miniapp_openid = :openid AND user_id <> :user_id;

-- name: bind_code_revoke_others!
-- A new code revokes the rep's older unused ones: at most one live code per rep.
DELETE FROM bind_codes
WHERE tenant_id = :tenant_id AND user_id = :user_id AND used_at IS NULL AND code <> :code;

-- name: user_miniapp_openid$
SELECT miniapp_openid FROM users WHERE tenant_id = :tenant_id AND user_id = :user_id;

-- name: sessions_revoke_openid!
UPDATE miniapp_sessions SET revoked_at = :now
WHERE tenant_id = :tenant_id AND openid = :openid AND revoked_at IS NULL;

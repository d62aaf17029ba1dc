-- bot_message_begin (migration 0011) also reads the rep's pool_chat row (the pool's list shown and
-- the 保留 waiting for a reason, as pool_chat_get reads it), after the rep's lock: every message asks
-- whether a 保留 waits (bot.commands.respond), and that read is answered from this round trip.
-- pool_found tells "no row" from a row of NULLs. The return type changes, hence DROP + CREATE (same
-- arguments, so Citus' create_distributed_function signature in backend/db/citus.py still holds).
DROP FUNCTION bot_message_begin(bigint, text, text, text, timestamptz);

CREATE FUNCTION bot_message_begin(p_tenant_id bigint, p_channel text, p_sender text, p_msg_key text,
                                  p_now timestamptz)
RETURNS TABLE (config_version bigint, user_id bigint, name text, role text, team_id bigint, lang text,
               wecom_userid text, claimed boolean, reply text,
               pending_kind text, pending_parsed jsonb, pending_options bigint[], pending_lang text,
               pending_created_at timestamptz, pending_expires_at timestamptz,
               pool_found boolean, pool_listed bigint[], pool_listed_at timestamptz, pool_keep_deal_id bigint,
               pool_keep_until timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    v_user users%ROWTYPE;
    v_key text;
BEGIN
    SELECT t.config_version INTO config_version FROM tenants t WHERE t.tenant_id = p_tenant_id;
    IF p_channel = 'mp' THEN
        SELECT u.* INTO v_user FROM bot_mp_identities m
        JOIN users u ON u.tenant_id = m.tenant_id AND u.user_id = m.user_id AND u.active
        WHERE m.tenant_id = p_tenant_id AND m.openid = p_sender;
    ELSE
        SELECT u.* INTO v_user FROM users u
        WHERE u.tenant_id = p_tenant_id AND u.wecom_userid = p_sender AND u.active;
    END IF;
    IF v_user.user_id IS NULL THEN
        RETURN NEXT;
        RETURN;
    END IF;
    user_id := v_user.user_id; name := v_user.name; role := v_user.role; team_id := v_user.team_id;
    lang := v_user.lang; wecom_userid := v_user.wecom_userid;
    PERFORM pg_advisory_xact_lock(hashtextextended(format('tuoke.bot:%s:%s', p_tenant_id, v_user.user_id), 0));
    INSERT INTO inbound_messages AS i (tenant_id, channel, msg_key, received_at)
    VALUES (p_tenant_id, p_channel, p_msg_key, p_now)
    ON CONFLICT (tenant_id, channel, msg_key) DO NOTHING
    RETURNING i.msg_key INTO v_key;
    claimed := v_key IS NOT NULL;
    IF NOT claimed THEN
        SELECT i.reply INTO reply FROM inbound_messages i
        WHERE i.tenant_id = p_tenant_id AND i.channel = p_channel AND i.msg_key = p_msg_key;
        RETURN NEXT;
        RETURN;
    END IF;
    SELECT b.kind, b.parsed, b.options, b.lang, b.created_at, b.expires_at
    INTO pending_kind, pending_parsed, pending_options, pending_lang, pending_created_at, pending_expires_at
    FROM bot_pending b WHERE b.tenant_id = p_tenant_id AND b.user_id = v_user.user_id AND b.expires_at > p_now;
    SELECT true, c.listed, c.listed_at, c.keep_deal_id, c.keep_until
    INTO pool_found, pool_listed, pool_listed_at, pool_keep_deal_id, pool_keep_until
    FROM pool_chat c WHERE c.tenant_id = p_tenant_id AND c.user_id = v_user.user_id;
    pool_found := coalesce(pool_found, false);
    RETURN NEXT;
END $$;

-- 0011 perf: per-tenant configuration cached in each process, and one round trip to start a message.
--
-- tenants.config_version is bumped by a trigger whenever the tenant row or one of its pipeline
-- stages changes (admin API, CLI, plain SQL alike), so a process that caches a tenant's
-- configuration and stages checks them with one integer it reads anyway (bot_message_begin).

ALTER TABLE tenants ADD COLUMN config_version bigint NOT NULL DEFAULT 1;

CREATE FUNCTION tuoke_tenant_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.config_version = OLD.config_version AND NEW IS DISTINCT FROM OLD THEN
        NEW.config_version := OLD.config_version + 1;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER tenants_config_version BEFORE UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION tuoke_tenant_version_bump();

CREATE FUNCTION tuoke_stage_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tenants SET config_version = config_version + 1
    WHERE tenant_id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END);
    RETURN NULL;
END $$;

CREATE TRIGGER pipeline_stages_config_version AFTER INSERT OR UPDATE OR DELETE ON pipeline_stages
    FOR EACH ROW EXECUTE FUNCTION tuoke_stage_version_bump();

-- Start handling one callback message, in the caller's transaction, in one round trip:
--   1. the sender (a WeChat Work userid, or an Official Account openid bound to a rep), active;
--   2. the rep's advisory lock (one message of a rep at a time, as bot_user_lock);
--   3. the message key claimed (a retry of a committed message finds it taken: its stored reply
--      comes back instead);
--   4. the tenant's config_version, for the process's cached configuration;
--   5. the rep's open question (bot_pending, as bot_pending_get reads it), read after the lock.
-- Each statement inside takes a fresh snapshot (READ COMMITTED), so the claim and everything the
-- caller reads afterwards see what the rep's previous message committed. An unknown sender gets
-- the version and no user, and nothing is written.
CREATE FUNCTION bot_message_begin(p_tenant_id bigint, p_channel text, p_sender text, p_msg_key text,
                                  p_now timestamptz)
RETURNS TABLE (config_version bigint, user_id bigint, name text, role text, team_id bigint, lang text,
               wecom_userid text, claimed boolean, reply text,
               pending_kind text, pending_parsed jsonb, pending_options bigint[], pending_lang text,
               pending_created_at timestamptz, pending_expires_at timestamptz)
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
    RETURN NEXT;
END $$;

-- `tuoke digest preview` stores what it shows under its own kind, so its link opens (for a day)
-- without taking the day's real digest.
ALTER TABLE digests DROP CONSTRAINT digests_kind_check;
ALTER TABLE digests ADD CONSTRAINT digests_kind_check CHECK (kind IN ('daily', 'weekly', 'preview'));

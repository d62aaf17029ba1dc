-- Migration 0018 (issue 12): a deal's writes in one round trip each — deal_create_lead (a new lead)
-- and deal_move_stage (a stage move), with tuoke_isoformat for undo's snapshot.

-- A new lead in one round trip: deal_create_lead does what backend.services.deals.create_lead did
-- in six statements (the account upserted by its normalised name, the contact found by phone or
-- e-mail — else by name within the account — and filled in, or created, the deal, its first
-- history row, undo's change_log row, the deal read back), in the same order and with the same
-- rules (backend/services/accounts.py: find_or_create_contact). Values arrive normalised (company
-- key, phone digits, lower-case e-mail) and checked (the owner and the actor's right to give them
-- a lead); the Python caller still owns the transaction. Unique violations on a contact's phone or
-- e-mail are handled here as the savepoints of the Python version did: filling in an identifier
-- that belongs to another contact keeps both as they are; a contact inserted concurrently with
-- the same phone or e-mail is taken instead (an EXCEPTION block is a subtransaction, on the server).
-- Returns the deal as deal_get (backend/db/sql/deals.sql) reads it; a test compares the columns.
-- p_unless_duplicates: the bot's new lead, written only when it repeats no open deal (see below), so
-- that the duplicate check costs no round trip of its own when there is nothing to ask about.
CREATE FUNCTION deal_create_lead(
    p_tenant_id bigint, p_user_id bigint, p_owner_id bigint, p_company text, p_norm_name text,
    p_contact_name text, p_contact_title text, p_phone text, p_email text,
    p_title text, p_product text, p_amount bigint, p_expected_close date, p_next_step text, p_source text,
    p_undoable boolean, p_now timestamptz, p_unless_duplicates boolean)
RETURNS TABLE (deal_id bigint, title text, company text, contact_name text, contact_title text, phone text,
               email text, product text, stage text, amount bigint, owner_id bigint, owner text, source text,
               expected_close date, next_step text, lost_reason text, stage_entered_at timestamptz,
               last_activity_at timestamptz, created_at timestamptz, snoozed_until timestamptz,
               owner_team_id bigint, contact_id bigint, account_id bigint, tier text, pooled_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    v_account bigint;
    v_contact bigint;
    v_deal bigint;
    v_history bigint;
BEGIN
    -- The bot asks before a lead that may repeat an open deal (bot.confirm): with p_unless_duplicates
    -- nothing is written, and no row returned, when confirm_lead_duplicates (backend/db/sql/confirm.sql)
    -- would find one — the same conditions, on the same normalised values.
    IF p_unless_duplicates AND EXISTS (
        SELECT 1 FROM deals d
        WHERE d.tenant_id = p_tenant_id
          AND d.stage NOT IN ('won', 'paid', 'lost')
          AND (d.account_id IN (SELECT a.account_id FROM accounts a
                                WHERE a.tenant_id = p_tenant_id AND a.norm_name = p_norm_name)
               OR d.contact_id IN (SELECT c.contact_id FROM contacts c
                                   WHERE c.tenant_id = p_tenant_id
                                     AND ((p_phone IS NOT NULL AND c.phone = p_phone)
                                          OR (p_email IS NOT NULL AND lower(c.email) = p_email)))
               OR d.account_id IN (SELECT c.account_id FROM contacts c
                                   WHERE c.tenant_id = p_tenant_id AND c.account_id IS NOT NULL
                                     AND ((p_phone IS NOT NULL AND c.phone = p_phone)
                                          OR (p_email IS NOT NULL AND lower(c.email) = p_email))))
    ) THEN
        RETURN;
    END IF;

    INSERT INTO accounts AS a (tenant_id, name, norm_name) VALUES (p_tenant_id, p_company, p_norm_name)
    ON CONFLICT (tenant_id, norm_name) DO UPDATE SET norm_name = excluded.norm_name
    RETURNING a.account_id INTO v_account;

    IF nullif(p_contact_name, '') IS NOT NULL OR nullif(p_phone, '') IS NOT NULL OR nullif(p_email, '') IS NOT NULL THEN
        IF nullif(p_phone, '') IS NOT NULL OR nullif(p_email, '') IS NOT NULL THEN
            SELECT c.contact_id INTO v_contact FROM contacts c
            WHERE c.tenant_id = p_tenant_id
              AND ((p_phone IS NOT NULL AND c.phone = p_phone) OR (p_email IS NOT NULL AND lower(c.email) = lower(p_email)))
            ORDER BY (c.phone = p_phone) DESC NULLS LAST
            LIMIT 1;
        ELSE
            SELECT c.contact_id INTO v_contact FROM contacts c
            WHERE c.tenant_id = p_tenant_id AND c.account_id = v_account AND c.name = p_contact_name
            LIMIT 1;
        END IF;
        IF v_contact IS NOT NULL THEN
            BEGIN
                UPDATE contacts c SET
                    account_id = coalesce(c.account_id, v_account),
                    name = coalesce(c.name, p_contact_name),
                    title = coalesce(c.title, p_contact_title),
                    phone = coalesce(c.phone, p_phone),
                    email = coalesce(c.email, p_email)
                WHERE c.tenant_id = p_tenant_id AND c.contact_id = v_contact;
            EXCEPTION WHEN unique_violation THEN
                NULL;  -- the other identifier belongs to another contact already: keep both as they are
            END;
        ELSE
            BEGIN
                INSERT INTO contacts AS c (tenant_id, account_id, name, title, phone, email)
                VALUES (p_tenant_id, v_account, p_contact_name, p_contact_title, p_phone, p_email)
                RETURNING c.contact_id INTO v_contact;
            EXCEPTION WHEN unique_violation THEN  -- a concurrent insert of the same phone / e-mail won
                SELECT c.contact_id INTO v_contact FROM contacts c
                WHERE c.tenant_id = p_tenant_id
                  AND ((p_phone IS NOT NULL AND c.phone = p_phone) OR (p_email IS NOT NULL AND lower(c.email) = lower(p_email)))
                ORDER BY (c.phone = p_phone) DESC NULLS LAST
                LIMIT 1;
            END;
        END IF;
    END IF;

    INSERT INTO deals AS d (tenant_id, title, owner_id, account_id, contact_id, product, amount,
                            expected_close, next_step, source, stage, stage_entered_at, last_activity_at,
                            created_at, updated_at)
    VALUES (p_tenant_id, p_title, p_owner_id, v_account, v_contact, p_product, p_amount,
            p_expected_close, p_next_step, p_source, 'lead', p_now, p_now, p_now, p_now)
    RETURNING d.deal_id INTO v_deal;

    INSERT INTO deal_stage_history AS h (tenant_id, deal_id, from_stage, to_stage, amount, reason, changed_by, changed_at)
    VALUES (p_tenant_id, v_deal, NULL, 'lead', p_amount, NULL, p_user_id, p_now)
    RETURNING h.history_id INTO v_history;
    IF p_undoable THEN
        INSERT INTO change_log (tenant_id, user_id, op, deal_id, data, created_at)
        VALUES (p_tenant_id, p_user_id, 'create_lead', v_deal, '{}'::jsonb, p_now);
    END IF;

    RETURN QUERY
    SELECT d.deal_id, d.title, a.name, c.name, c.title, c.phone, c.email, d.product, d.stage, d.amount,
           d.owner_id, u.name, d.source, d.expected_close, d.next_step, d.lost_reason, d.stage_entered_at,
           d.last_activity_at, d.created_at, d.snoozed_until, u.team_id, d.contact_id, d.account_id,
           coalesce(a.tier_override, a.tier), d.pooled_at
    FROM deals d
    LEFT JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
    LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
    LEFT JOIN contacts c ON c.tenant_id = d.tenant_id AND c.contact_id = d.contact_id
    WHERE d.tenant_id = p_tenant_id AND d.deal_id = v_deal;
END $$;

-- A timestamp as Python's datetime.isoformat() writes one that asyncpg read (UTC, "+00:00",
-- microseconds only when there are any): undo's records keep the Python format, whoever writes them.
CREATE FUNCTION tuoke_isoformat(p_ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT to_char(p_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
           || CASE WHEN date_part('microseconds', p_ts)::bigint % 1000000 <> 0
                   THEN to_char(p_ts AT TIME ZONE 'UTC', '.US') ELSE '' END
           || '+00:00'
$$;

-- A stage move in one round trip: deal_move_stage does what backend.services.deals.move_stage did
-- in a locking read and a write — lock the deal (a pooled deal, without an owner, is not found),
-- check the actor may touch it (backend/services/access.py: can_touch_deal, the rule the scoped
-- queries also state), keep undo's snapshot of it (deals._snapshot), set the stage, amount and lost
-- reason by the won / lost / same-stage rules, write the history row when the stage changes and
-- undo's change_log row, and read the deal back as deal_get does. outcome: 'moved', or
-- 'not_found' / 'forbidden' with nothing written (the caller raises NotFound / Forbidden).
CREATE FUNCTION deal_move_stage(
    p_tenant_id bigint, p_deal_id bigint, p_stage text, p_amount bigint, p_reason text,
    p_user_id bigint, p_role text, p_team_id bigint, p_now timestamptz)
RETURNS TABLE (outcome text, deal_id bigint, title text, company text, contact_name text, contact_title text,
               phone text, email text, product text, stage text, amount bigint, owner_id bigint, owner text,
               source text, expected_close date, next_step text, lost_reason text, stage_entered_at timestamptz,
               last_activity_at timestamptz, created_at timestamptz, snoozed_until timestamptz,
               owner_team_id bigint, contact_id bigint, account_id bigint, tier text, pooled_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    v record;
    v_before jsonb;
    v_amount bigint;
    v_history bigint;
BEGIN
    SELECT d.*, u.team_id AS owner_team INTO v
    FROM deals d JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
    WHERE d.tenant_id = p_tenant_id AND d.deal_id = p_deal_id
    FOR UPDATE OF d;
    IF NOT FOUND THEN
        outcome := 'not_found';
        RETURN NEXT;
        RETURN;
    END IF;
    IF NOT (p_role = 'admin' OR v.owner_id = p_user_id
            OR (p_role = 'manager' AND p_team_id IS NOT NULL AND v.owner_team = p_team_id)) THEN
        outcome := 'forbidden';
        RETURN NEXT;
        RETURN;
    END IF;
    v_before := jsonb_build_object(
        'stage', v.stage, 'stage_entered_at', tuoke_isoformat(v.stage_entered_at), 'amount', v.amount,
        'lost_reason', v.lost_reason, 'next_step', v.next_step,
        'expected_close', to_char(v.expected_close, 'YYYY-MM-DD'), 'product', v.product,
        'last_activity_at', tuoke_isoformat(v.last_activity_at), 'snoozed_until', tuoke_isoformat(v.snoozed_until));
    v_amount := coalesce(p_amount, v.amount);
    UPDATE deals d SET
        stage = p_stage,
        stage_entered_at = CASE WHEN p_stage = v.stage THEN v.stage_entered_at ELSE p_now END,
        amount = v_amount,
        lost_reason = CASE WHEN p_stage = 'lost' THEN p_reason
                           WHEN v.stage = 'lost' THEN NULL ELSE v.lost_reason END,
        snoozed_until = NULL, updated_at = p_now, last_activity_at = greatest(d.last_activity_at, p_now)
    WHERE d.tenant_id = p_tenant_id AND d.deal_id = p_deal_id;
    IF p_stage <> v.stage THEN
        INSERT INTO deal_stage_history AS h (tenant_id, deal_id, from_stage, to_stage, amount, reason, changed_by, changed_at)
        VALUES (p_tenant_id, p_deal_id, v.stage, p_stage, v_amount, p_reason, p_user_id, p_now)
        RETURNING h.history_id INTO v_history;
    END IF;
    INSERT INTO change_log (tenant_id, user_id, op, deal_id, data, created_at)
    VALUES (p_tenant_id, p_user_id, 'move_stage', p_deal_id,
            jsonb_build_object('before', v_before, 'history_id', v_history), p_now);

    RETURN QUERY
    SELECT 'moved', d.deal_id, d.title, a.name, c.name, c.title, c.phone, c.email, d.product, d.stage, d.amount,
           d.owner_id, u.name, d.source, d.expected_close, d.next_step, d.lost_reason, d.stage_entered_at,
           d.last_activity_at, d.created_at, d.snoozed_until, u.team_id, d.contact_id, d.account_id,
           coalesce(a.tier_override, a.tier), d.pooled_at
    FROM deals d
    LEFT JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
    LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
    LEFT JOIN contacts c ON c.tenant_id = d.tenant_id AND c.contact_id = d.contact_id
    WHERE d.tenant_id = p_tenant_id AND d.deal_id = p_deal_id;
END $$;

-- Nudges: per-tenant rules, hot signals, the set-based scan and follow-up reminders.

-- name: nudge_rules_get$
SELECT rules FROM nudge_rules WHERE tenant_id = :tenant_id;

-- name: nudge_rules_put!
INSERT INTO nudge_rules (tenant_id, rules, updated_at) VALUES (:tenant_id, :rules, :now)
ON CONFLICT (tenant_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at;

-- name: nudge_rules_delete!
DELETE FROM nudge_rules WHERE tenant_id = :tenant_id;

-- name: nudge_hot_context^
-- What a hot-signal message says: the rep, the tenant's manners and rules, the deal (when one is
-- named and belongs to the rep's tenant) and what the contact did with the card today.
SELECT u.user_id, u.name AS rep_name, u.wecom_userid, u.active,
       t.timezone, to_char(t.quiet_start, 'HH24:MI') AS quiet_start, to_char(t.quiet_end, 'HH24:MI') AS quiet_end,
       r.rules,
       d.deal_id, d.title, d.amount, d.stage, d.stage_entered_at, s.name_zh AS stage_name, s.sla_days,
       a.name AS company, c.name AS contact_name,
       (SELECT count(*) FROM card_events e
         WHERE e.tenant_id = :tenant_id AND e.contact_id = :contact_id AND e.kind = 'view'
           AND e.created_at >= (date_trunc('day', :now::timestamptz AT TIME ZONE t.timezone) AT TIME ZONE t.timezone)
       ) AS views_today
FROM users u
JOIN tenants t ON t.tenant_id = u.tenant_id
LEFT JOIN nudge_rules r ON r.tenant_id = u.tenant_id
LEFT JOIN deals d ON d.tenant_id = u.tenant_id AND d.deal_id = :deal_id
LEFT JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.key = d.stage
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
LEFT JOIN contacts c ON c.tenant_id = u.tenant_id AND c.contact_id = coalesce(:contact_id, d.contact_id)
WHERE u.tenant_id = :tenant_id AND u.user_id = :rep_id;

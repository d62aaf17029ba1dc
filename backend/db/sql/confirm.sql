-- Confirm before a consequential write: what a new lead may duplicate.

-- name: confirm_lead_duplicates
-- Open deals (any owner in the tenant, pooled ones included) of the account with this normalised
-- name, or of a contact with this phone or e-mail (or that contact's account); the actor's own first.
WITH acc AS (
    SELECT account_id FROM accounts WHERE tenant_id = :tenant_id AND norm_name = :norm_name
), con AS (
    SELECT contact_id, account_id FROM contacts
    WHERE tenant_id = :tenant_id
      AND ((:phone::text IS NOT NULL AND phone = :phone) OR (:email::text IS NOT NULL AND lower(email) = :email))
)
SELECT d.deal_id, d.owner_id, u.name AS owner_name, d.stage, d.title, a.name AS company, d.product,
       coalesce(d.account_id IN (SELECT account_id FROM acc), false) AS same_company,
       coalesce(c.phone = :phone, false) AS same_phone,
       coalesce(lower(c.email) = :email, false) AS same_email
FROM deals d
LEFT JOIN users u ON u.tenant_id = d.tenant_id AND u.user_id = d.owner_id
LEFT JOIN accounts a ON a.tenant_id = d.tenant_id AND a.account_id = d.account_id
LEFT JOIN contacts c ON c.tenant_id = d.tenant_id AND c.contact_id = d.contact_id
WHERE d.tenant_id = :tenant_id
  AND d.stage NOT IN ('won', 'paid', 'lost')
  AND (d.account_id IN (SELECT account_id FROM acc)
       OR d.contact_id IN (SELECT contact_id FROM con)
       OR d.account_id IN (SELECT account_id FROM con WHERE account_id IS NOT NULL))
ORDER BY (d.owner_id IS NOT DISTINCT FROM :user_id) DESC, d.updated_at DESC, d.deal_id DESC
LIMIT 5;

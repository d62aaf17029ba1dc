-- 0002 engagement and binding: what customers do with reps' cards (written by miniapp_api,
-- read by nudges and digests), and the one-time codes that bind a rep's mini-program identity.

CREATE TABLE card_events (
    tenant_id        bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    event_id         bigint GENERATED ALWAYS AS IDENTITY,
    rep_id           bigint NOT NULL,           -- the card's owner
    visitor_id       bigint,                    -- the customer, when known (mini-program or H5 visitor)
    contact_id       bigint,                    -- the CRM contact, once the visitor is known as one
    kind             text NOT NULL CHECK (kind IN ('view', 'dwell', 'tap_phone', 'save_contact',
                                                   'view_product', 'forward', 'inquiry')),
    dwell_seconds    integer NOT NULL DEFAULT 0 CHECK (dwell_seconds >= 0),
    share_id         bigint,
    client_event_id  text,
    detail           jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, event_id),
    FOREIGN KEY (tenant_id, rep_id) REFERENCES users (tenant_id, user_id)
);
-- Idempotent client batches: one event per visitor and client event id.
CREATE UNIQUE INDEX card_events_client ON card_events (tenant_id, visitor_id, client_event_id)
    WHERE client_event_id IS NOT NULL;
CREATE INDEX card_events_contact ON card_events (tenant_id, contact_id, created_at) WHERE contact_id IS NOT NULL;
CREATE INDEX card_events_rep ON card_events (tenant_id, rep_id, created_at);

CREATE TABLE bind_codes (
    tenant_id   bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    code        text NOT NULL,
    user_id     bigint NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    PRIMARY KEY (tenant_id, code),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id)
);

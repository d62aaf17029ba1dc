-- 0006 cards: reps' digital business cards (名片), the shares that carry them (who forwarded to
-- whom), the customers who open them (visitors), mini-program sessions and inquiries.
-- What customers do with a card is recorded in card_events (0002), read by nudges and digests.

CREATE TABLE cards (
    tenant_id    bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    card_id      bigint GENERATED ALWAYS AS IDENTITY,
    user_id      bigint NOT NULL,                   -- the rep
    code         text NOT NULL,                     -- short public code: /c/{code}
    name         text NOT NULL,
    title        text NOT NULL DEFAULT '',
    company      text NOT NULL DEFAULT '',
    phone        text,
    email        text,
    wechat_id    text,
    avatar_url   text,
    bio          text NOT NULL DEFAULT '',
    products     jsonb NOT NULL DEFAULT '[]'::jsonb, -- [{title, summary, doc_id, image_url}]
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, card_id),
    UNIQUE (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id)
);
-- Public links carry no tenant, so the code is unique across tenants (a reference-table lookup
-- if the schema is ever distributed).
CREATE UNIQUE INDEX cards_code ON cards (code);

-- A customer as a card sees them: by mini-program openid (same openid, same tenant: same
-- customer) or, on the H5 page, by an anonymous browser key; linked to a CRM contact once known.
CREATE TABLE card_visitors (
    tenant_id    bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    visitor_id   bigint GENERATED ALWAYS AS IDENTITY,
    openid       text,
    anon_key     text,
    name         text,
    phone        text,
    company      text,
    contact_id   bigint,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, visitor_id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, contact_id) ON DELETE SET NULL (contact_id),
    CHECK (openid IS NOT NULL OR anon_key IS NOT NULL)
);
CREATE UNIQUE INDEX card_visitors_openid ON card_visitors (tenant_id, openid) WHERE openid IS NOT NULL;
CREATE UNIQUE INDEX card_visitors_anon ON card_visitors (tenant_id, anon_key) WHERE anon_key IS NOT NULL;
CREATE INDEX card_visitors_contact ON card_visitors (tenant_id, contact_id) WHERE contact_id IS NOT NULL;

-- Mini-program sessions: the token is shown once; only its hash is kept. A session is a
-- customer's; it is a rep's too while users.miniapp_openid is the session's openid.
CREATE TABLE miniapp_sessions (
    tenant_id    bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    session_id   bigint GENERATED ALWAYS AS IDENTITY,
    token_hash   text NOT NULL,
    openid       text NOT NULL,
    visitor_id   bigint NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    PRIMARY KEY (tenant_id, session_id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, visitor_id) REFERENCES card_visitors (tenant_id, visitor_id)
);
CREATE INDEX miniapp_sessions_openid ON miniapp_sessions (tenant_id, openid) WHERE revoked_at IS NULL;

-- Shares: the rep's root share of a card, and one child share per forwarding visitor and parent,
-- so that the chain rep → customer A → customer B is known.
CREATE TABLE card_shares (
    tenant_id        bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    share_id         bigint GENERATED ALWAYS AS IDENTITY,
    card_id          bigint NOT NULL,
    token            text NOT NULL,
    parent_share_id  bigint,
    visitor_id       bigint,                 -- who forwarded it; NULL for the rep's root share
    depth            integer NOT NULL DEFAULT 0 CHECK (depth >= 0),
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, share_id),
    UNIQUE (tenant_id, token),
    FOREIGN KEY (tenant_id, card_id) REFERENCES cards (tenant_id, card_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, parent_share_id) REFERENCES card_shares (tenant_id, share_id),
    FOREIGN KEY (tenant_id, visitor_id) REFERENCES card_visitors (tenant_id, visitor_id)
);
CREATE UNIQUE INDEX card_shares_root ON card_shares (tenant_id, card_id) WHERE parent_share_id IS NULL;
CREATE UNIQUE INDEX card_shares_forward ON card_shares (tenant_id, card_id, parent_share_id, visitor_id)
    WHERE parent_share_id IS NOT NULL;

CREATE TABLE card_inquiries (
    tenant_id    bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    inquiry_id   bigint GENERATED ALWAYS AS IDENTITY,
    card_id      bigint NOT NULL,
    rep_id       bigint NOT NULL,
    visitor_id   bigint NOT NULL,
    share_id     bigint,
    name         text NOT NULL,
    phone        text NOT NULL,
    company      text,
    email        text,
    message      text NOT NULL DEFAULT '',
    contact_id   bigint,
    deal_id      bigint,
    ip           text,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, inquiry_id),
    FOREIGN KEY (tenant_id, card_id) REFERENCES cards (tenant_id, card_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, visitor_id) REFERENCES card_visitors (tenant_id, visitor_id),
    FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, deal_id) ON DELETE SET NULL (deal_id)
);
-- The per-visitor / per-phone inquiry limits look back a day.
CREATE INDEX card_inquiries_visitor ON card_inquiries (tenant_id, visitor_id, created_at);
CREATE INDEX card_inquiries_phone ON card_inquiries (tenant_id, phone, created_at);

-- A visitor's events: the previous view (repeat visits), daily caps, linking to a contact.
CREATE INDEX card_events_visitor ON card_events (tenant_id, visitor_id, created_at) WHERE visitor_id IS NOT NULL;

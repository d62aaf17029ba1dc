-- 0001 core: tenants, people, the LTC domain, de-duplication of inbound messages, the outbox.
-- Every table carries tenant_id and every primary key starts with it (Citus-ready).

CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE tenants (
    tenant_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug            text NOT NULL UNIQUE,
    name            text NOT NULL,
    timezone        text NOT NULL DEFAULT 'Asia/Shanghai',
    wecom           jsonb NOT NULL DEFAULT '{}'::jsonb,   -- corp_id, agent_id, token, encoding_aes_key, secret
    miniapp         jsonb NOT NULL DEFAULT '{}'::jsonb,   -- appid, secret
    mp              jsonb NOT NULL DEFAULT '{}'::jsonb,   -- Official Account: appid, token, encoding_aes_key, secret
    digest_time     time NOT NULL DEFAULT '08:30',
    quiet_start     time NOT NULL DEFAULT '21:00',
    quiet_end       time NOT NULL DEFAULT '08:00',
    created_at      timestamptz NOT NULL DEFAULT now()
);
-- A tenant's wecom corp id is looked up by callbacks.
CREATE INDEX tenants_wecom_corp ON tenants ((wecom->>'corp_id'));

-- Tokens that administer one tenant only (the global TUOKE_ADMIN_TOKEN administers all).
CREATE TABLE api_tokens (
    tenant_id   bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    token_id    bigint GENERATED ALWAYS AS IDENTITY,
    token_hash  text NOT NULL UNIQUE,
    label       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    PRIMARY KEY (tenant_id, token_id)
);

CREATE TABLE teams (
    tenant_id   bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    team_id     bigint GENERATED ALWAYS AS IDENTITY,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, team_id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE users (
    tenant_id       bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    user_id         bigint GENERATED ALWAYS AS IDENTITY,
    name            text NOT NULL,
    role            text NOT NULL CHECK (role IN ('rep', 'manager', 'admin')),
    team_id         bigint,
    wecom_userid    text,
    miniapp_openid  text,
    phone           text,
    email           text,
    lang            text NOT NULL DEFAULT 'zh',
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, team_id),
    UNIQUE (tenant_id, wecom_userid),
    UNIQUE (tenant_id, miniapp_openid)
);
CREATE INDEX users_team ON users (tenant_id, team_id);

CREATE TABLE pipeline_stages (
    tenant_id    bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    key          text NOT NULL,
    name_zh      text NOT NULL,
    aliases      text[] NOT NULL DEFAULT '{}',
    sla_days     integer CHECK (sla_days IS NULL OR sla_days > 0),
    probability  numeric(4, 3) NOT NULL CHECK (probability BETWEEN 0 AND 1),
    position     integer NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

CREATE TABLE accounts (
    tenant_id   bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    account_id  bigint GENERATED ALWAYS AS IDENTITY,
    name        text NOT NULL,
    norm_name   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, account_id),
    UNIQUE (tenant_id, norm_name)
);

CREATE TABLE contacts (
    tenant_id   bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    contact_id  bigint GENERATED ALWAYS AS IDENTITY,
    account_id  bigint,
    name        text,
    title       text,
    phone       text,
    email       text,
    wechat      text,
    openid      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, contact_id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, account_id)
);
CREATE UNIQUE INDEX contacts_phone ON contacts (tenant_id, phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX contacts_email ON contacts (tenant_id, lower(email)) WHERE email IS NOT NULL;
CREATE INDEX contacts_openid ON contacts (tenant_id, openid) WHERE openid IS NOT NULL;

CREATE TABLE deals (
    tenant_id         bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    deal_id           bigint GENERATED ALWAYS AS IDENTITY,
    title             text NOT NULL,
    owner_id          bigint NOT NULL,
    account_id        bigint,
    contact_id        bigint,
    product           text,
    amount            bigint CHECK (amount IS NULL OR amount >= 0),
    expected_close    date,
    next_step         text,
    source            text NOT NULL CHECK (source IN ('chat', 'card', 'import', 'api')),
    stage             text NOT NULL,
    stage_entered_at  timestamptz NOT NULL,
    last_activity_at  timestamptz,
    lost_reason       text,
    snoozed_until     timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, deal_id),
    FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, user_id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, account_id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, contact_id),
    FOREIGN KEY (tenant_id, stage) REFERENCES pipeline_stages (tenant_id, key) ON UPDATE CASCADE
);
-- A rep's open deals (won is still watched until paid).
CREATE INDEX deals_owner_open ON deals (tenant_id, owner_id, stage_entered_at)
    WHERE stage NOT IN ('paid', 'lost');
-- The stalled-deal scan: per tenant and stage, oldest stage entry first, open deals only.
CREATE INDEX deals_stall_scan ON deals (tenant_id, stage, stage_entered_at)
    WHERE stage NOT IN ('paid', 'lost');
CREATE INDEX deals_account ON deals (tenant_id, account_id);
CREATE INDEX deals_contact ON deals (tenant_id, contact_id);

CREATE TABLE deal_stage_history (
    tenant_id   bigint NOT NULL,
    history_id  bigint GENERATED ALWAYS AS IDENTITY,
    deal_id     bigint NOT NULL,
    from_stage  text,
    to_stage    text NOT NULL,
    amount      bigint,
    reason      text,
    changed_by  bigint,
    changed_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, history_id),
    FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, deal_id) ON DELETE CASCADE
);
CREATE INDEX stage_history_deal ON deal_stage_history (tenant_id, deal_id, changed_at);
CREATE INDEX stage_history_time ON deal_stage_history (tenant_id, changed_at);

CREATE TABLE activities (
    tenant_id    bigint NOT NULL,
    activity_id  bigint GENERATED ALWAYS AS IDENTITY,
    deal_id      bigint NOT NULL,
    user_id      bigint NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('visit', 'call', 'note', 'meeting', 'email', 'followup')),
    body         text NOT NULL,
    due_at       timestamptz,
    done_at      timestamptz,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, activity_id),
    FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, deal_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id)
);
-- Recent activity per deal.
CREATE INDEX activities_deal_recent ON activities (tenant_id, deal_id, created_at DESC);
-- Follow-ups coming due.
CREATE INDEX activities_due ON activities (due_at) WHERE kind = 'followup' AND done_at IS NULL;

-- What each user changed, newest last, so that 撤销 / undo can revert it.
CREATE TABLE change_log (
    tenant_id   bigint NOT NULL,
    change_id   bigint GENERATED ALWAYS AS IDENTITY,
    user_id     bigint NOT NULL,
    op          text NOT NULL,
    deal_id     bigint,
    data        jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL,
    undone_at   timestamptz,
    PRIMARY KEY (tenant_id, change_id)
);
CREATE INDEX change_log_user ON change_log (tenant_id, user_id, change_id DESC) WHERE undone_at IS NULL;

-- Inbound callback messages already taken (MsgId, or sender + CreateTime for events).
CREATE TABLE inbound_messages (
    tenant_id    bigint NOT NULL,
    channel      text NOT NULL,
    msg_key      text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    reply        text,
    PRIMARY KEY (tenant_id, channel, msg_key)
);

CREATE TABLE outbox (
    tenant_id        bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    outbox_id        bigint GENERATED ALWAYS AS IDENTITY,
    channel          text NOT NULL CHECK (channel IN ('wecom', 'mp')),
    recipient        text NOT NULL,
    payload          jsonb NOT NULL,
    idempotency_key  text NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    locked_until     timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    PRIMARY KEY (tenant_id, outbox_id),
    UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_recipient_sent ON outbox (tenant_id, recipient, sent_at) WHERE status = 'sent';

-- WeChat access tokens, shared by every process (WeChat allows few token fetches a day).
CREATE TABLE wechat_tokens (
    tenant_id   bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    kind        text NOT NULL,
    token       text NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);

-- 0003 bot: the chat assistant's conversation state, the work it answers later through the
-- outbox, and the Official Account followers it knows as reps.

-- One open question per rep ("which deal: 1/2/3?", "is that right?"); the next one replaces it.
CREATE TABLE bot_pending (
    tenant_id   bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    user_id     bigint NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('pick_deal', 'confirm', 'need_company')),
    parsed      jsonb NOT NULL,                   -- the understood message waiting to be acted on
    options     bigint[] NOT NULL DEFAULT '{}',   -- the deal ids offered, in the order asked (1/2/3)
    lang        text NOT NULL DEFAULT 'zh',
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

-- Slow answers (knowledge search on a cold model): taken in the callback's transaction, done by
-- the process that took it right after, or by the worker when that process died.
CREATE TABLE bot_deferred (
    tenant_id     bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    deferred_id   bigint GENERATED ALWAYS AS IDENTITY,
    user_id       bigint NOT NULL,
    recipient     text NOT NULL,                  -- the WeChat Work userid the answer goes to
    kind          text NOT NULL CHECK (kind IN ('kb_search')),
    payload       jsonb NOT NULL,
    msg_key       text NOT NULL,                  -- the inbound message it answers
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    last_error    text,
    created_at    timestamptz NOT NULL,
    done_at       timestamptz,
    PRIMARY KEY (tenant_id, deferred_id),
    UNIQUE (tenant_id, msg_key),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX bot_deferred_open ON bot_deferred (created_at) WHERE status IN ('pending', 'running');

-- Official Account (公众号) followers known as reps: bound with the bot's one-time code (绑定 123456).
CREATE TABLE bot_mp_identities (
    tenant_id  bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    openid     text NOT NULL,
    user_id    bigint NOT NULL,
    bound_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, openid),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX bot_mp_identities_user ON bot_mp_identities (tenant_id, user_id);

-- 0008 aibot: WeChat Work's AI bot (智能机器人) channel: its tenant configuration, the streams
-- that slow answers complete on WeChat Work's refresh callbacks, and the button cards a tap acts on.

ALTER TABLE tenants ADD COLUMN aibot jsonb NOT NULL DEFAULT '{}'::jsonb;  -- token, encoding_aes_key, bot_id, secret

-- A slow answer (knowledge search, a long list): the reply says "working on it" as a stream, and
-- any process answers WeChat Work's refreshes from this row; the row is done or expired in 6 min.
CREATE TABLE aibot_streams (
    tenant_id     bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    stream_id     text NOT NULL,
    user_id       bigint NOT NULL,
    msg_key       text NOT NULL,                 -- the inbound message it answers
    kind          text NOT NULL CHECK (kind IN ('kb_search', 'text')),
    payload       jsonb NOT NULL,
    content       text,                          -- the finished answer
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    done_at       timestamptz,
    PRIMARY KEY (tenant_id, stream_id),
    UNIQUE (tenant_id, msg_key),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX aibot_streams_open ON aibot_streams (tenant_id, user_id) WHERE status IN ('pending', 'running');

-- A button card showing a rep's pending question (confirm / which deal); a tap acts once.
CREATE TABLE aibot_cards (
    tenant_id   bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    task_id     text NOT NULL,
    user_id     bigint NOT NULL,
    question    jsonb NOT NULL,                  -- the pending question it shows, and its buttons
    created_at  timestamptz NOT NULL,
    acted_at    timestamptz,
    result      text,                            -- what the tap did (shown on the updated card)
    PRIMARY KEY (tenant_id, task_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

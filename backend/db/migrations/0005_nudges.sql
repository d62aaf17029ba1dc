-- 0005 nudges and digests: per-tenant nudge rules, the record that makes every nudge go out
-- once (per deal, rule, level and stage entry), follow-up reminders sent, and manager digests
-- with the unguessable token of their H5 page.

-- A tenant's rules; no row means the defaults (schemas/nudges.py NudgeRules).
CREATE TABLE nudge_rules (
    tenant_id        bigint PRIMARY KEY REFERENCES tenants ON DELETE CASCADE,
    rules            jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- One row per nudge queued for sending. The unique key is the once-only guarantee: a second
-- worker, a restart or a clock that jumps back finds the row and sends nothing. ``episode`` is
-- what a rule restarts on: the stage entry (stalled, unpaid), the last touch (idle), the close
-- date. Nudges over a recipient's daily cap are not recorded: they are told in a summary line
-- and come up again on a later day while they still apply.
CREATE TABLE nudges (
    tenant_id         bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    nudge_id          bigint GENERATED ALWAYS AS IDENTITY,
    deal_id           bigint NOT NULL,
    rule              text NOT NULL CHECK (rule IN ('stalled', 'idle', 'close_passed', 'unpaid')),
    level             smallint NOT NULL CHECK (level IN (1, 2)),   -- 1 the rep, 2 the rep's manager
    stage_entered_at  timestamptz NOT NULL,
    episode           timestamptz NOT NULL,
    recipient_id      bigint NOT NULL,
    status            text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued')),
    score             double precision NOT NULL DEFAULT 0,           -- amount × stage probability
    days_over         double precision NOT NULL DEFAULT 0,
    engaged           boolean NOT NULL DEFAULT false,                -- the customer engaged lately
    send_at           timestamptz NOT NULL,
    send_day          date NOT NULL,                                 -- the recipient's local day (daily cap)
    created_at        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, nudge_id),
    UNIQUE (tenant_id, deal_id, rule, level, stage_entered_at, episode)
);
-- The daily cap: what a recipient was already sent on a local day.
CREATE INDEX nudges_cap ON nudges (tenant_id, send_day, recipient_id) WHERE status = 'queued';

-- Follow-ups whose reminder went to the outbox (each once).
CREATE TABLE followup_reminders (
    tenant_id    bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    activity_id  bigint NOT NULL,
    sent_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, activity_id)
);

-- Digests sent to managers (daily, and the weekly funnel review on Mondays), with the figures
-- as sent and the token of their H5 page.
CREATE TABLE digests (
    tenant_id    bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    digest_id    bigint GENERATED ALWAYS AS IDENTITY,
    manager_id   bigint NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('daily', 'weekly')),
    day          date NOT NULL,                                      -- the manager's local day
    token        text NOT NULL UNIQUE,
    expires_at   timestamptz NOT NULL,
    figures      jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, digest_id),
    UNIQUE (tenant_id, manager_id, kind, day),
    FOREIGN KEY (tenant_id, manager_id) REFERENCES users (tenant_id, user_id)
);

-- The scan's range scans: deals idle since before a time, deals whose close date has passed
-- (deals_stall_scan of 0001 serves the stage-time rules).
CREATE INDEX deals_idle_scan ON deals (tenant_id, (coalesce(last_activity_at, created_at)))
    WHERE stage NOT IN ('won', 'paid', 'lost');
CREATE INDEX deals_close_scan ON deals (tenant_id, expected_close)
    WHERE expected_close IS NOT NULL AND stage NOT IN ('won', 'paid', 'lost');
-- Digest figures read a tenant's deals by creation time.
CREATE INDEX deals_created ON deals (tenant_id, created_at);
-- Reps with no activity: a user's activities by time.
CREATE INDEX activities_user_time ON activities (tenant_id, user_id, created_at);

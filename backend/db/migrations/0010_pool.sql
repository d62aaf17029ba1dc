-- 0010 the shared lead pool (公海) and account tiers (大客户).
-- A pooled deal has no owner (owner_id NULL) and remembers the team whose pool it is in, who
-- had it last and since when; every release, recycle, claim and keep is kept in
-- deal_pool_events with who and why. Accounts carry a score and a tier (A/B/C) computed from
-- their deals, and a manager's override with its reason.

ALTER TABLE deals ALTER COLUMN owner_id DROP NOT NULL;
ALTER TABLE deals
    ADD COLUMN pooled_at      timestamptz,          -- in the pool since (NULL: owned)
    ADD COLUMN pool_team_id   bigint,               -- whose team's pool (the last owner's team)
    ADD COLUMN prev_owner_id  bigint,               -- the last owner (cool-down before re-claiming)
    ADD COLUMN pool_clock_at  timestamptz,          -- the recycle clock restarts here (claim, keep)
    ADD COLUMN kept_at        timestamptz,          -- the last "keep"
    ADD COLUMN keep_streak    integer NOT NULL DEFAULT 0;  -- keeps in a row without activity or a manager
ALTER TABLE deals ADD CONSTRAINT deals_owned_or_pooled CHECK (owner_id IS NOT NULL OR pooled_at IS NOT NULL);

-- The pool of a team, most valuable first.
CREATE INDEX deals_pool ON deals (tenant_id, pool_team_id, amount DESC NULLS LAST) WHERE owner_id IS NULL;
-- The recycle pass: an owned open deal's idle clock, per tenant and stage.
CREATE INDEX deals_recycle_scan ON deals (tenant_id, stage,
    (greatest(coalesce(last_activity_at, created_at), coalesce(pool_clock_at, created_at))))
    WHERE owner_id IS NOT NULL AND stage NOT IN ('won', 'paid', 'lost');

-- A tenant's pool and tier rules; no row means the defaults (schemas/pool.py PoolRules).
CREATE TABLE pool_rules (
    tenant_id   bigint PRIMARY KEY REFERENCES tenants ON DELETE CASCADE,
    rules       jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- What happened to a deal's ownership, and why.
CREATE TABLE deal_pool_events (
    tenant_id   bigint NOT NULL,  -- (its deal's tenant: the foreign key to deals covers it)
    event_id    bigint GENERATED ALWAYS AS IDENTITY,
    deal_id     bigint NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('release', 'recycle', 'claim', 'keep', 'warn')),
    owner_id    bigint,           -- release / recycle / keep / warn: the owner; claim: the new owner
    actor_id    bigint,           -- who did it (NULL: the recycle job)
    team_id     bigint,           -- the pool's team
    stage       text,
    idle_days   integer,
    reason      text,
    episode     timestamptz,      -- warn / recycle: the idle clock's start they were about
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, event_id),
    FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, deal_id) ON DELETE CASCADE
);
CREATE INDEX deal_pool_events_deal ON deal_pool_events (tenant_id, deal_id, created_at);
CREATE INDEX deal_pool_events_time ON deal_pool_events (tenant_id, kind, created_at);
CREATE INDEX deal_pool_events_actor ON deal_pool_events (tenant_id, actor_id, created_at) WHERE kind = 'claim';
-- One warning per deal and idle episode, however many workers run.
CREATE UNIQUE INDEX deal_pool_events_warn ON deal_pool_events (tenant_id, deal_id, episode) WHERE kind = 'warn';

-- A rep's chat state with the pool: the last list shown (领取 1 means its first line) and the
-- deal whose "keep" waits for a reason.
CREATE TABLE pool_chat (
    tenant_id     bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    user_id       bigint NOT NULL,
    listed        bigint[] NOT NULL DEFAULT '{}',
    listed_at     timestamptz,
    keep_deal_id  bigint,
    keep_until    timestamptz,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

-- Account scores and tiers.
ALTER TABLE accounts
    ADD COLUMN score          integer NOT NULL DEFAULT 0,
    ADD COLUMN tier           text NOT NULL DEFAULT 'C' CHECK (tier IN ('A', 'B', 'C')),
    ADD COLUMN tier_override  text CHECK (tier_override IN ('A', 'B', 'C')),
    ADD COLUMN tier_reason    text,
    ADD COLUMN tier_set_by    bigint,
    ADD COLUMN tier_set_at    timestamptz,
    ADD COLUMN won_amount     bigint NOT NULL DEFAULT 0,
    ADD COLUMN open_weighted  bigint NOT NULL DEFAULT 0,
    ADD COLUMN deal_count     integer NOT NULL DEFAULT 0,
    ADD COLUMN paid_on_time   integer NOT NULL DEFAULT 0,
    ADD COLUMN paid_late      integer NOT NULL DEFAULT 0,
    ADD COLUMN overdue        integer NOT NULL DEFAULT 0,
    ADD COLUMN engagement     integer NOT NULL DEFAULT 0,
    ADD COLUMN scored_at      timestamptz,
    ADD COLUMN score_dirty    boolean NOT NULL DEFAULT true;
CREATE INDEX accounts_dirty ON accounts (tenant_id, account_id) WHERE score_dirty;
-- No index on score: the nightly pass rewrites scores, and unindexed columns let PostgreSQL update
-- the rows in place (HOT); a tenant's accounts are sorted by score when listed.

-- The nightly full rescore, claimed once per tenant and local day.
CREATE TABLE account_scoring (
    tenant_id  bigint PRIMARY KEY REFERENCES tenants ON DELETE CASCADE,
    day        date NOT NULL,
    done_at    timestamptz NOT NULL
);

-- "On change": a deal that is created, moves, changes amount, account or owner marks its
-- account for the next rescore pass (a few seconds later, set-based).
CREATE FUNCTION deals_mark_account_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts a SET score_dirty = true
    FROM (SELECT DISTINCT tenant_id, account_id FROM new_deals WHERE account_id IS NOT NULL) n
    WHERE a.tenant_id = n.tenant_id AND a.account_id = n.account_id AND NOT a.score_dirty;
    RETURN NULL;
END $$;
CREATE TRIGGER deals_mark_account_ins AFTER INSERT ON deals
    REFERENCING NEW TABLE AS new_deals FOR EACH STATEMENT EXECUTE FUNCTION deals_mark_account_ins();

CREATE FUNCTION deals_mark_account_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts SET score_dirty = true
    WHERE tenant_id = NEW.tenant_id AND account_id IN (NEW.account_id, OLD.account_id) AND NOT score_dirty;
    RETURN NULL;
END $$;
CREATE TRIGGER deals_mark_account_upd AFTER UPDATE OF stage, amount, account_id ON deals
    FOR EACH ROW WHEN (OLD.stage IS DISTINCT FROM NEW.stage OR OLD.amount IS DISTINCT FROM NEW.amount
                       OR OLD.account_id IS DISTINCT FROM NEW.account_id)
    EXECUTE FUNCTION deals_mark_account_upd();

-- Scoring reads an account's contacts (card engagement).
CREATE INDEX contacts_account ON contacts (tenant_id, account_id) WHERE account_id IS NOT NULL;

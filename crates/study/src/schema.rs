//! The study tables. Created on first use by whichever process gets there first (an advisory
//! lock makes concurrent first uses wait for each other rather than collide).

/// The key of the advisory lock that serialises creating the tables.
pub const SCHEMA_LOCK: i64 = 0x6b72_6570_6c61_7901;

pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS kreplay_studies (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    recipe TEXT NOT NULL,
    recipe_name TEXT NOT NULL,
    variant TEXT,
    recipe_text TEXT NOT NULL,
    recipe_hash TEXT NOT NULL,
    params TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('grid', 'random', 'tpe')),
    planned INTEGER NOT NULL CHECK (planned > 0),
    seed BIGINT NOT NULL,
    seeds TEXT NOT NULL,
    prune BOOLEAN NOT NULL,
    metric TEXT NOT NULL,
    higher BOOLEAN NOT NULL,
    data TEXT NOT NULL,
    heartbeat_seconds DOUBLE PRECISION NOT NULL,
    grace_seconds DOUBLE PRECISION NOT NULL,
    retries INTEGER NOT NULL,
    tool_version TEXT NOT NULL,
    created TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS kreplay_trials (
    study BIGINT NOT NULL REFERENCES kreplay_studies (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    overrides TEXT NOT NULL,
    hash TEXT,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'running', 'complete', 'failed', 'pruned')),
    worker TEXT,
    heartbeat TIMESTAMPTZ,
    attempts INTEGER NOT NULL DEFAULT 0,
    score DOUBLE PRECISION,
    cv_mean DOUBLE PRECISION,
    cv_std DOUBLE PRECISION,
    train DOUBLE PRECISION,
    folds TEXT NOT NULL DEFAULT '[]',
    seconds DOUBLE PRECISION,
    error TEXT,
    repeat_of INTEGER,
    tool_version TEXT,
    recorded_by TEXT,
    finished TIMESTAMPTZ,
    PRIMARY KEY (study, number)
);
CREATE INDEX IF NOT EXISTS kreplay_trials_by_state ON kreplay_trials (study, state, number);
CREATE TABLE IF NOT EXISTS kreplay_runs (
    id BIGSERIAL PRIMARY KEY,
    study BIGINT NOT NULL REFERENCES kreplay_studies (id) ON DELETE CASCADE,
    trial INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kreplay_runs_by_study ON kreplay_runs (study, trial);
";

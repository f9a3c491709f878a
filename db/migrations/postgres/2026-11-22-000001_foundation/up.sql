-- Accounts, agencies, sessions and the procedure catalogue. Timestamps are UTC.
CREATE TABLE agencies (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province', 'commune')),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    phone TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('citizen', 'staff', 'admin')),
    agency_id TEXT REFERENCES agencies (id),
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    CHECK ((role = 'staff') = (agency_id IS NOT NULL))
);
CREATE INDEX users_agency ON users (agency_id);

-- A session is one refresh-token family: every rotation stays in it, and reuse of a spent
-- token revokes it whole.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Failure counters per key ("login-phone:+84…", "lookup-ip:…"), shared by every server instance.
CREATE TABLE throttle (
    key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

-- The access-token signing key, made at first start so every instance on this database shares it.
CREATE TABLE signing_keys (
    id TEXT PRIMARY KEY NOT NULL,
    private_key_pem TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE procedures (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province', 'commune')),
    agency TEXT NOT NULL,
    service_level INTEGER NOT NULL CHECK (service_level BETWEEN 1 AND 4),
    processing_days INTEGER NOT NULL,
    fee_vnd BIGINT NOT NULL,
    documents TEXT NOT NULL,
    result TEXT NOT NULL,
    steps TEXT NOT NULL,
    online_url TEXT,
    retired_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX procedures_name ON procedures (name);

-- Dossiers pushed in by agencies' one-stop-shop systems, their status events, who follows them,
-- the keys those systems use, and the notifications status changes produce.
CREATE TABLE agency_api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    last_used_at TIMESTAMP
);
CREATE INDEX agency_api_keys_agency ON agency_api_keys (agency_id);

CREATE TABLE dossiers (
    code TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    procedure_code TEXT NOT NULL REFERENCES procedures (code),
    applicant_name TEXT NOT NULL,
    applicant_phone TEXT NOT NULL,
    received_on DATE NOT NULL,
    due_on DATE NOT NULL,
    -- Derived from the events (latest by event time), kept here for lists and statistics.
    status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
    status_at TIMESTAMP NOT NULL,
    finished_on DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX dossiers_agency_status ON dossiers (agency_id, status);
CREATE INDEX dossiers_agency_due ON dossiers (agency_id, due_on);
CREATE INDEX dossiers_received ON dossiers (received_on);
CREATE INDEX dossiers_finished ON dossiers (finished_on);

CREATE TABLE dossier_events (
    dossier_code TEXT NOT NULL REFERENCES dossiers (code) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
    occurred_at TIMESTAMP NOT NULL,
    step TEXT,
    department TEXT,
    officer TEXT,
    note TEXT,
    reopens BOOLEAN NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (dossier_code, event_id)
);

CREATE TABLE dossier_follows (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    dossier_code TEXT NOT NULL REFERENCES dossiers (code) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, dossier_code)
);
CREATE INDEX dossier_follows_dossier ON dossier_follows (dossier_code);

-- The in-app inbox. Written in the same transaction as the change that causes it.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title_vi TEXT NOT NULL,
    body_vi TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body_en TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);

-- Bumped by every change to data that server instances keep in memory (the procedure
-- catalogue's search index, the areas' spatial index), in the same transaction as the change:
-- each instance compares it with the revision its copy was built from.
CREATE TABLE revisions (
    name TEXT PRIMARY KEY NOT NULL,
    revision BIGINT NOT NULL
);
INSERT INTO revisions (name, revision) VALUES ('catalogue', 0);

-- An agency's webhook: where its one-stop-shop system hears of what citizens do with online
-- dossiers, and the secret the deliveries are signed with (kept to sign; shown once).
CREATE TABLE agency_webhooks (
    agency_id TEXT PRIMARY KEY NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- One row per delivery, written in the transaction of what it tells; workers claim due rows
-- under a lease and retry with backoff until the receiver acknowledges (2xx) or it fails.
CREATE TABLE webhook_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    dossier_code TEXT NOT NULL REFERENCES dossiers (code) ON DELETE CASCADE,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP NULL,
    last_error TEXT NULL,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP NULL
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (status, due_at);

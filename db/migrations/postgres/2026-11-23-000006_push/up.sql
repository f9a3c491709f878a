-- Push delivery: the phones (FCM registration tokens) of each person, the kinds they turned
-- off, and an outbox of pushes written in the same transaction as the inbox row.
CREATE TABLE devices (
    -- The FCM registration token: one phone's app install.
    token TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The sign-in it was registered under; logging out of it removes the device.
    session_id TEXT,
    platform TEXT NOT NULL,
    app_version TEXT NOT NULL,
    lang TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX devices_user ON devices (user_id);
CREATE INDEX devices_session ON devices (session_id);

-- Only what a person turned off is stored; every other kind is on.
CREATE TABLE notification_mutes (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

CREATE TABLE push_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    notification_id TEXT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    device_token TEXT NOT NULL,
    -- queued | sending | sent | skipped | dropped (dead token) | dead (gave up)
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    due_at TIMESTAMP NOT NULL,
    -- While `sending`: a worker that has not finished by then is presumed dead.
    lease_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX push_outbox_due ON push_outbox (status, due_at);
CREATE INDEX push_outbox_notification ON push_outbox (notification_id);

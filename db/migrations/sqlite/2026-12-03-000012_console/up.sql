-- A signed-in browser of the console: its cookie's hash, the session it belongs to (so that
-- revoking the session, or disabling the account, ends it like any other), the token every
-- form of that browser must carry, and when it was last used (it ends after inactivity).
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX web_sessions_session ON web_sessions (session_id);

-- The console's inbox lists an agency's complaints soonest due first, page after page.
CREATE INDEX complaints_agency_due ON complaints (agency_id, due_at, id);

-- The slips an agency's decisions produce (Circular 01/2018/TT-VPCP forms 01–04), as PDFs in
-- the object store; the citizen who proves the dossier and the agency download them.
CREATE TABLE dossier_slips (
    id TEXT PRIMARY KEY NOT NULL,
    dossier_code TEXT NOT NULL REFERENCES dossiers (code) ON DELETE CASCADE,
    form INTEGER NOT NULL CHECK (form BETWEEN 1 AND 4),
    storage_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX dossier_slips_dossier ON dossier_slips (dossier_code, created_at);

-- Requests for more documents: which components (JSON list of codes), why, and the last day
-- to bring them. Answered by the citizen's supplement; once past the deadline unanswered, the
-- periodic job stops the dossier (status 8).
CREATE TABLE dossier_requests (
    dossier_code TEXT NOT NULL REFERENCES dossiers (code) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    components TEXT NOT NULL,
    reason TEXT NOT NULL,
    deadline DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP NULL,
    PRIMARY KEY (dossier_code, event_id)
);
CREATE INDEX dossier_requests_unanswered ON dossier_requests (deadline) WHERE answered_at IS NULL;

-- Dossiers citizens submit online from the app, beside those the agencies' systems send.
-- `origin`: `agency` (sent by the agency's system) or `online` (submitted here); the agency's
-- system pulls the online ones in the order they came, by (created_at, code).
ALTER TABLE dossiers ADD COLUMN origin TEXT NOT NULL DEFAULT 'agency';
CREATE INDEX dossiers_origin_pull ON dossiers (agency_id, origin, created_at, code);

-- What the citizen submitted besides the files: the applicant, the proxy, identity numbers,
-- address, return method and the declaration form, as JSON. Personal data: only the
-- submitter and the receiving agency ever read it.
CREATE TABLE dossier_applications (
    dossier_code TEXT PRIMARY KEY NOT NULL REFERENCES dossiers (code) ON DELETE CASCADE,
    -- Who submitted it; NULL once they erased their account (the dossier is the agency's record).
    submitted_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    application TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL
);
CREATE INDEX dossier_applications_submitter ON dossier_applications (submitted_by, submitted_at);

-- The files of an online dossier, each answering one component of the procedure. The bytes
-- are in the object store under `storage_key`.
CREATE TABLE dossier_files (
    id TEXT PRIMARY KEY NOT NULL,
    dossier_code TEXT NOT NULL REFERENCES dossiers (code) ON DELETE CASCADE,
    component_code TEXT NOT NULL,
    -- The order the files came in within their submission.
    position INTEGER NOT NULL,
    file_type TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    byte_size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX dossier_files_dossier ON dossier_files (dossier_code, uploaded_at, position);

-- The last number given to an agency's online dossiers of a day: the code's sequence, taken in
-- the transaction that writes the dossier, so instances sharing the database never repeat one.
CREATE TABLE dossier_sequences (
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    day DATE NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (agency_id, day)
);

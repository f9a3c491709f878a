-- The result document an agency attaches to a dossier (the certificate, the licence, as a
-- PDF), which the citizen who proves the dossier downloads. One per dossier; attaching again
-- replaces it.
CREATE TABLE dossier_results (
    dossier_code TEXT PRIMARY KEY NOT NULL REFERENCES dossiers (code) ON DELETE CASCADE,
    storage_key TEXT NOT NULL,
    byte_size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    attached_at TIMESTAMP NOT NULL
);

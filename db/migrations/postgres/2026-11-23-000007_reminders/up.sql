-- Reminders for agencies: when each complaint and dossier was announced as due soon and as
-- overdue (each once), and the one overdue digest per agency and day.
ALTER TABLE complaints ADD COLUMN due_reminded_at TIMESTAMP;
ALTER TABLE complaints ADD COLUMN overdue_reminded_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN due_reminded_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN overdue_reminded_at TIMESTAMP;
CREATE INDEX complaints_due ON complaints (due_at);
CREATE INDEX dossiers_due ON dossiers (due_on);
CREATE TABLE overdue_digests (
    agency_id TEXT NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (agency_id, day)
);

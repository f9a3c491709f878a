ALTER TABLE dossiers DROP COLUMN unreceived_reminded_at;

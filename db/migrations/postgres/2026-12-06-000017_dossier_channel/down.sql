ALTER TABLE dossiers DROP COLUMN channel;

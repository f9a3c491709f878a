DROP TABLE overdue_digests;
DROP INDEX dossiers_due;
DROP INDEX complaints_due;
ALTER TABLE dossiers DROP COLUMN overdue_reminded_at;
ALTER TABLE dossiers DROP COLUMN due_reminded_at;
ALTER TABLE complaints DROP COLUMN overdue_reminded_at;
ALTER TABLE complaints DROP COLUMN due_reminded_at;

-- When the agency's staff were reminded of an online dossier no one had received after a
-- working day; set once, by the reminder job, in the transaction of the staff's notices.
ALTER TABLE dossiers ADD COLUMN unreceived_reminded_at TIMESTAMP NULL;

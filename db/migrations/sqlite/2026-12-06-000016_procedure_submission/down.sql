ALTER TABLE procedures DROP COLUMN submission;

DROP INDEX complaints_cell_created;
ALTER TABLE complaints DROP COLUMN cell;

ALTER TABLE procedures DROP COLUMN name_en;

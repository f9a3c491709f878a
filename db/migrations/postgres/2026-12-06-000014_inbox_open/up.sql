-- The console's inbox reads the open complaints, soonest due first, and filters them by area,
-- category or a word of the description. These partial indexes hold only the open ones, with
-- the columns the filters read. The description stays out: a B-tree entry is limited to about
-- 2.7 kB, and a description may be longer.
-- The queries write the open statuses exactly as these conditions do (db/src/complaints.rs,
-- `open_condition`), so that a generic plan can use them too.
CREATE INDEX complaints_open_agency ON complaints (agency_id, due_at, id, area_code, category_code)
    WHERE status IN ('new', 'acknowledged', 'in_progress');
CREATE INDEX complaints_open_due ON complaints (due_at, id, area_code, category_code)
    WHERE status IN ('new', 'acknowledged', 'in_progress');
-- A word of the description, in any letter case, found through its trigrams rather than by
-- reading every description.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX complaints_description_trigrams ON complaints USING gin (lower(description) gin_trgm_ops);

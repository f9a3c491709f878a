-- The console's inbox reads the open complaints, soonest due first, and filters them by area,
-- category or a word of the description. These partial indexes hold only the open ones and
-- everything those filters read, so a page is read from the index alone, and a word is looked
-- for in the open descriptions without visiting the table.
-- The queries write the open statuses exactly as these conditions do (db/src/complaints.rs,
-- `open_condition`): SQLite uses a partial index only for a condition that reads as its own.
CREATE INDEX complaints_open_agency ON complaints (agency_id, due_at, id, area_code, category_code, description)
    WHERE status IN ('new', 'acknowledged', 'in_progress');
-- The administrator's inbox of every agency. Its query writes `+status` (and `+category_code`),
-- which keeps SQLite's planner off the status and category indexes, from which it would sort
-- every open complaint of the city (db/src/complaints.rs, `by_due_time_only`).
CREATE INDEX complaints_open_due ON complaints (due_at, id, area_code, category_code, description)
    WHERE +status IN ('new', 'acknowledged', 'in_progress');

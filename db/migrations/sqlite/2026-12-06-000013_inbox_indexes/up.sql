-- The console's inbox at a province's volume (bench/run inbox): its filters keep to an index
-- in the order the page is read, soonest due first.
-- The status rides along, so the open ones are told from the others without reading each row
-- (a word looked for is then only read in the descriptions of the open ones).
DROP INDEX complaints_agency_due;
CREATE INDEX complaints_agency_due ON complaints (agency_id, due_at, id, status);
-- A category the agency seldom gets no longer walks its whole inbox.
CREATE INDEX complaints_agency_category_due ON complaints (agency_id, category_code, due_at, id, status);
-- The administrator's inbox of every agency: one status by due time, and the counts of the
-- open ones past due or due soon.
CREATE INDEX complaints_status_due ON complaints (status, due_at, id);

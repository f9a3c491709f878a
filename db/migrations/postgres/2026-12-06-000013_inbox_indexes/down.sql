DROP INDEX complaints_status_due;
DROP INDEX complaints_agency_category_due;
DROP INDEX complaints_agency_due;
CREATE INDEX complaints_agency_due ON complaints (agency_id, due_at, id);

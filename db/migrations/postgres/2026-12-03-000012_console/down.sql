DROP INDEX complaints_agency_due;
DROP TABLE web_sessions;

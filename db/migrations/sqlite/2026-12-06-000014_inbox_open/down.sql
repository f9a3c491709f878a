DROP INDEX complaints_open_due;
DROP INDEX complaints_open_agency;

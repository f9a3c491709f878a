DROP INDEX complaints_description_trigrams;
DROP INDEX complaints_open_due;
DROP INDEX complaints_open_agency;

-- What an online dossier of the procedure consists of (components, applicant types, how the
-- result returns), as the catalogue file's `submission` object in JSON; NULL for a procedure
-- that is not submitted online.
ALTER TABLE procedures ADD COLUMN submission TEXT;

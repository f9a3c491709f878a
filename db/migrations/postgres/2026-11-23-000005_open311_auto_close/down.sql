DROP INDEX complaints_resolved;
DROP INDEX complaints_open311_token;
ALTER TABLE complaints DROP COLUMN media_url;
ALTER TABLE complaints DROP COLUMN open311_token;
ALTER TABLE complaints DROP COLUMN open311_client_id;
ALTER TABLE categories DROP COLUMN keywords_en;
ALTER TABLE categories DROP COLUMN keywords_vi;

-- Open311 and the automatic close of resolved complaints.
-- Open311 `services` carry keywords; requests filed by Open311 client apps have no citizen
-- account behind them, so they keep the client, a token for `tokens/{token}`, and the
-- `media_url` the client gave (stored as given, never fetched).
ALTER TABLE categories ADD COLUMN keywords_vi TEXT NOT NULL DEFAULT '';
ALTER TABLE categories ADD COLUMN keywords_en TEXT NOT NULL DEFAULT '';
-- No REFERENCES here: SQLite cannot drop a column that takes part in a foreign key, and the
-- id always comes from a live key's row.
ALTER TABLE complaints ADD COLUMN open311_client_id TEXT;
ALTER TABLE complaints ADD COLUMN open311_token TEXT;
ALTER TABLE complaints ADD COLUMN media_url TEXT;
CREATE UNIQUE INDEX complaints_open311_token ON complaints (open311_token);
-- The hourly job that closes resolved complaints once the reporter's week has passed.
CREATE INDEX complaints_resolved ON complaints (status, resolved_at);

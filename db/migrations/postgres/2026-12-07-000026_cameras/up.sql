-- Public cameras an administrator registers. The server fetches a camera's snapshot itself
-- (at most once every SMARTCITY_CAMERA_SNAPSHOT_SECONDS per instance) and records here whether
-- it answered: `working` is what the map shows; `failures` in a row and the last one's time
-- set the backoff every instance honours before asking the camera again.
CREATE TABLE cameras (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    -- May hold a vendor's credentials in its query: never shown to the public.
    snapshot_url TEXT NOT NULL,
    stream_url TEXT NULL,
    -- A retired camera is kept (false) but shown nowhere.
    active BOOLEAN NOT NULL,
    working BOOLEAN NOT NULL,
    down_since TIMESTAMP NULL,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP NULL,
    last_snapshot_at TIMESTAMP NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The map reads a box of cameras (a city has hundreds: the active ones are filtered in the box).
CREATE INDEX cameras_on_map ON cameras (lat, lon);

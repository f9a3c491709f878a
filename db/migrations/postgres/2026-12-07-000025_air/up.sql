-- Monitoring networks push observations with a key of their own (only its hash is kept).
CREATE TABLE air_networks (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE air_stations (
    code TEXT PRIMARY KEY NOT NULL,
    network_id TEXT NOT NULL REFERENCES air_networks (id),
    name TEXT NOT NULL,
    operator TEXT NOT NULL,
    kind TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Readings as the loggers sent them (in the parameter's canonical unit); one per station,
-- parameter and time, so a batch sent twice changes nothing.
CREATE TABLE air_observations (
    station_code TEXT NOT NULL REFERENCES air_stations (code) ON DELETE CASCADE,
    parameter TEXT NOT NULL,
    observed_at TIMESTAMP NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (station_code, observed_at, parameter)
);

-- The VN_AQI of each hour and day, recomputed from the observations whenever some arrive for
-- the hours they depend on; `sub_indices` is JSON (parameter to sub-index).
CREATE TABLE air_hourly (
    station_code TEXT NOT NULL REFERENCES air_stations (code) ON DELETE CASCADE,
    hour TIMESTAMP NOT NULL,
    aqi INTEGER NOT NULL,
    dominant TEXT NOT NULL,
    sub_indices TEXT NOT NULL,
    PRIMARY KEY (station_code, hour)
);

CREATE TABLE air_daily (
    station_code TEXT NOT NULL REFERENCES air_stations (code) ON DELETE CASCADE,
    day DATE NOT NULL,
    aqi INTEGER NOT NULL,
    dominant TEXT NOT NULL,
    sub_indices TEXT NOT NULL,
    PRIMARY KEY (station_code, day)
);

-- Bumped with every batch, so public answers can carry an ETag without reading the rows.
INSERT INTO revisions (name, revision) VALUES ('air', 0);

-- Warnings to the people of an area. `version` counts the changes subscribers were told of: an
-- inbox row's id is made of the warning, the version and the person, so a change reaches each
-- subscriber once however the fan-out is retried.
CREATE TABLE warnings (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    title_vi TEXT NOT NULL,
    body_vi TEXT NOT NULL,
    title_en TEXT NULL,
    body_en TEXT NULL,
    -- A drawn polygon (GeoJSON geometry) when the warning is for a place smaller than a ward;
    -- its box lets a point query skip the rest.
    polygon TEXT NULL,
    min_lat DOUBLE PRECISION NULL,
    max_lat DOUBLE PRECISION NULL,
    min_lon DOUBLE PRECISION NULL,
    max_lon DOUBLE PRECISION NULL,
    valid_from TIMESTAMP NOT NULL,
    valid_until TIMESTAMP NOT NULL,
    cancelled_at TIMESTAMP NULL,
    version INTEGER NOT NULL,
    -- Who issued it: an agency's staff, an administrator (no agency), or the server itself for
    -- an air quality episode (no author, the station's code).
    agency_id TEXT NULL REFERENCES agencies (id),
    issued_by TEXT NULL REFERENCES users (id) ON DELETE SET NULL,
    station_code TEXT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX warnings_in_force ON warnings (valid_until, valid_from);

-- The wards and communes a warning concerns (for a polygon: those it overlaps).
CREATE TABLE warning_areas (
    warning_id TEXT NOT NULL REFERENCES warnings (id) ON DELETE CASCADE,
    area_code TEXT NOT NULL,
    PRIMARY KEY (warning_id, area_code)
);
CREATE INDEX warning_areas_by_area ON warning_areas (area_code, warning_id);

-- The areas a resident wants to hear about (home, work, family).
CREATE TABLE user_areas (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    area_code TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, label, area_code)
);
-- The fan-out reads subscribers by area.
CREATE INDEX user_areas_by_area ON user_areas (area_code, user_id);

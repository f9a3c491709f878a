-- Complaints (phản ánh hiện trường): categories, areas and routing, the complaints with their
-- photos, timeline, followers and "me too", and the Open311 client apps.
CREATE TABLE categories (
    code TEXT PRIMARY KEY NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    group_vi TEXT NOT NULL,
    group_en TEXT NOT NULL,
    sla_hours INTEGER NOT NULL CHECK (sla_hours > 0),
    icon TEXT NOT NULL,
    nearby_radius_m INTEGER NOT NULL CHECK (nearby_radius_m > 0),
    -- Open311 service-definition attributes, as JSON.
    questions TEXT NOT NULL,
    sort_order INTEGER NOT NULL,
    active BOOLEAN NOT NULL
);

CREATE TABLE areas (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    -- GeoJSON geometry (Polygon or MultiPolygon), [lon, lat] order.
    geometry TEXT NOT NULL,
    min_lat DOUBLE PRECISION NOT NULL,
    max_lat DOUBLE PRECISION NOT NULL,
    min_lon DOUBLE PRECISION NOT NULL,
    max_lon DOUBLE PRECISION NOT NULL,
    inside_lat DOUBLE PRECISION NOT NULL,
    inside_lon DOUBLE PRECISION NOT NULL,
    created_at TIMESTAMP NOT NULL
);

INSERT INTO revisions (name, revision) VALUES ('areas', 0);

-- Which agency gets a (category, area). '*' stands for any category (the area's default) or
-- any area (the city-wide fallback).
CREATE TABLE routing_rules (
    category_code TEXT NOT NULL,
    area_code TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    PRIMARY KEY (category_code, area_code)
);

CREATE TABLE complaints (
    id TEXT PRIMARY KEY NOT NULL,
    category_code TEXT NOT NULL REFERENCES categories (code),
    description TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    address TEXT,
    area_code TEXT,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    -- Set to NULL when the reporter erases their account; the complaint stays, anonymised.
    reporter_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    anonymous BOOLEAN NOT NULL,
    answers TEXT NOT NULL,
    status TEXT NOT NULL,
    due_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    closed_at TIMESTAMP,
    rating INTEGER,
    rating_comment TEXT,
    duplicate_of TEXT REFERENCES complaints (id),
    follower_count INTEGER NOT NULL DEFAULT 0,
    me_too_count INTEGER NOT NULL DEFAULT 0,
    idempotency_key TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (reporter_id, idempotency_key)
);
-- A bounding box from a radius narrows on (lat, lon); status and id ride along so the map
-- and nearby queries read the index alone.
CREATE INDEX complaints_position ON complaints (lat, lon, status, id);
CREATE INDEX complaints_agency_status ON complaints (agency_id, status, due_at);
CREATE INDEX complaints_reporter ON complaints (reporter_id, created_at);
CREATE INDEX complaints_created ON complaints (created_at);

CREATE TABLE complaint_photos (
    id TEXT PRIMARY KEY NOT NULL,
    complaint_id TEXT NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
    -- 'report' (filed with the complaint) or 'after' (the agency's proof of the fix).
    kind TEXT NOT NULL,
    position INTEGER NOT NULL,
    display_key TEXT NOT NULL,
    thumbnail_key TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX complaint_photos_complaint ON complaint_photos (complaint_id, kind, position);

CREATE TABLE complaint_events (
    id TEXT PRIMARY KEY NOT NULL,
    complaint_id TEXT NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    actor_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    actor_role TEXT NOT NULL,
    agency_id TEXT REFERENCES agencies (id),
    is_public BOOLEAN NOT NULL,
    status_after TEXT,
    body TEXT,
    -- Event-specific fields (rating, duplicate_of, reassigned_to …) as JSON.
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, created_at);

CREATE TABLE complaint_follows (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    complaint_id TEXT NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, complaint_id)
);
CREATE INDEX complaint_follows_complaint ON complaint_follows (complaint_id);

CREATE TABLE complaint_me_too (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    complaint_id TEXT NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, complaint_id)
);

-- Client apps that file through Open311 with an api_key (stored hashed).
CREATE TABLE open311_clients (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

-- The reference database (smartcity_bench_postgis): the template's complaints in a PostGIS
-- table, and the samples the product's load scripts draw from. bench/postgis/run builds it once
-- per template (and again when this file changes), loading complaints and categories with
-- COPY … FROM STDIN between this file's two halves (see the marker below).
CREATE EXTENSION IF NOT EXISTS postgis;
-- For the (category, geom) GiST index of the nearby query.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE categories (
    code TEXT PRIMARY KEY,
    nearby_radius_m INTEGER NOT NULL
);

-- One row per complaint of the template: its id, category, status and filing time, its position
-- as the product stores it (lat, lon: the doubles themselves, for the product's exact box and
-- haversine tests) and as a PostGIS geography (for the GiST indexes).
CREATE TABLE complaints (
    -- "C": the product orders ids as bytes (Rust's String order; the template's own collation
    -- is C.UTF-8, the same for these ASCII uuids, but C says so whatever the cluster's is).
    id TEXT COLLATE "C" PRIMARY KEY,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    -- ComplaintStatus::OPEN (domain/src/complaint/status.rs): new, acknowledged, in_progress.
    is_open BOOLEAN GENERATED ALWAYS AS (status IN ('new', 'acknowledged', 'in_progress')) STORED,
    created_at TIMESTAMP NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    geom geography(Point, 4326) GENERATED ALWAYS AS
        (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED
);

-- The product's great-circle distance, to the bit: geo 0.33's Haversine (a sphere of radius
-- 6,371,008.8 m, the GRS80 mean radius) with Rust's to_radians (x · (π/180)) and the same order
-- of operations, on the same libm. PostGIS's own sphere (ST_Distance/ST_DWithin with
-- use_spheroid => false) has radius (2a+b)/3 = 6,371,008.771… m and another formula, and
-- geography's default is the WGS84 spheroid, up to ~0.5 % away from either: neither may decide
-- which complaint is in or out, or which comes first.
CREATE FUNCTION haversine_m(lat1 float8, lon1 float8, lat2 float8, lon2 float8)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT 6371008.8::float8 * (2::float8 * asin(sqrt(
        sin((lat2 - lat1) * (pi() / 180::float8) / 2::float8)
            * sin((lat2 - lat1) * (pi() / 180::float8) / 2::float8)
        + cos(lat1 * (pi() / 180::float8)) * cos(lat2 * (pi() / 180::float8))
            * (sin((lon2 - lon1) * (pi() / 180::float8) / 2::float8)
                * sin((lon2 - lon1) * (pi() / 180::float8) / 2::float8)))))
$$;

-- The distance the product orders nearby answers by (and shows): metres to 0.1 m, halves away
-- from zero as Rust's f64::round (PostgreSQL's round(float8) would round halves to even).
CREATE FUNCTION tenth_m(d float8)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN d * 10 - floor(d * 10) >= 0.5 THEN ceil(d * 10) ELSE floor(d * 10) END / 10
$$;

-- The samples (bench/postgis/ref.py samples writes them from the samples directory's
-- places.txt): nearby requests (a place and a category, with the category's radius), the map's
-- boxes and its circles (with the box the product reads the circle through).
CREATE TABLE nearby_samples (
    n INTEGER PRIMARY KEY,
    lat float8 NOT NULL,
    lon float8 NOT NULL,
    category TEXT NOT NULL,
    radius_m INTEGER
);
CREATE TABLE map_box_samples (
    n INTEGER PRIMARY KEY,
    min_lat float8 NOT NULL,
    max_lat float8 NOT NULL,
    min_lon float8 NOT NULL,
    max_lon float8 NOT NULL
);
CREATE TABLE map_circle_samples (
    n INTEGER PRIMARY KEY,
    lat float8 NOT NULL,
    lon float8 NOT NULL,
    radius_m INTEGER NOT NULL,
    min_lat float8 NOT NULL,
    max_lat float8 NOT NULL,
    min_lon float8 NOT NULL,
    max_lon float8 NOT NULL
);

-- LOAD --

-- Nearby: open complaints of one category within a radius. A partial GiST on (category, geom)
-- over the open ones only (btree_gist for the text column): the index walk itself keeps to the
-- category and to open complaints, as the product's btree (category_code, status, lat, lon)
-- does; a GiST on geom alone would visit every complaint of every status and category around
-- the place (some 12,500 within 500 m of the densest district's centre at 1,000,000) to keep
-- about a hundred.
CREATE INDEX complaints_open_category_geom ON complaints USING gist (category, geom) WHERE is_open;
-- The map: every complaint in a box, newest first. The plain GiST on geom finds the box's
-- complaints, which are then sorted (top 50): best for a sparse box. The btree on
-- (created_at, id), covering lat, lon and geom, is read newest first, index only, and stops at
-- the 50th in the box: best for a dense one (a city centre), hopeless for an empty one. The
-- planner chooses per request from the box's estimated share (the map is planned per request,
-- see run, and its exact test is written so as not to spoil the estimate, see map_box.sql).
CREATE INDEX complaints_geom ON complaints USING gist (geom);
CREATE INDEX complaints_created ON complaints (created_at DESC, id DESC) INCLUDE (lat, lon, geom);
ANALYZE complaints;
ANALYZE categories;

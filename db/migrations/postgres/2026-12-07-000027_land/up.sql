-- The province's land layers, each replaced whole by the operator's import-land: the layer's
-- date as its publisher gives it, when and from which file it was imported.
CREATE TABLE land_layers (
    kind TEXT PRIMARY KEY NOT NULL,
    layer_date DATE NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    source_file TEXT NOT NULL,
    feature_count BIGINT NOT NULL
);

-- Parcels (thửa đất) in file order; `feature` is the parcel's stored JSON (its fields and its
-- GeoJSON MultiPolygon), the box is the shape's.
CREATE TABLE land_parcels (
    seq BIGINT PRIMARY KEY NOT NULL,
    sheet INTEGER NOT NULL,
    parcel INTEGER NOT NULL,
    land_use TEXT NOT NULL,
    feature TEXT NOT NULL,
    min_lat DOUBLE PRECISION NOT NULL,
    max_lat DOUBLE PRECISION NOT NULL,
    min_lon DOUBLE PRECISION NOT NULL,
    max_lon DOUBLE PRECISION NOT NULL
);

CREATE INDEX land_parcels_sheet_parcel ON land_parcels (sheet, parcel);

-- Zones of approved plans (quy hoạch), likewise.
CREATE TABLE land_zones (
    seq BIGINT PRIMARY KEY NOT NULL,
    zone TEXT NOT NULL,
    plan TEXT NOT NULL,
    decision TEXT NOT NULL,
    feature TEXT NOT NULL,
    min_lat DOUBLE PRECISION NOT NULL,
    max_lat DOUBLE PRECISION NOT NULL,
    min_lon DOUBLE PRECISION NOT NULL,
    max_lon DOUBLE PRECISION NOT NULL
);

-- Bumped with every import, so every instance rebuilds its in-memory index.
INSERT INTO revisions (name, revision) VALUES ('land', 0);

DELETE FROM revisions WHERE name = 'land';
DROP TABLE land_zones;
DROP TABLE land_parcels;
DROP TABLE land_layers;

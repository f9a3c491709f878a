DELETE FROM revisions WHERE name = 'air';
DROP TABLE air_daily;
DROP TABLE air_hourly;
DROP TABLE air_observations;
DROP TABLE air_stations;
DROP TABLE air_networks;

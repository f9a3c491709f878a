DROP TABLE catalogue_revision;
DROP TABLE notifications;
DROP TABLE dossier_follows;
DROP TABLE dossier_events;
DROP TABLE dossiers;
DROP TABLE agency_api_keys;

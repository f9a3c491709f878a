DROP TABLE revisions;
DROP TABLE notifications;
DROP TABLE dossier_follows;
DROP TABLE dossier_events;
DROP TABLE dossiers;
DROP TABLE agency_api_keys;

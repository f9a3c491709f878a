DROP TABLE dossier_requests;
DROP TABLE dossier_slips;

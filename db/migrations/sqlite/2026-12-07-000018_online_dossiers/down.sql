DROP TABLE dossier_sequences;
DROP TABLE dossier_files;
DROP TABLE dossier_applications;
DROP INDEX dossiers_origin_pull;
ALTER TABLE dossiers DROP COLUMN origin;

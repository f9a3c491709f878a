DROP TABLE dossier_results;

-- How a dossier reached its agency, `counter` or `online`, which the public figures count apart.
-- Dossiers the agencies' systems sent before were counted at the counter.
ALTER TABLE dossiers ADD COLUMN channel TEXT NOT NULL DEFAULT 'counter';

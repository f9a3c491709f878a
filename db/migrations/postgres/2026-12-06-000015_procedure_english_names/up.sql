-- Every procedure has an English name, for foreign residents and the search. A catalogue
-- imported before has none: it reads its Vietnamese name until the catalogue is imported again
-- (`smartcity import-procedures`), which fills it.
ALTER TABLE procedures ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
UPDATE procedures SET name_en = name;

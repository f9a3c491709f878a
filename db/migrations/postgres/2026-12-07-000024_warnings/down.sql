DROP TABLE user_areas;
DROP TABLE warning_areas;
DROP TABLE warnings;

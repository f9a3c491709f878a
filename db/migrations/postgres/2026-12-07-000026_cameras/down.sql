DROP TABLE cameras;

DROP TABLE procedures;
DROP TABLE signing_keys;
DROP TABLE throttle;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE agencies;

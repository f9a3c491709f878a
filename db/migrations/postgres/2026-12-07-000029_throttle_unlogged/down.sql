ALTER TABLE throttle SET LOGGED;
ALTER TABLE throttle_addresses SET LOGGED;

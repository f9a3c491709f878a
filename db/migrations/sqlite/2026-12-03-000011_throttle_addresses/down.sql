DROP TABLE throttle_addresses;

-- The addresses that failed against a throttled key (a phone number, a dossier code) in its
-- window, so that a lock can be logged with who caused it.
CREATE TABLE throttle_addresses (
    key TEXT NOT NULL,
    address TEXT NOT NULL,
    last_failed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (key, address)
);

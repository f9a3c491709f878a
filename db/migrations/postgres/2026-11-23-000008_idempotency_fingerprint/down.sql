ALTER TABLE complaints DROP COLUMN idempotency_fingerprint;

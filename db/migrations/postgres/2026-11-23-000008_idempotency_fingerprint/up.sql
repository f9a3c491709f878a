-- What a filing under an idempotency key contained, so a reuse of the key with other content
-- is refused instead of answered with the first complaint.
ALTER TABLE complaints ADD COLUMN idempotency_fingerprint TEXT;

-- The residents' keys go back onto their complaints.
UPDATE complaints
SET idempotency_key = k.key, idempotency_fingerprint = k.fingerprint
FROM idempotency_keys k
WHERE k.scope = 'complaint-filing:' || complaints.reporter_id AND k.resource_id = complaints.id;
DROP TABLE idempotency_keys;

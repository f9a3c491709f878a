-- One table of idempotency keys for every route that takes them (a resident's filing, an
-- Open311 client's filing, those to come): the key within its scope (whose it is), a
-- fingerprint of the request sent under it, and what that request created. A retry with the
-- same request is answered with the first result; another request under a used key is refused.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, key)
);

-- The residents' keys kept on their complaints until now. Those columns stay (SQLite cannot
-- drop a column of a UNIQUE constraint without rebuilding the table) but are no longer written.
INSERT INTO idempotency_keys (scope, key, fingerprint, resource_id, created_at)
SELECT 'complaint-filing:' || reporter_id, idempotency_key, COALESCE(idempotency_fingerprint, ''),
       id, created_at
FROM complaints
WHERE idempotency_key IS NOT NULL AND reporter_id IS NOT NULL;

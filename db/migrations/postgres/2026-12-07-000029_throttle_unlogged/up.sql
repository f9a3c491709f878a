-- Attempt counters are written twice by every throttled attempt, the successful ones too (an
-- attempt is counted before it is checked, then given back). Unlogged, those writes skip the
-- write-ahead log and commit without waiting for the disk. What that costs: after a crash of
-- PostgreSQL (not a clean restart) the counters start again from zero, and a standby promoted
-- by a failover has none. Locks last minutes and windows an hour, so at worst a guesser gets
-- one fresh window after a crash.
ALTER TABLE throttle_addresses SET UNLOGGED;
ALTER TABLE throttle SET UNLOGGED;

-- PostgreSQL's attempt counters became unlogged; SQLite has no such thing (its writes in WAL
-- mode with synchronous = NORMAL already commit without waiting for the disk).
SELECT 1;

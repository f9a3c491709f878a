-- GET /v1/complaints?min_lat=&max_lat=&min_lon=&max_lon= as the product answers it
-- (api/src/app/complaints/reading.rs, map; db/src/complaints.rs, in_box): the 50 newest
-- complaints of ANY status (the public map filters nothing unless asked: rejected, duplicate
-- and closed ones are on it) whose lat lies in [min_lat, max_lat] and lon in [min_lon,
-- max_lon], both ends included, newest first, then greatest id.
-- `geom && ST_MakeEnvelope(…)::geography` is the GiST-backed sieve, not the test: geography's
-- box is the box of great-circle edges in geocentric 3-D, a little wider than the lat/lon
-- rectangle (it holds every point of it, with the index's outward rounding on top); the
-- BETWEENs on the stored doubles are the product's test to the bit. They are wrapped in a CASE
-- so that the planner does not count them as a second, independent narrowing: written plainly
-- it multiplies the box's share by both BETWEENs' (the same rows!) and expects ~1 % of what
-- the box holds, so it always takes the GiST and sorts thousands of rows (20 ms for a dense
-- box at 200,000 complaints); through the CASE it counts a half, and a dense box is read newest
-- first on complaints_created alone (0.3–1.5 ms).
-- The sample's numbers are fetched first (\gset), so that the map query proper gets them as
-- parameters and is planned for them (plan_cache_mode=force_custom_plan, set by run): a box
-- in a dense district is read newest first on complaints_created and stops at the 50th inside,
-- a sparse one through the GiST and a sort. The fetch is one more round trip per transaction
-- (a primary-key read of a few thousand rows), which the product does not pay.
\set k random(1, :map_box_samples)
SELECT min_lat, max_lat, min_lon, max_lon FROM map_box_samples WHERE n = :k \gset
SELECT c.id
FROM complaints c
WHERE c.geom && ST_MakeEnvelope(:min_lon, :min_lat, :max_lon, :max_lat, 4326)::geography
  AND CASE WHEN c.lat BETWEEN :min_lat AND :max_lat AND c.lon BETWEEN :min_lon AND :max_lon
           THEN true ELSE false END
ORDER BY c.created_at DESC, c.id DESC
LIMIT 50;

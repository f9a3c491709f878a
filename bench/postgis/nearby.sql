-- GET /v1/complaints/nearby?lat=&lon=&category= as the product answers it
-- (api/src/app/complaints/reading.rs, nearby): every OPEN complaint (new, acknowledged,
-- in_progress) of the category within the category's nearby_radius_m (categories.json: 50 to
-- 500 m; 250 m when a category names none) by the product's haversine, nearest first by the
-- distance to 0.1 m it shows, then newest, then greatest id. No LIMIT: the product returns them
-- all (the issue's "20 nearest" is not what the API does; there is no limit parameter).
-- ST_DWithin(…, use_spheroid => false) is the GiST-backed sieve, 1 cm wider than the radius
-- (PostGIS's sphere is 2.9 cm smaller than the product's, and its formula rounds otherwise);
-- haversine_m decides. `<->` is not used for the order: it measures on PostGIS's sphere and
-- could not break ties on the 0.1 m the product rounds to.
-- The sample is picked in the statement itself (a primary-key probe of nearby_samples, about
-- as dear as parsing the query string is to the product).
\set k random(1, :nearby_samples)
SELECT r.id
FROM nearby_samples s
CROSS JOIN LATERAL (
    SELECT c.id
    FROM complaints c
    WHERE c.is_open
      AND c.category = s.category
      AND ST_DWithin(c.geom, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)::geography,
                     s.radius_m::float8 + 0.01, false)
      AND haversine_m(s.lat, s.lon, c.lat, c.lon) <= s.radius_m
    ORDER BY tenth_m(haversine_m(s.lat, s.lon, c.lat, c.lon)), c.created_at DESC, c.id DESC
) r
WHERE s.n = :k;

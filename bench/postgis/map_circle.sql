-- GET /v1/complaints?lat=&lon=&radius_m=1000 (one map request in four of the product's `map`
-- scenario, bench/lua/map_request.lua) as the product answers it: the page is the 50 newest
-- complaints of any status in the box around the circle (domain/src/geo.rs, bounding_box: the
-- product's box, computed by ref.py as the product does and stored with the sample), and of
-- those the ones within radius_m by the product's haversine, newest first. A page can thus
-- show fewer than 50 while the circle holds more (its cursor goes on from the 50th of the box):
-- that is the API's paging, and the reference keeps it.
-- Fetched first and planned per request, as in map_box.sql.
\set k random(1, :map_circle_samples)
SELECT lat, lon, radius_m, min_lat, max_lat, min_lon, max_lon FROM map_circle_samples WHERE n = :k \gset
SELECT b.id
FROM (
    SELECT c.id, c.created_at, c.lat, c.lon
    FROM complaints c
    WHERE c.geom && ST_MakeEnvelope(:min_lon, :min_lat, :max_lon, :max_lat, 4326)::geography
      AND CASE WHEN c.lat BETWEEN :min_lat AND :max_lat AND c.lon BETWEEN :min_lon AND :max_lon
               THEN true ELSE false END
    ORDER BY c.created_at DESC, c.id DESC
    LIMIT 50
) b
WHERE haversine_m(:lat, :lon, b.lat, b.lon) <= :radius_m
ORDER BY b.created_at DESC, b.id DESC;

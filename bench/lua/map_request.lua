-- Shared by map.lua and mixed.lua: GET /v1/complaints, the public map as a phone shows it, for
-- place `p` and request number `i`: three requests in four a box of a city screen (1.5–3 km
-- wide, 1.6 times as tall) centred on the place, one in four the place as a centre with the
-- default 1 km radius. No filters, the default page (50, newest first).
return function(p, i)
  if i % 4 == 0 then
    return wrk.format("GET", string.format("/v1/complaints?lat=%.6f&lon=%.6f&radius_m=1000", p.lat, p.lon))
  end
  local width_km = 1.5 + 1.5 * ((i * 37) % 100) / 100
  local half_lon = width_km / 2 / (111.32 * math.cos(math.rad(p.lat)))
  local half_lat = width_km * 1.6 / 2 / 111.32
  return wrk.format("GET", string.format(
    "/v1/complaints?min_lat=%.6f&max_lat=%.6f&min_lon=%.6f&max_lon=%.6f",
    p.lat - half_lat, p.lat + half_lat, p.lon - half_lon, p.lon + half_lon))
end

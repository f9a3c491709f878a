-- GET /v1/complaints/nearby?lat=&lon=&category=, as the filing screen asks before a report:
-- at places and with categories drawn like the complaints (see places.lua).
local next_place = dofile(os.getenv("BENCH_LUA_DIR") .. "/places.lua")
request = function()
  local p = next_place()
  return wrk.format("GET", string.format("/v1/complaints/nearby?lat=%.6f&lon=%.6f&category=%s",
    p.lat, p.lon, p.category))
end

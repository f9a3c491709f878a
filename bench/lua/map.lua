-- GET /v1/complaints, the public map, at places drawn like the complaints (see places.lua and
-- map_request.lua).
local dir = os.getenv("BENCH_LUA_DIR")
local next_place = dofile(dir .. "/places.lua")
local map_request = dofile(dir .. "/map_request.lua")
request = function()
  return map_request(next_place())
end

-- Shared by the complaint scripts: the places bench-seed drew like the complaints
-- (places.txt of the samples, "lat lon category"). Each thread starts at its own random place;
-- the returned function gives the next place and the request's number.
local places = {}
for _, words in ipairs(dofile(os.getenv("BENCH_LUA_DIR") .. "/samples.lua")("places.txt")) do
  places[#places + 1] = { lat = tonumber(words[1]), lon = tonumber(words[2]), category = words[3] }
end
assert(#places > 0, "no places in the samples")

setup = function(thread)
  thread:set("offset", math.random(#places))
end

local i = 0
return function()
  i = i + 1
  return places[(offset + i * 7919) % #places + 1], i
end

-- Shared by the complaint scripts: the places bench-seed drew like the complaints
-- ($BENCH_SAMPLES, one "lat lon category" a line). Each thread starts at its own random place;
-- the returned function gives the next place and the request's number.
local places = {}
local path = os.getenv("BENCH_SAMPLES") or error("BENCH_SAMPLES: the samples file")
for line in io.lines(path) do
  local lat, lon, category = line:match("^(%S+) (%S+) (%S+)$")
  if lat then
    places[#places + 1] = { lat = tonumber(lat), lon = tonumber(lon), category = category }
  end
end
assert(#places > 0, "no places in " .. path)

setup = function(thread)
  thread:set("offset", math.random(#places))
end

local i = 0
return function()
  i = i + 1
  return places[(offset + i * 7919) % #places + 1], i
end

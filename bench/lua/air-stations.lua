-- GET /v1/air/stations?lat=&lon=: a phone's position anywhere in Đà Nẵng's built-up area, as
-- the map asks when it opens; each thread from its own random start.
setup = function(thread)
  thread:set("offset", math.random(100000))
end
local i = 0
request = function()
  i = i + 1
  local n = offset + i * 7919
  local lat = 15.98 + (n % 1000) / 1000 * 0.14
  local lon = 108.12 + (math.floor(n / 1000) % 1000) / 1000 * 0.14
  return wrk.format("GET", string.format("/v1/air/stations?lat=%.5f&lon=%.5f", lat, lon))
end

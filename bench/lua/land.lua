-- GET /v1/land?lat=&lon=: points inside the grid bench/land/layer.py wrote (rows of 500 squares
-- of 0.00018° from (16.03, 108.19), BENCH_LAND_ROWS rows), each thread from its own start.
local rows = tonumber(os.getenv("BENCH_LAND_ROWS"))
setup = function(thread)
  thread:set("offset", math.random(1000000))
end
local i = 0
request = function()
  i = i + 1
  local n = offset + i * 7919
  local lat = 16.03 + ((n % (rows * 97)) / 97) * 0.00018
  local lon = 108.19 + ((math.floor(n / 13) % 4999) / 10) * 0.00018
  return wrk.format("GET", string.format("/v1/land?lat=%.7f&lon=%.7f", lat, lon))
end

-- GET /v1/air/stations/{code}: a station's last 48 hours and 30 days, stations drawn in turn
-- from the codes bench-air printed ($BENCH_AIR_CODES), each thread from its own random start.
local codes = {}
for line in io.lines(os.getenv("BENCH_AIR_CODES")) do
  codes[#codes + 1] = line
end
assert(#codes > 0, "no station codes")
setup = function(thread)
  thread:set("offset", math.random(#codes))
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/air/stations/" .. codes[(offset + i) % #codes + 1])
end

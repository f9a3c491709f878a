-- GET /rows/{id} of bench-reference (bench/src/reference.rs): rows spread over the table as
-- detail.lua spreads complaints, each thread from its own random start.
local rows = tonumber(os.getenv("BENCH_REFERENCE_ROWS") or "100000")
setup = function(thread)
  thread:set("offset", math.random(rows))
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", string.format("/rows/%08d", (offset + i * 7919) % rows))
end

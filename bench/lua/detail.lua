-- GET /v1/complaints/{id}, the public detail, of complaints spread evenly over the year
-- (complaints.txt of the samples), each thread from its own random start.
local ids = dofile(os.getenv("BENCH_LUA_DIR") .. "/samples.lua")("complaints.txt")
assert(#ids > 0, "no complaint ids in the samples")
setup = function(thread)
  thread:set("offset", math.random(#ids))
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/complaints/" .. ids[(offset + i * 7919) % #ids + 1][1])
end

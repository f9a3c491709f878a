-- GET /v1/procedures/{code}, a procedure's detail, of procedures drawn at random from the
-- catalogue (procedures.txt, written by bench/compare), each thread from its own random start.
local codes = dofile(os.getenv("BENCH_LUA_DIR") .. "/samples.lua")("procedures.txt")
assert(#codes > 0, "no procedure codes in the samples")
setup = function(thread)
  thread:set("offset", math.random(#codes))
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/procedures/" .. codes[(offset + i * 7919) % #codes + 1][1])
end

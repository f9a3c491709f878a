-- POST /v1/complaints by logged-in citizens ($BENCH_TOKENS, taken in turn), with one phone
-- photo ($BENCH_PHOTO), at places and with categories drawn like the complaints (see
-- places.lua and filing.lua).
local dir = os.getenv("BENCH_LUA_DIR")
local next_place = dofile(dir .. "/places.lua")
local tokens = dofile(dir .. "/tokens.lua")
local filing = dofile(dir .. "/filing.lua")
request = function()
  local p, i = next_place()
  return filing(tokens.citizen(i), p)
end

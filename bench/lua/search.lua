-- Procedure searches as citizens type them, keystroke by keystroke (see search_paths.lua).
local paths = dofile(os.getenv("BENCH_LUA_DIR") .. "/search_paths.lua")
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

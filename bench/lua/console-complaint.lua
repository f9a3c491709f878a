-- GET /console/complaints/{id}: a complaint's page, opened by the staff member of its agency
-- (or the administrator), the signed-in browsers taken in turn.
local console = dofile(os.getenv("BENCH_LUA_DIR") .. "/console.lua")
setup = function(thread)
  thread:set("offset", math.random(#console.sessions))
end
local i = 0
request = function()
  i = i + 1
  local session = console.sessions[(offset + i) % #console.sessions + 1]
  return console.get(session, "/console/complaints/" .. console.complaint_of(session).id)
end

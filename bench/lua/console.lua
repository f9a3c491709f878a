-- Shared by the console's load scripts (inbox.lua, console-complaint.lua): the signed-in
-- browsers bench/lib.sh wrote to $BENCH_SESSIONS ("AGENCY_ID COOKIE" lines, "*" for the
-- administrator) and the complaints they look at (agency_complaints.txt of the samples:
-- "agency_id id category area word").
local read_samples = dofile(os.getenv("BENCH_LUA_DIR") .. "/samples.lua")
local console = { sessions = {}, of_agency = {}, all = {} }

for line in io.lines(os.getenv("BENCH_SESSIONS") or error("BENCH_SESSIONS: the sessions file")) do
  local agency, cookie = line:match("^(%S+) (%S+)$")
  if agency then
    console.sessions[#console.sessions + 1] = { agency = agency, cookie = "sc_session=" .. cookie }
  end
end
assert(#console.sessions > 0, "no console sessions")

for _, row in ipairs(read_samples("agency_complaints.txt")) do
  local complaint = { agency = row[1], id = row[2], category = row[3], area = row[4], word = row[5] }
  console.all[#console.all + 1] = complaint
  local list = console.of_agency[complaint.agency] or {}
  list[#list + 1] = complaint
  console.of_agency[complaint.agency] = list
end
assert(#console.all > 0, "no complaints in agency_complaints.txt")

-- A complaint the session's agency holds (any, for the administrator).
function console.complaint_of(session)
  local list = console.of_agency[session.agency] or console.all
  return list[math.random(#list)]
end

function console.get(session, path)
  return wrk.format("GET", path, { Cookie = session.cookie })
end

-- Percent-encodes a query value.
function console.encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c)
    return string.format("%%%02X", c:byte())
  end))
end

return console

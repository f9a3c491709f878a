-- GET /console/: the inbox, as the signed-in staff of every agency and the administrator use
-- it (taken in turn), with a mix of filters. Per 100 requests: 25 the plain inbox (open ones,
-- soonest due first), 10 its second page (the cursor of a plain inbox answered before), 10 a
-- status, 10 a category, 10 an area (those of a complaint the agency holds), 10 overdue, 5 due
-- soon, 15 a word of a description (of any agency's complaint, so now and then one this agency
-- rarely sees), 5 a complaint's id. BENCH_INBOX_KIND=KIND sends only that kind (plain, next,
-- status, category, area, overdue, due_soon, word, id), for the breakdown by kind.
local console = dofile(os.getenv("BENCH_LUA_DIR") .. "/console.lua")
local MIX = {
  { "plain", 25 }, { "next", 10 }, { "status", 10 }, { "category", 10 }, { "area", 10 },
  { "overdue", 10 }, { "due_soon", 5 }, { "word", 15 }, { "id", 5 },
}
local only = os.getenv("BENCH_INBOX_KIND")
if only and only ~= "" then
  local known = false
  for _, kind in ipairs(MIX) do
    known = known or kind[1] == only
  end
  assert(known, "BENCH_INBOX_KIND: unknown kind " .. only)
  MIX = { { only, 1 } }
end
local total = 0
for _, kind in ipairs(MIX) do
  total = total + kind[2]
end
local STATUSES = { "new", "acknowledged", "in_progress", "resolved", "closed" }

setup = function(thread)
  thread:set("offset", math.random(#console.sessions))
end

local function draw()
  local x = math.random() * total
  for _, kind in ipairs(MIX) do
    if x < kind[2] then
      return kind[1]
    end
    x = x - kind[2]
  end
  return MIX[#MIX][1]
end

-- The cursor of the last plain inbox answered with a next page.
local cursor = nil
local i = 0
request = function()
  i = i + 1
  local session = console.sessions[(offset + i) % #console.sessions + 1]
  local complaint = console.complaint_of(session)
  local kind = draw()
  local query
  if kind == "plain" or (kind == "next" and not cursor) then
    query = ""
  elseif kind == "next" then
    query = "after=" .. cursor
  elseif kind == "status" then
    query = "status=" .. STATUSES[math.random(#STATUSES)]
  elseif kind == "category" then
    query = "category=" .. complaint.category
  elseif kind == "area" then
    query = complaint.area == "-" and "" or "area=" .. complaint.area
  elseif kind == "overdue" then
    query = "overdue=1"
  elseif kind == "due_soon" then
    query = "due_soon=1"
  elseif kind == "word" then
    query = "q=" .. console.encode(console.all[math.random(#console.all)].word)
  else
    query = "q=" .. complaint.id
  end
  return console.get(session, "/console/" .. (query == "" and "" or "?" .. query))
end

response = function(status, headers, body)
  local after = body:match('href="/console/%?after=([^"&]+)"')
  if after then
    cursor = after
  end
end

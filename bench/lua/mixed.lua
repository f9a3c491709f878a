-- The mixed profile (bench/run mixed, bench/soak): the app's users at once, one weighted draw
-- per request. Per 100 requests:
--   reads (80): 25 complaint detail (complaints spread over the year), 20 procedure search
--     keystrokes (search_paths.lua), 15 public map (map_request.lua), 10 nearby before a filing,
--     10 dossier lookups with the right proof;
--   writes (20): 7 follow and 6 "me too" of a complaint by a logged-in citizen (16 taken in
--     turn; a repeat answers 200), 4 staff steps, 3 filings with one 1280×960 photo
--     ($BENCH_PHOTO) by a logged-in citizen.
-- A staff step is the bench staff member of the complaint's agency acknowledging a `new`
-- complaint or starting work on an `acknowledged` one (actionable.txt of the samples). Each
-- complaint can take that step once, so every thread of a run takes its own share, and the
-- warm-up another (BENCH_WRITE_ROUND); a thread whose share is used up writes internal notes
-- on the same complaints instead. Nothing here is throttled: lookups prove the right phone, and
-- only failed lookups and logins count towards a lock.
-- BENCH_DELAY_MS paces a fixed rate: each connection waits that long after each answer.
local dir = os.getenv("BENCH_LUA_DIR")
local read_samples = dofile(dir .. "/samples.lua")
local next_place = dofile(dir .. "/places.lua")
local map_request = dofile(dir .. "/map_request.lua")
local search_paths = dofile(dir .. "/search_paths.lua")
local tokens = dofile(dir .. "/tokens.lua")
local filing = dofile(dir .. "/filing.lua")
local ids = read_samples("complaints.txt")
local actionable = read_samples("actionable.txt")
assert(#ids > 0 and #actionable > 0, "no complaints in the samples")
local dossiers = tonumber(os.getenv("BENCH_DOSSIERS") or "100000")

-- Shares of actionable.txt: 4 rounds × 8 threads.
local SHARES, THREADS_PER_ROUND = 32, 8
local round = tonumber(os.getenv("BENCH_WRITE_ROUND") or "0")

local threads = 0
local place_setup = setup
setup = function(thread)
  place_setup(thread)
  assert(threads < THREADS_PER_ROUND, "at most 8 wrk threads")
  thread:set("share", round * THREADS_PER_ROUND + threads)
  threads = threads + 1
end

init = function()
  math.randomseed(offset)
  taken = share
end

-- A POST as `token` (nil: anonymous) with a JSON body, or none.
local function post(path, token, body)
  local headers = {}
  if token then
    headers["Authorization"] = "Bearer " .. token
  end
  if body ~= "" then
    headers["Content-Type"] = "application/json"
  end
  return wrk.format("POST", path, headers, body)
end

local function staff_step()
  local c
  local body
  if taken < #actionable then
    c = actionable[taken + 1]
    taken = taken + SHARES
    if c[2] == "new" then
      body = '{"type":"acknowledged","comment":"Đã tiếp nhận, chuyển đội thu gom xử lý"}'
    else
      body = '{"type":"in_progress","comment":"Đội đang xử lý tại hiện trường"}'
    end
  else
    c = actionable[math.random(#actionable)]
    body = '{"type":"note","text":"Đã liên hệ người phản ánh, hẹn kiểm tra lại"}'
  end
  return post("/v1/complaints/" .. c[1] .. "/events", tokens.of_staff(c[3]), body)
end

local function random_id()
  return ids[math.random(#ids)][1]
end

-- Cumulative weights out of 100, in the order of the comment above.
local profile = {
  { 25, function() return wrk.format("GET", "/v1/complaints/" .. random_id()) end },
  { 45, function() return wrk.format("GET", search_paths[math.random(#search_paths)]) end },
  { 60, function() return map_request(next_place()) end },
  { 70, function()
    local p = next_place()
    return wrk.format("GET", string.format("/v1/complaints/nearby?lat=%.6f&lon=%.6f&category=%s",
      p.lat, p.lon, p.category))
  end },
  { 80, function()
    local i = math.random(dossiers) - 1
    return post("/v1/dossiers/lookup", nil,
      string.format('{"code":"BENCH-%06d","phone":"+8491%07d"}', i, i))
  end },
  { 87, function()
    return post("/v1/complaints/" .. random_id() .. "/followers", tokens.citizen(math.random(1000)), "")
  end },
  { 93, function()
    return post("/v1/complaints/" .. random_id() .. "/me-too", tokens.citizen(math.random(1000)), "")
  end },
  { 97, staff_step },
  { 100, function() return filing(tokens.citizen(math.random(1000)), next_place()) end },
}

request = function()
  local draw = math.random(100)
  for _, entry in ipairs(profile) do
    if draw <= entry[1] then
      return entry[2]()
    end
  end
end

local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if pause then
  delay = function()
    return pause
  end
end

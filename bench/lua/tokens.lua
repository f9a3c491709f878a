-- Shared by the scripts that act as logged-in people: the tokens bench/lib.sh wrote to
-- $BENCH_TOKENS ("citizen TOKEN" and "staff AGENCY_ID TOKEN" lines). The file is read again
-- every minute, so a long run (bench/soak) keeps working when it is replaced with fresh tokens.
local path = os.getenv("BENCH_TOKENS") or error("BENCH_TOKENS: the tokens file")
local tokens = { citizens = {}, staff = {} }
local read_at = -1

local function read()
  local citizens, staff = {}, {}
  for line in io.lines(path) do
    local kind, a, b = line:match("^(%S+) (%S+) ?(%S*)$")
    if kind == "citizen" then
      citizens[#citizens + 1] = a
    elseif kind == "staff" then
      staff[a] = b
    end
  end
  assert(#citizens > 0, "no citizen tokens in " .. path)
  tokens.citizens, tokens.staff, read_at = citizens, staff, os.time()
end

-- The token of citizen `i` (any number: they are taken in turn).
function tokens.citizen(i)
  if os.time() - read_at >= 60 then
    read()
  end
  return tokens.citizens[i % #tokens.citizens + 1]
end

-- The token of the bench staff member of an agency.
function tokens.of_staff(agency_id)
  if os.time() - read_at >= 60 then
    read()
  end
  return tokens.staff[agency_id] or error("no staff token for agency " .. agency_id)
end

return tokens

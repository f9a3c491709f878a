-- Dossier lookups with the right proof, over the dossiers bench-seed made
-- (BENCH-{i:06}, phone +8491{i:07}).
local dossiers = tonumber(os.getenv("BENCH_DOSSIERS") or "100000")
local counter = 0
request = function()
  counter = counter + 1
  local i = (counter * 7919) % dossiers
  local body = string.format('{"code":"BENCH-%06d","phone":"+8491%07d"}', i, i)
  return wrk.format("POST", "/v1/dossiers/lookup", { ["Content-Type"] = "application/json" }, body)
end

-- POST /v1/dossiers by logged-in citizens ($BENCH_TOKENS, taken in turn): a birth registration
-- submitted online with three files of about 1 MB each, as phones send them: the declaration
-- and the identity card as PDF scans ($BENCH_PDF), the birth certificate as a photo
-- ($BENCH_DOC_PHOTO), re-encoded by the server.
local dir = os.getenv("BENCH_LUA_DIR")
local tokens = dofile(dir .. "/tokens.lua")

local function read(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

local boundary = "smartcity-bench-7f3a9c"
local pdf = read(os.getenv("BENCH_PDF") or error("BENCH_PDF"))
local photo = read(os.getenv("BENCH_DOC_PHOTO") or error("BENCH_DOC_PHOTO"))
local fields = {
  { "procedure", "XA-HT-01" },
  { "agency", "ubnd-phuong-hai-chau" },
  { "applicant_type", "citizen" },
  { "applicant_name", "Nguyễn Thị Ánh" },
  { "identity_number", "048190001234" },
  { "province", "Đà Nẵng" },
  { "ward", "Phường Hải Châu" },
  { "street", "12 Bạch Đằng" },
  { "return_method", "counter" },
}
local parts = {}
for _, f in ipairs(fields) do
  parts[#parts + 1] = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. f[1]
    .. "\"\r\n\r\n" .. f[2] .. "\r\n"
end
local function file(name, filename, mime, data)
  parts[#parts + 1] = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name
    .. "\"; filename=\"" .. filename .. "\"\r\nContent-Type: " .. mime .. "\r\n\r\n" .. data .. "\r\n"
end
file("files[to-khai]", "to-khai.pdf", "application/pdf", pdf)
file("files[giay-chung-sinh]", "giay-chung-sinh.jpg", "image/jpeg", photo)
file("files[giay-to-tuy-than]", "cccd.pdf", "application/pdf", pdf)
local body = table.concat(parts) .. "--" .. boundary .. "--\r\n"

local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/v1/dossiers", {
    ["Authorization"] = "Bearer " .. tokens.citizen(i),
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
  }, body)
end

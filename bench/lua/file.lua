-- POST /v1/complaints by a logged-in citizen ($BENCH_TOKEN): multipart with category,
-- description, lat, lon and one phone photo ($BENCH_PHOTO), at places and with categories drawn
-- like the complaints (see places.lua).
local next_place = dofile(os.getenv("BENCH_LUA_DIR") .. "/places.lua")
local token = os.getenv("BENCH_TOKEN") or error("BENCH_TOKEN: a citizen's access token")
local file = assert(io.open(os.getenv("BENCH_PHOTO") or error("BENCH_PHOTO: a JPEG"), "rb"))
local photo = file:read("*a")
file:close()
local boundary = "----smartcity-bench-7d9f1c2b"
local photo_part = "--" .. boundary .. "\r\n"
  .. 'Content-Disposition: form-data; name="photos"; filename="IMG_2041.jpg"\r\n'
  .. "Content-Type: image/jpeg\r\n\r\n" .. photo .. "\r\n--" .. boundary .. "--\r\n"
local function text_part(name, value)
  return "--" .. boundary .. "\r\n" .. 'Content-Disposition: form-data; name="' .. name
    .. '"\r\n\r\n' .. value .. "\r\n"
end
local headers = {
  ["Authorization"] = "Bearer " .. token,
  ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
}
-- The answers a category requires (data/categories.json), as the app would send them.
local required = {
  drainage_flooding = { depth = "knee" },
  food_safety = { place_type = "street_vendor" },
}
request = function()
  local p = next_place()
  local body = text_part("category", p.category)
    .. text_part("description", "Phản ánh thử tải: ổ gà lớn giữa đường, xe máy đi qua rất nguy hiểm")
    .. text_part("lat", string.format("%.6f", p.lat))
    .. text_part("lon", string.format("%.6f", p.lon))
  for code, value in pairs(required[p.category] or {}) do
    body = body .. text_part("attribute[" .. code .. "]", value)
  end
  body = body .. photo_part
  return wrk.format("POST", "/v1/complaints", headers, body)
end

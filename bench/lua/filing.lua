-- Shared by file.lua and mixed.lua: POST /v1/complaints as the app sends it, multipart with
-- category, description, lat, lon, the answers the category requires, and one photo
-- ($BENCH_PHOTO). Returns a function (token, place) giving the request.
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
-- The answers a category requires (data/categories.json), as the app would send them.
local required = {
  drainage_flooding = { depth = "knee" },
  food_safety = { place_type = "street_vendor" },
}
return function(token, p)
  local body = text_part("category", p.category)
    .. text_part("description", "Phản ánh thử tải: ổ gà lớn giữa đường, xe máy đi qua rất nguy hiểm")
    .. text_part("lat", string.format("%.6f", p.lat))
    .. text_part("lon", string.format("%.6f", p.lon))
  for code, value in pairs(required[p.category] or {}) do
    body = body .. text_part("attribute[" .. code .. "]", value)
  end
  body = body .. photo_part
  return wrk.format("POST", "/v1/complaints", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
  }, body)
end

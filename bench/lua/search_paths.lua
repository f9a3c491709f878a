-- Shared by search.lua and mixed.lua: procedure searches as citizens type them, keystroke by
-- keystroke (each prefix from the third byte on a request path).
local queries = {
  "dang ky khai sinh", "làm giấy khai sinh cho con", "đổi bằng lái xe", "giay doc than",
  "sổ đỏ", "đăng ký kết hôn", "mo ho kinh doanh", "xin giấy phép xây dựng nhà ở",
  "chung thuc ban sao", "đăng ký thường trú", "ho tro mai tang", "tro cap xa hoi",
  "cap lai giay khai sinh", "khai tu", "tach thua dat", "giay phep lai xe quoc te",
  "dnag ky ket hon", "an toan thuc pham", "đăng ký tạm trú", "chuyển trường",
}
local function encode(text)
  return (text:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local paths = {}
for _, q in ipairs(queries) do
  local prefix = ""
  -- Whole UTF-8 characters, one keystroke at a time.
  for ch in q:gmatch("[%z\1-\127\194-\244][\128-\191]*") do
    prefix = prefix .. ch
    if #prefix >= 3 then
      paths[#paths + 1] = "/v1/procedures?per_page=20&q=" .. encode(prefix)
    end
  end
end
return paths

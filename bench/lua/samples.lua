-- Shared by the load scripts: reads a file of the samples directory bench-seed wrote
-- ($BENCH_SAMPLES, see bench/src/samples.rs) as a list of lines, each a list of its words.
return function(name)
  local dir = os.getenv("BENCH_SAMPLES") or error("BENCH_SAMPLES: the samples directory")
  local rows = {}
  for line in io.lines(dir .. "/" .. name) do
    local words = {}
    for word in line:gmatch("%S+") do
      words[#words + 1] = word
    end
    if #words > 0 then
      rows[#rows + 1] = words
    end
  end
  return rows
end

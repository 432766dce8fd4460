-- wrk script for scripts/load: a mix of the site's traffic drawn from the
-- corpus's titles and ids.
--   wrk ... -s scripts/load.lua URL -- titles.txt ids.txt
-- 55% search (whole titles or a 2-6 character piece of one), 20% suggest
-- (1-4 leading characters), 20% related for a stored article, 5% related
-- for a draft (POST). Counts non-2xx answers per thread; done() reports them.

local titles, ids = {}, {}
local threads = {}
non2xx = 0 -- global: done() reads it from each thread with thread:get

local function lines(path)
  local t = {}
  for l in io.lines(path) do if l ~= "" then t[#t + 1] = l end end
  return t
end

-- chars splits a UTF-8 string into characters.
local function chars(s)
  local t = {}
  for c in s:gmatch("[%z\1-\127\194-\244][\128-\191]*") do t[#t + 1] = c end
  return t
end

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local function piece(t, from, n)
  return table.concat(t, "", from, math.min(#t, from + n - 1))
end

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  titles = lines(args[1])
  ids = lines(args[2])
  math.randomseed(os.time() + (id or 0) * 7919)
end

function request()
  local r = math.random(100)
  local title = chars(titles[math.random(#titles)])
  if r <= 55 then
    local q
    if math.random(2) == 1 then
      q = table.concat(title)
    else
      local n = math.random(2, 6)
      q = piece(title, math.random(math.max(1, #title - n + 1)), n)
    end
    return wrk.format("GET", "/api/v1/search?q=" .. urlencode(q) .. "&size=10")
  elseif r <= 75 then
    return wrk.format("GET", "/api/v1/suggest?q=" .. urlencode(piece(title, 1, math.random(1, 4))) .. "&size=8")
  elseif r <= 95 then
    return wrk.format("GET", "/api/v1/articles/" .. ids[math.random(#ids)] .. "/related?size=5")
  end
  local body = '{"title":"' .. table.concat(title) .. '","body":"' .. table.concat(chars(titles[math.random(#titles)])) .. '","size":5}'
  return wrk.format("POST", "/api/v1/related", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("non2xx") or 0) end
  local e = summary.errors
  io.write(string.format("LOAD requests=%d non2xx=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d status_errors=%d\n",
    summary.requests, bad, e.connect, e.read, e.write, e.timeout, e.status))
  io.write(string.format("LOAD latency_ms p50=%.2f p90=%.2f p99=%.2f max=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end

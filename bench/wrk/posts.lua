-- wrk script for bench/run: every request POSTs the next JSON body of the
-- file named by the environment variable BODIES (one body a line) to the
-- path named by POST_PATH, each thread starting at its own offset; done()
-- prints the machine-readable line of paths.lua:
--   RESULT requests=N seconds=S rps=R p50_ms=A p90_ms=B p99_ms=C errors=E
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do
  bodies[#bodies + 1] = line
end
if #bodies == 0 then
  error("no bodies in " .. tostring(os.getenv("BODIES")))
end
local path = os.getenv("POST_PATH") or error("POST_PATH is not set")
local headers = { ["Content-Type"] = "application/json" }

local counter = 0
function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end

local i = 0
function request()
  i = i + 1
  return wrk.format("POST", path, headers, bodies[((offset or 0) + i) % #bodies + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, errors))
end

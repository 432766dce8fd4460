-- wrk script for bench/run: every request takes the next line of the file
-- named by the environment variable PATHS, each thread starting at its own
-- offset. A line is a path to GET or, when POST_PATH names a path, a JSON
-- body to POST there (drafts for POST /api/v1/related). done() prints one
-- machine-readable line:
--   RESULT requests=N seconds=S rps=R p50_ms=A p90_ms=B p99_ms=C errors=E
local lines = {}
for line in io.lines(os.getenv("PATHS")) do
  lines[#lines + 1] = line
end
if #lines == 0 then
  error("no lines in " .. tostring(os.getenv("PATHS")))
end
local post = os.getenv("POST_PATH")
if post == "" then
  post = nil
end
local headers = { ["Content-Type"] = "application/json" }

local counter = 0
function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end

local i = 0
function request()
  i = i + 1
  local line = lines[((offset or 0) + i) % #lines + 1]
  if post then
    return wrk.format("POST", post, headers, line)
  end
  return wrk.format("GET", line)
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, errors))
end

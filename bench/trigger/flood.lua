-- wrk script for bench/trigger/flood.sh: POST /hooks/github with a wrong signature (an unsigned
-- flood), paced to FLOOD_RATE requests/s over all connections (a delay before each request on a
-- connection), counting answers by status. Loopback only (the URL is the trigger's port).
local rate = tonumber(os.getenv("FLOOD_RATE") or "2000")
local connections = tonumber(os.getenv("FLOOD_CONNECTIONS") or "64")
local body = '{"ref":"refs/heads/main","after":"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",'
  .. '"repository":{"full_name":"acme/web"},"pusher":{"name":"attacker"}}'
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-GitHub-Event"] = "push"
wrk.headers["X-GitHub-Delivery"] = "flood"
wrk.headers["X-Hub-Signature-256"] = "sha256=" .. string.rep("0", 64)

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

counts = {}
-- about 1 ms of each cycle is the answer itself
local pause = math.max(0, connections * 1000 / rate - 1)
function init(args)
  counts = {}
end

function delay()
  return pause
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do
      total[k] = (total[k] or 0) + v
    end
  end
  local parts = {}
  for k, v in pairs(total) do
    table.insert(parts, k .. "=" .. v)
  end
  table.sort(parts)
  io.write(string.format("flood-summary requests=%d seconds=%.1f errors=%d statuses=%s p50us=%d p99us=%d maxus=%d\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ","), latency:percentile(50), latency:percentile(99), latency.max))
end

-- wrk script: POST /api/login with a right password, in a loop (bench/login_storm.sh).
-- Counts the answers by status, printed at the end (200 logged in, 503 the
-- hashing queue was full, 429 throttled).
wrk.method = "POST"
wrk.body = '{"username":"' .. (os.getenv("LOGIN_USER") or "manager1") .. '","password":"rota-demo"}'
wrk.headers["Content-Type"] = "application/json"

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init()
  counts = {}
end
function response(status)
  counts[status] = (counts[status] or 0) + 1
end
function done()
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for s, n in pairs(c) do total[s] = (total[s] or 0) + n end
  end
  local parts = {}
  for s, n in pairs(total) do table.insert(parts, s .. "=" .. n) end
  table.sort(parts)
  io.write("login statuses: " .. table.concat(parts, " ") .. "\n")
end

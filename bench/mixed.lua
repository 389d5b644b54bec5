-- wrk script: the mixed workload. 95% dashboard reads spread over the homes, 5%
-- writes (a new certification, expiring within the dashboard's 30-day window, for
-- an active member of staff of a random home), with a check for stale reads.
-- BENCH_WRITE=move writes instead what the Django peer also accepts: PATCH
-- /api/shifts/{id} moving a vacant shift from beyond the dashboard's 7 days to
-- today, which adds one to its home's total_shifts.
--
-- Run with exactly one connection per thread (wrk -tN -cN): a thread then sends
-- one request, gets its response, sends the next, so each response() belongs
-- to the request() just before it.
--
-- Environment:
--   ROTA_BENCH_TOKEN  bearer token (administrator)
--   BENCH_STAFF       comma-separated: an active member of staff of home 1, 2, ... (one per home)
--   BENCH_INIT        comma-separated: each home's certifications_expiring_30d before the run
--   BENCH_EXPIRES     expires_on of the new certifications (within today .. today + 29)
--   BENCH_BYPASS      "1": reads send `X-Cache-Bypass: 1` (the "cache disabled" contender)
--   BENCH_WRITE       "cert" (the default) or "move"; for "move" also:
--   BENCH_POOL        the vacant shifts beyond the window, per home: "id,id,...;id,id,...;..."
--                     (home 1 first); thread t of BENCH_THREADS takes every BENCH_THREADS-th
--                     id from the t-th, so no shift is moved twice; a thread whose share for a
--                     home is used up reads instead (counted as pool_empty)
--   BENCH_TODAY       the date the shifts are moved to
--   BENCH_THREADS     wrk's -t
--   (BENCH_INIT is then each home's total_shifts in the window before the run.)
--
-- Stale reads. Every acknowledged write (201; a move: 200) adds exactly one to its
-- home's certifications_expiring_30d (a move: total_shifts), and nothing else in the
-- run lowers it. So a read
-- of home h sent at time s must show at least
--     BENCH_INIT[h] + (writes to h acknowledged before s)
-- (times are CLOCK_MONOTONIC, taken when wrk asks for the request and when the
-- response has arrived, so "acknowledged before s" is never over-counted). A read
-- showing less is stale: it returned data older than a write already acknowledged
-- to some client. done() merges the threads' logs and prints one MIXED line, with
-- the writes acknowledged and sent per home: afterwards the database must hold
-- between the two more certifications per home (wrk stops with requests in flight).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } rota_timespec;
int clock_gettime(int clk_id, rota_timespec *tp);
]]
local ts = ffi.new("rota_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

local function split_numbers(s)
  local out = {}
  for v in string.gmatch(s or "", "[^,]+") do out[#out + 1] = tonumber(v) end
  return out
end

local token = os.getenv("ROTA_BENCH_TOKEN")
local staff = split_numbers(os.getenv("BENCH_STAFF"))
local init_counts = split_numbers(os.getenv("BENCH_INIT"))
local expires = os.getenv("BENCH_EXPIRES") or "2026-12-10"
local bypass = os.getenv("BENCH_BYPASS") == "1"
local move = os.getenv("BENCH_WRITE") == "move"
local today = os.getenv("BENCH_TODAY") or ""
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
local field = move and "total_shifts" or "certifications_expiring_30d"
local pool_text = os.getenv("BENCH_POOL") or ""
local homes = move and #init_counts or #staff

-- Main state: the thread objects, for done().
local threads = {}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  threads[#threads + 1] = thread
end

-- Per-thread state (each wrk thread has its own Lua state).
counter = 0
pending_kind, pending_home, pending_t = nil, 0, 0
read_home, read_value, read_sent = {}, {}, {}
write_home, write_acked = {}, {}
sent = {}  -- writes sent per home, acknowledged or not
hits, misses, bypasses, other_cache = 0, 0, 0, 0
read_errors, write_errors, unparsed = 0, 0, 0
pool, pool_empty = {}, 0  -- move: this thread's shifts per home, still to move

function init(args)
  if homes == 0 or #init_counts ~= homes or not token or (move and today == "") then
    error("mixed.lua: set ROTA_BENCH_TOKEN, BENCH_INIT (one value per home), and BENCH_STAFF or " ..
          "BENCH_WRITE=move with BENCH_POOL, BENCH_TODAY and BENCH_THREADS")
  end
  counter = (tid or 1) * 1000003  -- threads walk different, deterministic sequences
  if move then
    local h = 0
    for ids in string.gmatch(pool_text .. ";", "([^;]*);") do
      h = h + 1
      pool[h] = {}
      local all = split_numbers(ids)
      for i = (tid or 1), #all, nthreads do pool[h][#pool[h] + 1] = all[i] end
    end
  end
end

function request()
  counter = counter + 1
  local headers = {["Authorization"] = "Bearer " .. token}
  local home
  if counter % 20 == 0 then  -- 1 in 20: a write, to the homes in turn
    home = math.floor(counter / 20) % homes + 1
  else
    home = (counter * 7919) % homes + 1
  end
  pending_home = home
  pending_t = now_us()
  if counter % 20 == 0 and move then
    local shift = pool[home] and table.remove(pool[home])
    if shift then
      pending_kind = "W"
      sent[home] = (sent[home] or 0) + 1
      headers["Content-Type"] = "application/json"
      return wrk.format("PATCH", "/api/shifts/" .. shift, headers, string.format('{"date":"%s"}', today))
    end
    pool_empty = pool_empty + 1  -- read instead
  elseif counter % 20 == 0 then
    pending_kind = "W"
    sent[home] = (sent[home] or 0) + 1
    headers["Content-Type"] = "application/json"
    local body = string.format('{"staff_id":%d,"name":"Bench Drill %d","expires_on":"%s"}', staff[home], counter,
                               expires)
    return wrk.format("POST", "/api/certifications", headers, body)
  end
  pending_kind = "R"
  if bypass then headers["X-Cache-Bypass"] = "1" end
  return wrk.format("GET", "/api/homes/" .. home .. "/dashboard", headers)
end

function response(status, headers, body)
  local t = now_us()
  if pending_kind == "W" then
    if status == (move and 200 or 201) then
      write_home[#write_home + 1] = pending_home
      write_acked[#write_acked + 1] = t
    else
      write_errors = write_errors + 1
    end
  elseif pending_kind == "R" then
    if status ~= 200 then
      read_errors = read_errors + 1
    else
      local v = tonumber(string.match(body or "", '"' .. field .. '":(%d+)'))
      if not v then
        unparsed = unparsed + 1
      else
        read_home[#read_home + 1] = pending_home
        read_value[#read_value + 1] = v
        read_sent[#read_sent + 1] = pending_t
      end
      local x = headers["X-Cache"] or headers["x-cache"]
      if x == "HIT" then hits = hits + 1
      elseif x == "MISS" then misses = misses + 1
      elseif x == "BYPASS" then bypasses = bypasses + 1
      else other_cache = other_cache + 1 end
    end
  end
  pending_kind = nil
end

-- Number of values in the sorted list `a` that are < x.
local function count_below(a, x)
  local lo, hi = 1, #a + 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if a[mid] < x then lo = mid + 1 else hi = mid end
  end
  return lo - 1
end

function done(summary, latency, requests)
  local acks = {}
  for h = 1, homes do acks[h] = {} end
  local totals = {hits = 0, misses = 0, bypasses = 0, other = 0, read_errors = 0, write_errors = 0, unparsed = 0,
                  pool_empty = 0}
  local reads = {}
  local sent_total = {}
  for h = 1, homes do sent_total[h] = 0 end
  for _, thread in ipairs(threads) do
    local ts = thread:get("sent")
    for h = 1, homes do sent_total[h] = sent_total[h] + (ts[h] or 0) end
    local wh, wa = thread:get("write_home"), thread:get("write_acked")
    for i = 1, #wh do table.insert(acks[wh[i]], wa[i]) end
    reads[#reads + 1] = {thread:get("read_home"), thread:get("read_value"), thread:get("read_sent")}
    totals.hits = totals.hits + thread:get("hits")
    totals.misses = totals.misses + thread:get("misses")
    totals.bypasses = totals.bypasses + thread:get("bypasses")
    totals.other = totals.other + thread:get("other_cache")
    totals.read_errors = totals.read_errors + thread:get("read_errors")
    totals.write_errors = totals.write_errors + thread:get("write_errors")
    totals.unparsed = totals.unparsed + thread:get("unparsed")
    totals.pool_empty = totals.pool_empty + thread:get("pool_empty")
  end
  local writes, acked = 0, {}
  for h = 1, homes do
    table.sort(acks[h])
    writes = writes + #acks[h]
    acked[h] = #acks[h]
  end
  local checked, stale, worst = 0, 0, 0
  for _, r in ipairs(reads) do
    local rh, rv, rs = r[1], r[2], r[3]
    for i = 1, #rh do
      local expected = init_counts[rh[i]] + count_below(acks[rh[i]], rs[i])
      checked = checked + 1
      if rv[i] < expected then
        stale = stale + 1
        if expected - rv[i] > worst then worst = expected - rv[i] end
      end
    end
  end
  io.write(string.format(
    "MIXED reads_checked=%d writes_acked=%d stale=%d worst_missing_writes=%d hits=%d misses=%d bypass=%d " ..
    "other=%d read_errors=%d write_errors=%d unparsed=%d pool_empty=%d acked_per_home=%s sent_per_home=%s\n",
    checked, writes, stale, worst, totals.hits, totals.misses, totals.bypasses, totals.other, totals.read_errors,
    totals.write_errors, totals.unparsed, totals.pool_empty, table.concat(acked, ","), table.concat(sent_total, ",")))
end

-- wrk script: the request given on the command line (-H headers, URL), but each
-- connection waits PACE_MS (default 20) milliseconds after a response before it
-- sends the next request. 64 connections then offer at most 64 / 20 ms = 3,200
-- requests per second, well below what the servers can do, so the latency
-- measured (wrk starts the clock when the request is sent, after the delay) is
-- service time plus scheduling, not queueing behind 63 other connections.
local pace = tonumber(os.getenv("PACE_MS") or "20")
function delay()
  return pace
end

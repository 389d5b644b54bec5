-- wrk script: 95% dashboard reads spread over 10 homes, 5% writes (a new
-- certification for a member of staff of a random home, which invalidates that
-- home). Deterministic sequence per thread.
local counter = 0
local token = os.getenv("ROTA_BENCH_TOKEN")
function request()
  counter = counter + 1
  local home = (counter * 7919) % 10 + 1
  local headers = {["Authorization"] = "Bearer " .. token}
  if counter % 20 == 0 then
    headers["Content-Type"] = "application/json"
    local staff = (home - 1) * 40 + (counter % 40) + 1
    local body = string.format('{"staff_id":%d,"name":"Bench Drill","expires_on":"2027-06-01"}', staff)
    return wrk.format("POST", "/api/certifications", headers, body)
  end
  return wrk.format("GET", "/api/homes/" .. home .. "/dashboard", headers)
end

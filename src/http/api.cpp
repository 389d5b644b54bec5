#include "http/api.hpp"

#include <string>

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "domain/range.hpp"
#include "service/passwords.hpp"

namespace rota::http {
namespace {

using service::App;
using service::Principal;

bool IsSafeMethod(const std::string& m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Who is asking: a bearer token, else a session cookie (whose unsafe requests
// must carry the session's CSRF token), else nobody (401).
Result<Principal> Authenticate(App& app, const Request& req) {
  if (auto auth = req.Header("authorization")) {
    auto space = auth->find(' ');
    if (space == std::string_view::npos || !IEquals(auth->substr(0, space), "bearer"))
      return Error::Unauthorized("the Authorization header must be `Bearer <token>`");
    return app.auth().AuthenticateToken(auth->substr(space + 1));
  }
  auto session = req.Cookie(kSessionCookie);
  if (!session) return Error::Unauthorized("authentication required: log in or send a bearer token");
  auto sp = app.auth().AuthenticateSession(*session);
  if (!sp) return std::move(sp).error();
  if (!IsSafeMethod(req.method)) {
    auto csrf = req.Header("x-csrf-token");
    if (!csrf || !service::SecretsEqual(*csrf, sp->csrf_token))
      return Error::Forbidden("missing or wrong X-CSRF-Token for a cookie-authenticated request");
  }
  return std::move(sp->principal);
}

using AuthedHandler = std::function<Response(Request&, const Principal&)>;

Handler Authed(App& app, AuthedHandler fn) {
  return [&app, fn = std::move(fn)](Request& req) {
    auto p = Authenticate(app, req);
    if (!p) return Response::FromError(p.error());
    return fn(req, *p);
  };
}

Response JsonOr(Result<std::string> r, int status = 200) {
  if (!r) return Response::FromError(r.error());
  return Response::Json(status, std::move(*r));
}

Response NoContentOr(const Status& s) {
  if (!s) return Response::FromError(s.error());
  return Response::NoContent();
}

// A cacheable read answers X-Cache: HIT, MISS or BYPASS.
Response CacheableRead(Result<service::CachedAnswer> answer) {
  if (!answer) return Response::FromError(answer.error());
  Response r = Response::Json(200, std::move(answer->body));
  r.SetHeader("X-Cache", service::OutcomeName(answer->outcome));
  return r;
}

// `?nocache=1` or `X-Cache-Bypass: 1` computes the answer without the cache
// (as the Django peer does), for measuring the uncached path.
bool WantsBypass(const Request& req) {
  auto q = req.Query("nocache");
  auto h = req.Header("x-cache-bypass");
  return (q && *q == "1") || (h && *h == "1");
}

using HomeRead = std::function<Result<service::CachedAnswer>(App&, int64_t home, const Request&)>;

void AddHomeRead(Router& router, App& app, const char* pattern, HomeRead read) {
  router.Add("GET", pattern, Authed(app, [&app, read = std::move(read)](Request& req, const Principal& p) {
               int64_t home = req.path_ids.at(0);
               if (auto s = service::CheckHome(p, home); !s) return Response::FromError(s.error());
               return CacheableRead(read(app, home, req));
             }));
}

std::string SessionCookie(const App& app, const std::string& value, long max_age) {
  return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}", kSessionCookie, value, max_age,
                     app.config().secure_cookies ? "; Secure" : "");
}

Response Login(App& app, Request& req) {
  rapidjson::Document doc;
  doc.Parse(req.body.data(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return Response::FromError(Error::BadRequest("the body must be a JSON object"));
  for (auto& m : doc.GetObject()) {
    std::string_view k(m.name.GetString(), m.name.GetStringLength());
    if (k != "username" && k != "password")
      return Response::FromError(Error::BadRequest(fmt::format("unknown field {}", k), std::string(k)));
  }
  for (const char* f : {"username", "password"})
    if (!doc.HasMember(f) || !doc[f].IsString())
      return Response::FromError(Error::Invalid(fmt::format("{} is required and must be a string", f), f));
  auto result = app.auth().Login({doc["username"].GetString(), doc["username"].GetStringLength()},
                                 {doc["password"].GetString(), doc["password"].GetStringLength()});
  if (!result) return Response::FromError(result.error());
  Response r = Response::Json(200, fmt::format(R"({{"csrf_token":"{}","user":{}}})", result->csrf_token,
                                               result->user_json));
  r.SetHeader("Set-Cookie", SessionCookie(app, result->session_id, long{app.config().session_hours} * 3600));
  return r;
}

Response Logout(App& app, Request& req) {
  auto p = Authenticate(app, req);
  if (!p) return Response::FromError(p.error());
  if (auto session = req.Cookie(kSessionCookie)) {
    if (auto s = app.auth().Logout(*session); !s) return Response::FromError(s.error());
  }
  Response r = Response::NoContent();
  r.SetHeader("Set-Cookie", SessionCookie(app, "", 0));
  return r;
}

Response Health(App& app) {
  bool db_ok = app.CheckDatabase().ok();
  return Response::Json(db_ok ? 200 : 503,
                        fmt::format(R"({{"status":"{}","database":"{}","cache":"ok"}})", db_ok ? "ok" : "error",
                                    db_ok ? "ok" : "unavailable"));
}

}  // namespace

void AddApiRoutes(Router& router, App& app) {
  router.Add("GET", "/healthz", [&app](Request&) { return Health(app); });
  router.Add("POST", "/api/login", [&app](Request& req) { return Login(app, req); });
  router.Add("POST", "/api/logout", [&app](Request& req) { return Logout(app, req); });

  // Cacheable reads.
  AddHomeRead(router, app, "/api/homes/{id}/dashboard", [](App& a, int64_t home, const Request& req) {
    auto range = domain::ParseFromDays(req.Query("from"), req.Query("days"), a.Today());
    if (!range) return Result<service::CachedAnswer>(std::move(range).error());
    return a.cached().Dashboard(home, *range, WantsBypass(req));
  });
  AddHomeRead(router, app, "/api/homes/{id}/shifts", [](App& a, int64_t home, const Request& req) {
    auto range = domain::ParseFromTo(req.Query("from"), req.Query("to"), a.Today());
    if (!range) return Result<service::CachedAnswer>(std::move(range).error());
    return a.cached().ShiftList(home, *range, WantsBypass(req));
  });
  AddHomeRead(router, app, "/api/homes/{id}/staff",
              [](App& a, int64_t home, const Request& req) { return a.cached().StaffList(home, WantsBypass(req)); });
  AddHomeRead(router, app, "/api/homes/{id}/reports/monthly", [](App& a, int64_t home, const Request& req) {
    auto month = domain::ParseMonth(req.Query("month"), a.Today());
    if (!month) return Result<service::CachedAnswer>(std::move(month).error());
    return a.cached().MonthlyReport(home, *month, WantsBypass(req));
  });
  AddHomeRead(router, app, "/api/homes/{id}/compliance", [](App& a, int64_t home, const Request& req) {
    auto range = domain::ParseFromDays(req.Query("from"), req.Query("days"), a.Today());
    if (!range) return Result<service::CachedAnswer>(std::move(range).error());
    return a.cached().Compliance(home, *range, WantsBypass(req));
  });
  router.Add("GET", "/api/stats", Authed(app, [&app](Request& req, const Principal& p) {
               if (auto s = service::CheckAdmin(p); !s) return Response::FromError(s.error());
               return CacheableRead(app.cached().Stats(app.Today(), WantsBypass(req)));
             }));

  // Writes.
  auto& w = app.writes();
  router.Add("POST", "/api/shifts",
             Authed(app, [&w](Request& r, const Principal& p) { return JsonOr(w.CreateShift(p, r.body), 201); }));
  router.Add("PATCH", "/api/shifts/{id}", Authed(app, [&w](Request& r, const Principal& p) {
               return JsonOr(w.UpdateShift(p, r.path_ids[0], r.body));
             }));
  router.Add("DELETE", "/api/shifts/{id}", Authed(app, [&w](Request& r, const Principal& p) {
               return NoContentOr(w.DeleteShift(p, r.path_ids[0]));
             }));
  router.Add("POST", "/api/shifts/{id}/notes", Authed(app, [&w](Request& r, const Principal& p) {
               return JsonOr(w.AddShiftNote(p, r.path_ids[0], r.body), 201);
             }));
  router.Add("POST", "/api/staff",
             Authed(app, [&w](Request& r, const Principal& p) { return JsonOr(w.CreateStaff(p, r.body), 201); }));
  router.Add("PATCH", "/api/staff/{id}", Authed(app, [&w](Request& r, const Principal& p) {
               return JsonOr(w.UpdateStaff(p, r.path_ids[0], r.body));
             }));
  router.Add("DELETE", "/api/staff/{id}", Authed(app, [&w](Request& r, const Principal& p) {
               return NoContentOr(w.DeleteStaff(p, r.path_ids[0]));
             }));
  router.Add("POST", "/api/certifications", Authed(app, [&w](Request& r, const Principal& p) {
               return JsonOr(w.CreateCertification(p, r.body), 201);
             }));
  router.Add("DELETE", "/api/certifications/{id}", Authed(app, [&w](Request& r, const Principal& p) {
               return NoContentOr(w.DeleteCertification(p, r.path_ids[0]));
             }));
  router.Add("POST", "/api/leave-requests", Authed(app, [&w](Request& r, const Principal& p) {
               return JsonOr(w.CreateLeaveRequest(p, r.body), 201);
             }));
  router.Add("PATCH", "/api/leave-requests/{id}", Authed(app, [&w](Request& r, const Principal& p) {
               return JsonOr(w.UpdateLeaveRequest(p, r.path_ids[0], r.body));
             }));
  router.Add("PATCH", "/api/homes/{id}", Authed(app, [&w](Request& r, const Principal& p) {
               return JsonOr(w.UpdateHome(p, r.path_ids[0], r.body));
             }));
}

}  // namespace rota::http

#include "http/api.hpp"

#include <string>

#include <fmt/format.h>

#include "domain/range.hpp"
#include "http/encoding.hpp"
#include "http/metrics.hpp"
#include "service/json_body.hpp"
#include "service/passwords.hpp"

namespace rota::http {
namespace {

using service::App;
using service::Principal;

bool IsSafeMethod(const std::string& m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

}  // namespace

std::string_view SessionCookieName(const App& app) {
  return app.config().secure_cookies ? kSecureSessionCookie : kSessionCookie;
}

Result<service::SessionPrincipal> Authenticate(App& app, const Request& req) {
  if (auto auth = req.Header("authorization")) {
    auto space = auth->find(' ');
    if (space == std::string_view::npos || !IEquals(auth->substr(0, space), "bearer"))
      return Error::Unauthorized("the Authorization header must be `Bearer <token>`");
    auto p = app.auth().AuthenticateToken(auth->substr(space + 1));
    if (!p) return std::move(p).error();
    return service::SessionPrincipal{std::move(*p), {}};
  }
  auto session = req.Cookie(SessionCookieName(app));
  if (!session) return Error::Unauthorized("authentication required: log in or send a bearer token");
  auto sp = app.auth().AuthenticateSession(*session);
  if (!sp) return std::move(sp).error();
  if (!IsSafeMethod(req.method)) {
    // An empty token never matches, whatever the session holds.
    auto csrf = req.Header("x-csrf-token");
    if (!csrf || csrf->empty() || sp->csrf_token.empty() || !service::SecretsEqual(*csrf, sp->csrf_token))
      return Error::Forbidden("missing or wrong X-CSRF-Token for a cookie-authenticated request");
  }
  return sp;
}

namespace {

using AuthedHandler = std::function<Response(Request&, const Principal&)>;

Handler Authed(App& app, AuthedHandler fn) {
  return [&app, fn = std::move(fn)](Request& req) {
    auto p = Authenticate(app, req);
    if (!p) return Response::FromError(p.error());
    return fn(req, p->principal);
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

// What a cacheable read's response depends on in its request, copied where
// the response is made after the request is gone (ReadLater).
struct Negotiation {
  std::optional<std::string> accept_encoding, if_none_match;
  explicit Negotiation(const Request& req)
      : accept_encoding(req.Header("accept-encoding")), if_none_match(req.Header("if-none-match")) {}
  // Whether `answer`'s stored bytes go out as they are: identity, or gzip to a
  // client that wants gzip (http/encoding.hpp); otherwise they are inflated.
  bool SendsAsStored(const service::CachedAnswer& answer) const {
    return answer.encoding == service::BodyEncoding::kIdentity || GzipWanted(accept_encoding);
  }
};

// A cacheable read answers X-Cache: HIT, MISS or BYPASS, an ETag of the
// representation it sends and `Vary: Accept-Encoding`; a request whose
// If-None-Match names that ETag gets 304 without the body. A gzip-stored
// answer goes out as stored to a client that wants gzip (http/encoding.hpp)
// and is inflated for this response otherwise.
Response CacheableRead(const Negotiation& asked, Result<service::CachedAnswer> answer) {
  if (!answer) return Response::FromError(answer.error());
  const bool gzip = answer->encoding == service::BodyEncoding::kGzip && asked.SendsAsStored(*answer);
  std::string etag = gzip ? GzipEtag(answer->etag) : std::move(answer->etag);
  Response r{304, "application/json", {}, {}};
  if (!asked.if_none_match || !IfNoneMatchMatches(*asked.if_none_match, etag)) {
    if (gzip) {
      r = Response::Json(200, std::move(answer->body));
      r.SetHeader("Content-Encoding", "gzip");
    } else if (answer->encoding == service::BodyEncoding::kGzip) {
      auto body = service::IdentityBody(*answer);
      if (!body) return Response::FromError(body.error());
      r = Response::Json(200, std::move(*body));
    } else {
      r = Response::Json(200, std::move(answer->body));
    }
  }
  r.SetHeader("X-Cache", service::OutcomeName(answer->outcome));
  r.SetHeader("ETag", std::move(etag));
  r.SetHeader("Vary", "Accept-Encoding");
  return r;
}

Response CacheableRead(const Request& req, Result<service::CachedAnswer> answer) {
  return CacheableRead(Negotiation(req), std::move(answer));
}

// `?nocache=1` or `X-Cache-Bypass: 1` computes the answer without the cache
// (as the Django peer does), for measuring the uncached path.
bool WantsBypass(const Request& req) {
  auto q = req.Query("nocache");
  auto h = req.Header("x-cache-bypass");
  return (q && *q == "1") || (h && *h == "1");
}

// A response's finishing touches, for a 200 or 304 (the CSV report's type and file name).
using Decorate = std::function<void(Response&)>;

Response Decorated(Response r, const Decorate& decorate) {
  if (decorate && (r.status == 200 || r.status == 304)) decorate(r);
  return r;
}

// Answers `reply` with what GetLater found: a hit whose stored bytes go out as
// they are, here, on the cache's thread; anything else (a miss to compute, a
// degraded cache, a gzip answer to inflate for this client) on the
// connection's I/O thread, by replying a deferred response.
void ReplyLater(const Negotiation& asked, const Decorate& decorate, const Reply& reply,
                service::CachedReads::Later got) {
  if (got.ready && *got.ready && asked.SendsAsStored(**got.ready))
    return reply(Decorated(CacheableRead(asked, std::move(*got.ready)), decorate));
  reply(Response::Later([asked, decorate, got = std::move(got)](Reply again) mutable {
    again(Decorated(CacheableRead(asked, got.ready ? std::move(*got.ready) : got.finish()), decorate));
  }));
}

// A cacheable read where the cache's lookups wait on the network
// (Cache::LookupsWait: redis:// without the near tier). The I/O thread does
// not wait: it goes on to other connections while the lookup is in Redis's
// hands (CachedReads::GetLater), and ReplyLater answers.
Response ReadLater(App& app, service::CachedReads::Read read, const Request& req, Decorate decorate) {
  return Response::Later(
      [&app, read = std::move(read), asked = Negotiation(req), decorate = std::move(decorate)](Reply reply) mutable {
        app.cached().GetLater(std::move(read), [asked, decorate, reply](service::CachedReads::Later got) {
          ReplyLater(asked, decorate, reply, std::move(got));
        });
      });
}

// `read` answered as CacheableRead answers it: computed without the cache when
// the request asks to bypass it (WantsBypass), through ReadLater when the
// cache's lookups wait on the network, on this thread otherwise.
Response ServeCached(App& app, const Request& req, service::CachedReads::Read read, Decorate decorate = {}) {
  const bool bypass = WantsBypass(req);
  if (!bypass && app.cache().LookupsWait()) return ReadLater(app, std::move(read), req, std::move(decorate));
  return Decorated(CacheableRead(req, app.cached().Get(read, bypass)), decorate);
}

// A JSON body that may be empty (meaning {}).
Result<service::JsonBody> OptionalBody(const Request& req, std::initializer_list<std::string_view> allowed) {
  return service::JsonBody::Parse(req.body.empty() ? std::string_view("{}") : std::string_view(req.body), allowed);
}

using HomeRead = std::function<Result<service::CachedReads::Read>(App&, int64_t home, const Request&)>;

void AddHomeRead(Router& router, App& app, const char* pattern, HomeRead read) {
  router.Add("GET", pattern, Authed(app, [&app, read = std::move(read)](Request& req, const Principal& p) {
               int64_t home = req.path_ids.at(0);
               if (auto s = service::CheckHome(p, home); !s) return Response::FromError(s.error());
               auto asked = read(app, home, req);
               if (!asked) return Response::FromError(asked.error());
               return ServeCached(app, req, std::move(*asked));
             }));
}

// GET /api/homes/{id}/reports/monthly: JSON, or with `format=csv` the same
// rows as an RFC 4180 attachment (service/model_csv.hpp); any other format 400.
Response MonthlyReport(App& app, const Request& req, const Principal& p) {
  int64_t home = req.path_ids.at(0);
  if (auto s = service::CheckHome(p, home); !s) return Response::FromError(s.error());
  auto format = req.Query("format");
  const bool csv = format && *format == "csv";
  if (format && !csv && *format != "json")
    return Response::FromError(Error::BadRequest("format must be json or csv", "format"));
  auto month = domain::ParseMonth(req.Query("month"), app.Today());
  if (!month) return Response::FromError(month.error());
  if (!csv) return ServeCached(app, req, app.cached().MonthlyReportRead(home, *month));
  return ServeCached(
      app, req, app.cached().MonthlyReportCsvRead(home, *month),
      [name = fmt::format("attachment; filename=\"rota-home-{}-{}.csv\"", home, month->ToString())](Response& r) {
        r.content_type = "text/csv; charset=utf-8";
        r.SetHeader("Content-Disposition", name);
      });
}

// With secure cookies, the `__Host-` prefix: the browser keeps such a cookie
// only if it is Secure, has Path=/ and no Domain, so neither a sibling domain
// nor a plain-HTTP page can plant or overwrite it.
std::string SessionCookie(const App& app, const std::string& value, long max_age) {
  return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}", SessionCookieName(app), value, max_age,
                     app.config().secure_cookies ? "; Secure" : "");
}

// The media type of a Content-Type value, without parameters, lower-cased.
std::string MediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  std::string out(type);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Login CSRF: a page on another site must not log its visitor in to an
// account of the attacker's. Browsers send Origin with every cross-origin
// POST; it must name this server (the Host the request was sent to). Without
// Origin, Sec-Fetch-Site: cross-site is refused too. Non-browser clients send
// neither and pass.
Status CheckSameOrigin(const Request& req) {
  if (auto origin = req.Header("origin")) {
    auto scheme_end = origin->find("://");
    auto host = req.Header("host");
    if (scheme_end == std::string_view::npos || !host || !IEquals(origin->substr(scheme_end + 3), *host))
      return Error::Forbidden("cross-site login refused: the Origin is not this site");
    return {};
  }
  if (auto site = req.Header("sec-fetch-site"); site && IEquals(*site, "cross-site"))
    return Error::Forbidden("cross-site login refused (Sec-Fetch-Site: cross-site)");
  return {};
}

Response TooManyLogins(std::chrono::seconds wait) {
  Response r = Response::FromError(
      Error::TooManyRequests(fmt::format("too many logins: try again in {} seconds", wait.count())));
  r.SetHeader("Retry-After", std::to_string(wait.count()));
  return r;
}

// The part of a login that hashes: runs on the login pool.
Response FinishLogin(App& app, const std::string& username, const std::string& password, const std::string& address) {
  auto result = app.auth().Login(username, password);
  if (!result) {
    if (result.error().code == ErrorCode::kUnauthorized) app.login_throttle().Failed(username, address);
    return Response::FromError(result.error());
  }
  app.login_throttle().Succeeded(username, address);
  Response r =
      Response::Json(200, fmt::format(R"({{"csrf_token":"{}","user":{}}})", result->csrf_token, result->user_json));
  r.SetHeader("Set-Cookie",
              SessionCookie(app, result->session_id, std::chrono::seconds(app.config().session_lifetime).count()));
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

// POST /api/login: checked here, on the I/O thread (cheap), then the password
// is verified on the login pool (Argon2 takes tens of milliseconds of CPU) and
// the answer written when it is done; a full pool answers 503 at once.
Response Login(App& app, Request& req) {
  auto type = req.Header("content-type");
  if (!type || MediaType(*type) != "application/json")
    return Response::FromError(Error::BadRequest("POST /api/login takes Content-Type: application/json"));
  if (auto s = CheckSameOrigin(req); !s) return Response::FromError(s.error());
  auto body = service::JsonBody::Parse(req.body, {"username", "password"});
  if (!body) return Response::FromError(body.error());
  auto username = body->String("username");
  if (!username) return Response::FromError(username.error());
  auto password = body->String("password");
  if (!password) return Response::FromError(password.error());
  // Brute force is slowed per username and per address (service/login_throttle.hpp).
  if (auto wait = app.login_throttle().Check(*username, req.remote_address)) return TooManyLogins(*wait);
  return Response::Later([&app, username = std::move(*username), password = std::move(*password),
                          address = req.remote_address](Reply reply) {
    auto work = [&app, username, password, address, reply] {
      const uint64_t before = service::StatementsOnThisThread();
      Response r = FinishLogin(app, username, password, address);
      r.statements_elsewhere = service::StatementsOnThisThread() - before;
      reply(std::move(r));
    };
    if (!app.login_pool().TrySubmit(std::move(work))) {
      Response busy = Response::FromError(Error::Unavailable("too many logins in progress: try again shortly"));
      busy.SetHeader("Retry-After", "1");
      reply(std::move(busy));
    }
  });
}

Response Logout(App& app, Request& req) {
  auto p = Authenticate(app, req);
  if (!p) return Response::FromError(p.error());
  if (auto session = req.Cookie(SessionCookieName(app))) {
    if (auto s = app.auth().Logout(*session); !s) return Response::FromError(s.error());
  }
  Response r = Response::NoContent();
  r.SetHeader("Set-Cookie", SessionCookie(app, "", 0));
  return r;
}

// 200 while the database answers (a degraded cache only slows reads down);
// 503 when the database does not.
Response Health(App& app) {
  bool db_ok = app.CheckDatabase().ok();
  bool cache_ok = app.CacheHealthy();
  return Response::Json(db_ok ? 200 : 503,
                        fmt::format(R"({{"status":"{}","database":"{}","cache":"{}"}})", db_ok ? "ok" : "error",
                                    db_ok ? "ok" : "unavailable", cache_ok ? "ok" : "degraded"));
}

// GET /metrics: a scraper presenting the configured metrics_token as a bearer
// token (compared in constant time), else an administrator by token or
// session; anonymous -> 401, a manager -> 403 (JSON, as everywhere).
Response Metrics(App& app, Request& req) {
  const std::string& scrape_token = app.config().metrics_token;
  bool scraper = false;
  if (auto auth = req.Header("authorization"); auth && !scrape_token.empty()) {
    auto space = auth->find(' ');
    scraper = space != std::string_view::npos && IEquals(auth->substr(0, space), "bearer") &&
              service::SecretsEqual(auth->substr(space + 1), scrape_token);
  }
  if (!scraper) {
    auto p = Authenticate(app, req);
    if (!p) return Response::FromError(p.error());
    if (auto s = service::CheckAdmin(p->principal); !s) return Response::FromError(s.error());
  }
  Response r{200, kMetricsContentType, {}, MetricsText(app)};
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

Response CacheStats(App& app, const Principal& p) {
  if (auto s = service::CheckAdmin(p); !s) return Response::FromError(s.error());
  return Response::Json(200, app.cache_admin().StatsJson());
}

Response CacheClear(App& app, const Request& req, const Principal& p) {
  if (auto s = service::CheckAdmin(p); !s) return Response::FromError(s.error());
  auto body = OptionalBody(req, {"pattern"});
  if (!body) return Response::FromError(body.error());
  std::optional<std::string> pattern;
  if (body->Has("pattern")) {
    auto v = body->String("pattern");
    if (!v) return Response::FromError(v.error());
    pattern = std::move(*v);
  }
  auto deleted = app.cache_admin().Clear(pattern);
  if (!deleted) return Response::FromError(deleted.error());
  return Response::Json(200, fmt::format(R"({{"deleted":{}}})", *deleted));
}

Response CacheWarm(App& app, const Request& req, const Principal& p) {
  if (auto s = service::CheckAdmin(p); !s) return Response::FromError(s.error());
  auto body = OptionalBody(req, {"home_id"});
  if (!body) return Response::FromError(body.error());
  std::optional<int64_t> home;
  if (body->Has("home_id") && !body->IsNull("home_id")) {
    auto v = body->Id("home_id");
    if (!v) return Response::FromError(v.error());
    home = *v;
  }
  auto report = app.cache_admin().Warm(home);
  if (!report) return Response::FromError(report.error());
  return Response::Json(200, report->Json());
}

}  // namespace

void AddApiRoutes(Router& router, App& app) {
  router.Add("GET", "/healthz", [&app](Request&) { return Health(app); });
  router.Add("GET", "/metrics", [&app](Request& req) { return Metrics(app, req); });
  router.Add("POST", "/api/login", [&app](Request& req) { return Login(app, req); });
  router.Add("POST", "/api/logout", [&app](Request& req) { return Logout(app, req); });

  // Cacheable reads.
  using Read = service::CachedReads::Read;
  AddHomeRead(router, app, "/api/homes/{id}/dashboard", [](App& a, int64_t home, const Request& req) -> Result<Read> {
    auto range = domain::ParseFromDays(req.Query("from"), req.Query("days"), a.Today());
    if (!range) return std::move(range).error();
    return a.cached().DashboardRead(home, *range);
  });
  AddHomeRead(router, app, "/api/homes/{id}/shifts", [](App& a, int64_t home, const Request& req) -> Result<Read> {
    auto range = domain::ParseFromTo(req.Query("from"), req.Query("to"), a.Today());
    if (!range) return std::move(range).error();
    return a.cached().ShiftListRead(home, *range);
  });
  AddHomeRead(router, app, "/api/homes/{id}/staff",
              [](App& a, int64_t home, const Request&) -> Result<Read> { return a.cached().StaffListRead(home); });
  router.Add("GET", "/api/homes/{id}/reports/monthly",
             Authed(app, [&app](Request& req, const Principal& p) { return MonthlyReport(app, req, p); }));
  AddHomeRead(router, app, "/api/homes/{id}/compliance", [](App& a, int64_t home, const Request& req) -> Result<Read> {
    auto range = domain::ParseFromDays(req.Query("from"), req.Query("days"), a.Today());
    if (!range) return std::move(range).error();
    return a.cached().ComplianceRead(home, *range);
  });
  router.Add("GET", "/api/homes", Authed(app, [&app](Request& req, const Principal& p) {
               // A manager sees their one home; an account linked to no home, none.
               if (!p.is_admin && !p.home_id) return Response::Json(200, R"({"homes":[]})");
               return ServeCached(app, req, app.cached().HomesRead(p.is_admin ? std::nullopt : p.home_id, app.Today()));
             }));
  router.Add("GET", "/api/stats", Authed(app, [&app](Request& req, const Principal& p) {
               if (auto s = service::CheckAdmin(p); !s) return Response::FromError(s.error());
               return ServeCached(app, req, app.cached().StatsRead(app.Today()));
             }));

  // Cache administration.
  router.Add("GET", "/api/cache/stats",
             Authed(app, [&app](Request&, const Principal& p) { return CacheStats(app, p); }));
  router.Add("POST", "/cache/clear/",
             Authed(app, [&app](Request& r, const Principal& p) { return CacheClear(app, r, p); }));
  router.Add("POST", "/cache/warm/",
             Authed(app, [&app](Request& r, const Principal& p) { return CacheWarm(app, r, p); }));

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

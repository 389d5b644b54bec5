// Who may do what, over every route of api.md (and the pages that share its
// rules), for every kind of caller: anonymous, a manager of home 1 and one of
// home 2 logged in with a session cookie (writes carry the session's CSRF
// token), an administrator logged in, and bearer tokens of an administrator
// and of a manager of home 1. Each gets exactly the expected status.
//
// A write is sent with a valid body aimed at fresh rows, so an allowed caller
// gets 2xx and its effect is visible in the database, and a refused one gets
// 401/403 with nothing changed: neither its effect nor any table count, nor
// the cache (no value stored, none deleted). Then: a cached answer is never
// served to someone who may not see it, and CSRF: a cookie-authenticated write
// without the session's own token is refused on every write route.
// SQLite and PostgreSQL.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/date.hpp"
#include "db/database.hpp"
#include "integration/harness.hpp"

namespace rota::testing {
namespace {

enum class Caller { kAnonymous, kManager1Cookie, kManager2Cookie, kAdminCookie, kAdminBearer, kManager1Bearer };
constexpr Caller kAllCallers[] = {Caller::kAnonymous,   Caller::kManager1Cookie, Caller::kManager2Cookie,
                                  Caller::kAdminCookie, Caller::kAdminBearer,    Caller::kManager1Bearer};

std::string Name(Caller c) {
  switch (c) {
    case Caller::kAnonymous:
      return "anonymous";
    case Caller::kManager1Cookie:
      return "manager of home 1 (cookie)";
    case Caller::kManager2Cookie:
      return "manager of home 2 (cookie)";
    case Caller::kAdminCookie:
      return "administrator (cookie)";
    case Caller::kAdminBearer:
      return "administrator (bearer)";
    case Caller::kManager1Bearer:
      return "manager of home 1 (bearer)";
  }
  return "?";
}

bool IsAdmin(Caller c) { return c == Caller::kAdminCookie || c == Caller::kAdminBearer; }
// The home a manager caller may see; 0 for the others.
int64_t HomeOf(Caller c) {
  if (c == Caller::kManager1Cookie || c == Caller::kManager1Bearer) return 1;
  if (c == Caller::kManager2Cookie) return 2;
  return 0;
}

// The expected status for each caller.
using Expect = std::function<int(Caller)>;
Expect HomeScoped(int64_t home, int ok) {
  return [=](Caller c) {
    if (c == Caller::kAnonymous) return 401;
    return IsAdmin(c) || HomeOf(c) == home ? ok : 403;
  };
}
Expect AdminOnly(int ok) {
  return [=](Caller c) { return c == Caller::kAnonymous ? 401 : IsAdmin(c) ? ok : 403; };
}
Expect LoggedIn(int ok) {
  return [=](Caller c) { return c == Caller::kAnonymous ? 401 : ok; };
}
Expect Anyone(int ok) {
  return [=](Caller) { return ok; };
}
// An HTML page: anonymous visitors are sent to the login form (302).
Expect PageFor(Expect api) {
  return [=](Caller c) { return c == Caller::kAnonymous ? 302 : api(c); };
}

struct Call {
  std::string method;
  std::string target;
  std::string body;
  // One integer of SQL: 1 once the request has taken effect, 0 before (empty: not checked).
  std::string effect_sql;
};

struct Case {
  std::string name;
  std::function<Call()> make;  // a fresh target for each call
  Expect expect;
  bool html = false;           // a page: errors are HTML, anonymous is redirected
  bool fresh_session = false;  // cookie callers use a new session of their user (logout)
};

struct Identity {
  std::string cookie;  // "rota_session=..."
  std::string csrf;
  std::string bearer;
};

rapidjson::Document Json(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  return d;
}

class Authz : public ::testing::TestWithParam<DbKind> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam());
    client_ = std::make_unique<HttpClient>(server_->port());
    for (Caller c : kAllCallers) ids_[c] = NewIdentity(c);
    for (int64_t h : {1, 2}) unit_[h] = s().SqlInt("SELECT MIN(id) FROM unit WHERE home_id = " + std::to_string(h));
    type_a_ = s().SqlInt("SELECT MIN(id) FROM shift_type");
    type_b_ = s().SqlInt("SELECT MAX(id) FROM shift_type");
    ASSERT_NE(type_a_, type_b_);
  }
  TestServer& s() { return *server_; }

  Identity LogIn(const std::string& username) {
    auto r = client_->Request("POST", "/api/login", R"({"username":")" + username + R"(","password":"rota-demo"})");
    EXPECT_EQ(r.status, 200) << username << ": " << r.body;
    std::string set = r.Header("set-cookie");
    auto d = Json(r.body);
    return {set.substr(0, set.find(';')), d.IsObject() && d.HasMember("csrf_token") ? d["csrf_token"].GetString() : "",
            ""};
  }

  Identity NewIdentity(Caller c) {
    switch (c) {
      case Caller::kAnonymous:
        return {};
      case Caller::kManager1Cookie:
        return LogIn("manager1");
      case Caller::kManager2Cookie:
        return LogIn("manager2");
      case Caller::kAdminCookie:
        return LogIn("admin");
      case Caller::kAdminBearer:
        return {"", "", s().admin_token()};
      case Caller::kManager1Bearer:
        return {"", "", s().ManagerToken(1)};
    }
    return {};
  }

  static std::map<std::string, std::string> Headers(const Identity& id, const std::string& method) {
    std::map<std::string, std::string> h;
    if (!id.bearer.empty()) h["Authorization"] = "Bearer " + id.bearer;
    if (!id.cookie.empty()) {
      h["Cookie"] = id.cookie;
      if (method != "GET") h["X-CSRF-Token"] = id.csrf;
    }
    return h;
  }

  HttpResult Send(const Identity& id, const Call& call) {
    return client_->Request(call.method, call.target, call.body, Headers(id, call.method));
  }
  HttpResult AsAdmin(const std::string& method, const std::string& target, const std::string& body = "") {
    return s().Send(method, target, body, s().admin_token());
  }

  // Everything a refused request must leave as it was: every row of every
  // table a write can touch (hashed; with the row counts for the message), the
  // sessions, and the cache (values stored and present).
  std::string Digest() {
    std::string rows, counts;
    for (const char* sql :
         {"SELECT id, home_id, unit_id, staff_id, shift_type_id, date, created_by, updated_by FROM shift ORDER BY id",
          "SELECT id, shift_id, author_id, body FROM shift_note ORDER BY id",
          "SELECT id, home_id, primary_unit_id, first_name, last_name, role, contracted_hours, active FROM staff "
          "ORDER BY id",
          "SELECT staff_id, unit_id FROM staff_qualified_unit ORDER BY staff_id, unit_id",
          "SELECT id, staff_id, name, expires_on FROM certification ORDER BY id",
          "SELECT id, staff_id, start_date, end_date, status, reason FROM leave_request ORDER BY id",
          "SELECT id, name FROM care_home ORDER BY id",
          "SELECT id, user_id, expires_at FROM user_session ORDER BY id"}) {
      int64_t n = 0;
      auto conn = s().app().pool().Acquire();
      EXPECT_TRUE(conn.ok());
      if (!conn) return "no connection";
      Status st = (*conn)->Query(sql, {}, [&](const db::Row& row) {
        ++n;
        for (int i = 0; i < row.columns(); ++i) rows.append(row.Text(i)).push_back('|');
        rows.push_back('\n');
      });
      EXPECT_TRUE(st.ok()) << sql << ": " << (st.ok() ? "" : st.error().message);
      counts += std::to_string(n) + " ";
    }
    auto stats = s().app().cache().Stats();
    return "rows " + counts + "hash " + std::to_string(std::hash<std::string>{}(rows)) +
           " cache keys=" + std::to_string(stats.keys) + " sets=" + std::to_string(stats.sets);
  }

  int64_t IdOf(const HttpResult& r) {
    auto d = Json(r.body);
    EXPECT_TRUE(d.IsObject() && d.HasMember("id")) << r.status << " " << r.body;
    return d.IsObject() && d.HasMember("id") ? d["id"].GetInt64() : 0;
  }
  // Fresh rows of `home`, made by the administrator's token.
  int64_t NewShift(int64_t home) {
    return IdOf(AsAdmin(
        "POST", "/api/shifts",
        Fill(R"({"home_id":%d,"unit_id":%d,"shift_type_id":%d,"date":"%s"})", home, unit_[home], type_a_, NextDate())));
  }
  int64_t NewStaff(int64_t home) {
    return IdOf(AsAdmin("POST", "/api/staff",
                        Fill(R"({"home_id":%d,"first_name":"Fixture","last_name":"Before","role":"carer"})", home)));
  }
  int64_t NewCertification(int64_t home) {
    return IdOf(AsAdmin("POST", "/api/certifications",
                        Fill(R"({"staff_id":%d,"name":"Fixture Cert","expires_on":"2027-06-01"})", NewStaff(home))));
  }
  int64_t NewLeaveRequest(int64_t home) {
    return IdOf(AsAdmin("POST", "/api/leave-requests",
                        Fill(R"({"staff_id":%d,"start_date":"2027-03-01","end_date":"2027-03-02"})", NewStaff(home))));
  }
  // A date no other call has used, so a created shift can be found again.
  std::string NextDate() {
    Date d = *Date::Parse("2027-01-01");
    return d.AddDays(dates_++).ToString();
  }
  std::string Unique(const std::string& stem) { return stem + " " + std::to_string(++unique_); }

  // `format` with each %d or %s replaced by the next argument, in order.
  static std::string Str(int64_t v) { return std::to_string(v); }
  static std::string Str(const std::string& v) { return v; }
  template <class... Args>
  static std::string Fill(std::string_view format, const Args&... args) {
    std::vector<std::string> values = {Str(args)...};
    std::string out;
    size_t next = 0;
    for (size_t i = 0; i < format.size(); ++i) {
      if (format[i] == '%' && i + 1 < format.size() && (format[i + 1] == 'd' || format[i + 1] == 's')) {
        out += values.at(next++);
        ++i;
      } else {
        out += format[i];
      }
    }
    EXPECT_EQ(next, values.size()) << format;
    return out;
  }

  // Every route of api.md with home-scoped routes on both homes, and the pages
  // that share their access rules. Writes aim at home `h`'s rows.
  std::vector<Case> Cases() {
    std::vector<Case> cases;
    auto n = [](int64_t h) { return std::to_string(h); };
    for (int64_t h : {1, 2}) {
      std::string home = "/api/homes/" + n(h);
      for (std::string read : {"/dashboard", "/dashboard?days=14&from=2026-11-21", "/shifts", "/staff",
                               "/reports/monthly?month=2026-11", "/compliance"})
        cases.push_back({"GET " + home + read, [=] { return Call{"GET", home + read, "", ""}; }, HomeScoped(h, 200)});
      cases.push_back({"GET /homes/" + n(h) + "/ (page)",
                       [=] {
                         return Call{"GET", "/homes/" + n(h) + "/", "", ""};
                       },
                       PageFor(HomeScoped(h, 200)), true});
      // The fragment the page fetches: errors as JSON, like the API.
      cases.push_back({"GET /homes/" + n(h) + "/panel",
                       [=] {
                         return Call{"GET", "/homes/" + n(h) + "/panel", "", ""};
                       },
                       HomeScoped(h, 200)});
      // The overview's reads and pages (issue 13).
      cases.push_back({"GET " + home + "/reports/monthly?format=csv",
                       [=] {
                         return Call{"GET", home + "/reports/monthly?format=csv", "", ""};
                       },
                       HomeScoped(h, 200)});
      for (std::string page : {"/reports/monthly/", "/compliance/"})
        cases.push_back({"GET /homes/" + n(h) + page + " (page)",
                         [=] {
                           return Call{"GET", "/homes/" + n(h) + page, "", ""};
                         },
                         PageFor(HomeScoped(h, 200)), true});
    }
    cases.push_back({"GET /api/stats", [] { return Call{"GET", "/api/stats", "", ""}; }, AdminOnly(200)});
    cases.push_back({"GET /api/homes", [] { return Call{"GET", "/api/homes", "", ""}; }, LoggedIn(200)});
    cases.push_back({"GET /homes/ (page)",
                     [] {
                       return Call{"GET", "/homes/", "", ""};
                     },
                     PageFor(LoggedIn(200)), true});
    cases.push_back({"GET /api/cache/stats", [] { return Call{"GET", "/api/cache/stats", "", ""}; }, AdminOnly(200)});
    cases.push_back({"GET /metrics", [] { return Call{"GET", "/metrics", "", ""}; }, AdminOnly(200)});
    cases.push_back({"GET /healthz", [] { return Call{"GET", "/healthz", "", ""}; }, Anyone(200)});
    // The cache monitoring page (web/).
    cases.push_back({"GET /cache/stats/ (page)",
                     [] {
                       return Call{"GET", "/cache/stats/", "", ""};
                     },
                     PageFor(AdminOnly(200)), true});

    for (int64_t h : {1, 2}) {
      std::string on = " (home " + n(h) + ")";
      cases.push_back({"POST /api/shifts" + on,
                       [=, this] {
                         std::string date = NextDate();
                         return Call{"POST", "/api/shifts",
                                     Fill(R"({"home_id":%d,"unit_id":%d,"shift_type_id":%d,"date":"%s"})", h, unit_[h],
                                          type_a_, date),
                                     "SELECT COUNT(*) FROM shift WHERE date = '" + date + "'"};
                       },
                       HomeScoped(h, 201)});
      cases.push_back({"PATCH /api/shifts/{id}" + on,
                       [=, this] {
                         int64_t id = NewShift(h);
                         return Call{
                             "PATCH", "/api/shifts/" + n(id), Fill(R"({"shift_type_id":%d})", type_b_),
                             "SELECT COUNT(*) FROM shift WHERE id = " + n(id) + " AND shift_type_id = " + n(type_b_)};
                       },
                       HomeScoped(h, 200)});
      cases.push_back(
          {"DELETE /api/shifts/{id}" + on,
           [=, this] {
             int64_t id = NewShift(h);
             return Call{"DELETE", "/api/shifts/" + n(id), "", "SELECT 1 - COUNT(*) FROM shift WHERE id = " + n(id)};
           },
           HomeScoped(h, 204)});
      cases.push_back({"POST /api/shifts/{id}/notes" + on,
                       [=, this] {
                         int64_t id = s().SqlInt("SELECT MIN(id) FROM shift WHERE home_id = " + n(h));
                         std::string body = Unique("matrix note");
                         return Call{"POST", "/api/shifts/" + n(id) + "/notes", R"({"body":")" + body + R"("})",
                                     "SELECT COUNT(*) FROM shift_note WHERE body = '" + body + "'"};
                       },
                       HomeScoped(h, 201)});
      cases.push_back({"POST /api/staff" + on,
                       [=, this] {
                         std::string first = Unique("Matrix");
                         return Call{"POST", "/api/staff",
                                     Fill(R"({"home_id":%d,"first_name":"%s","last_name":"Person","role":"nurse",)"
                                          R"("contracted_hours":30,"primary_unit_id":%d,"qualified_unit_ids":[%d]})",
                                          h, first, unit_[h], unit_[h]),
                                     "SELECT COUNT(*) FROM staff WHERE first_name = '" + first + "'"};
                       },
                       HomeScoped(h, 201)});
      cases.push_back({"PATCH /api/staff/{id}" + on,
                       [=, this] {
                         int64_t id = NewStaff(h);
                         std::string last = Unique("After the change");
                         return Call{
                             "PATCH", "/api/staff/" + n(id), R"({"last_name":")" + last + R"("})",
                             "SELECT COUNT(*) FROM staff WHERE id = " + n(id) + " AND last_name = '" + last + "'"};
                       },
                       HomeScoped(h, 200)});
      cases.push_back(
          {"DELETE /api/staff/{id}" + on,
           [=, this] {
             int64_t id = NewStaff(h);
             return Call{"DELETE", "/api/staff/" + n(id), "", "SELECT 1 - COUNT(*) FROM staff WHERE id = " + n(id)};
           },
           HomeScoped(h, 204)});
      cases.push_back({"POST /api/certifications" + on,
                       [=, this] {
                         int64_t staff = NewStaff(h);
                         std::string name = Unique("Matrix Cert");
                         return Call{"POST", "/api/certifications",
                                     Fill(R"({"staff_id":%d,"name":"%s","expires_on":"2027-05-01"})", staff, name),
                                     "SELECT COUNT(*) FROM certification WHERE name = '" + name + "'"};
                       },
                       HomeScoped(h, 201)});
      cases.push_back({"DELETE /api/certifications/{id}" + on,
                       [=, this] {
                         int64_t id = NewCertification(h);
                         return Call{"DELETE", "/api/certifications/" + n(id), "",
                                     "SELECT 1 - COUNT(*) FROM certification WHERE id = " + n(id)};
                       },
                       HomeScoped(h, 204)});
      cases.push_back({"POST /api/leave-requests" + on,
                       [=, this] {
                         int64_t staff = NewStaff(h);
                         std::string reason = Unique("matrix leave");
                         return Call{"POST", "/api/leave-requests",
                                     Fill(R"({"staff_id":%d,"start_date":"2027-04-01","end_date":"2027-04-03",)"
                                          R"("reason":"%s"})",
                                          staff, reason),
                                     "SELECT COUNT(*) FROM leave_request WHERE reason = '" + reason + "'"};
                       },
                       HomeScoped(h, 201)});
      cases.push_back({"PATCH /api/leave-requests/{id}" + on,
                       [=, this] {
                         int64_t id = NewLeaveRequest(h);
                         return Call{
                             "PATCH", "/api/leave-requests/" + n(id), R"({"status":"rejected"})",
                             "SELECT COUNT(*) FROM leave_request WHERE id = " + n(id) + " AND status = 'rejected'"};
                       },
                       HomeScoped(h, 200)});
      cases.push_back({"PATCH /api/homes/{id}" + on,
                       [=, this] {
                         std::string name = Unique("Renamed home " + n(h));
                         return Call{"PATCH", "/api/homes/" + n(h), R"({"name":")" + name + R"("})",
                                     "SELECT COUNT(*) FROM care_home WHERE name = '" + name + "'"};
                       },
                       HomeScoped(h, 200)});
    }
    cases.push_back({"POST /cache/warm/",
                     [] {
                       return Call{"POST", "/cache/warm/", R"({"home_id":1})", ""};
                     },
                     AdminOnly(200)});
    cases.push_back({"POST /cache/clear/",
                     [] {
                       return Call{"POST", "/cache/clear/", R"({"pattern":"dashboard:*"})", ""};
                     },
                     AdminOnly(200)});
    cases.push_back({"POST /api/login",
                     [] {
                       return Call{"POST", "/api/login", R"({"username":"manager1","password":"rota-demo"})", ""};
                     },
                     Anyone(200)});
    cases.push_back({"POST /api/logout",
                     [] {
                       return Call{"POST", "/api/logout", "", ""};
                     },
                     LoggedIn(204), false, /*fresh_session=*/true});
    return cases;
  }

  // Fills the cache with what a refused request might clear or serve.
  void WarmSomething() {
    for (const char* path : {"/api/homes/1/dashboard", "/api/homes/2/dashboard", "/api/stats"})
      ASSERT_EQ(AsAdmin("GET", path).status, 200) << path;
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
  std::map<Caller, Identity> ids_;
  std::map<int64_t, int64_t> unit_;
  int64_t type_a_ = 0, type_b_ = 0;
  int dates_ = 0;
  int unique_ = 0;
};

TEST_P(Authz, EveryRouteAnswersEachCallerExactlyAndRefusalsChangeNothing) {
  int checked = 0;
  for (const Case& c : Cases()) {
    for (Caller who : kAllCallers) {
      SCOPED_TRACE(c.name + " as " + Name(who));
      WarmSomething();
      Identity id = c.fresh_session && !ids_[who].cookie.empty() ? NewIdentity(who) : ids_[who];
      Call call = c.make();
      std::string before = Digest();
      HttpResult r = Send(id, call);
      int want = c.expect(who);
      ++checked;
      ASSERT_EQ(r.status, want) << r.body;
      bool refused = want == 401 || want == 403 || want == 302;
      if (refused) {
        EXPECT_EQ(Digest(), before) << "a refused request changed something";
        if (!call.effect_sql.empty()) {
          EXPECT_EQ(s().SqlInt(call.effect_sql), 0);
        }
        EXPECT_EQ(r.Header("x-cache"), "") << "a refusal is not a read";
      } else if (!call.effect_sql.empty()) {
        EXPECT_EQ(s().SqlInt(call.effect_sql), 1) << "an allowed write did not take effect";
        // The instrument itself: the digest must notice each kind of write.
        EXPECT_NE(Digest(), before) << "the digest cannot see this write";
      }
      if (want == 302) {
        EXPECT_EQ(r.Header("location"), "/login?next=" + call.target);
      } else if (c.html) {
        EXPECT_EQ(r.Header("content-type").rfind("text/html", 0), 0u) << r.Header("content-type");
      } else if (want == 401 || want == 403) {
        EXPECT_EQ(r.Header("content-type"), "application/json");
        EXPECT_EQ(r.ErrorCode(), want == 401 ? "unauthorized" : "forbidden") << r.body;
      }
      if (call.target == "/metrics" && want == 200) {
        EXPECT_EQ(r.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
        EXPECT_NE(r.body.find("# TYPE rota_http_requests_total counter"), std::string::npos);
      }
      if (call.target == "/api/logout" && !id.cookie.empty()) {  // that session is over
        EXPECT_EQ(client_->Request("GET", "/api/homes/1/dashboard", "", {{"Cookie", id.cookie}}).status, 401);
      }
    }
  }
  EXPECT_GE(checked, 290);  // 49 cases x 6 callers when written
}

// api.md: "any other home -> 403 (also when the other home's answer is already cached)".
TEST_P(Authz, ACachedAnswerIsNeverServedToSomeoneWhoMayNotSeeIt) {
  for (std::string path : {"/api/homes/2/dashboard", "/api/homes/2/shifts", "/api/homes/2/staff",
                           "/api/homes/2/reports/monthly", "/api/homes/2/compliance", "/api/stats"}) {
    SCOPED_TRACE(path);
    ASSERT_EQ(AsAdmin("GET", path).status, 200);
    HttpResult cached = AsAdmin("GET", path);
    ASSERT_EQ(cached.Header("x-cache"), "HIT");
    for (Caller who : {Caller::kManager1Cookie, Caller::kManager1Bearer}) {
      HttpResult r = Send(ids_[who], Call{"GET", path, "", ""});
      EXPECT_EQ(r.status, 403) << Name(who);
      EXPECT_EQ(r.ErrorCode(), "forbidden") << r.body;
      EXPECT_EQ(r.Header("x-cache"), "");
      EXPECT_EQ(r.Header("etag"), "");
      EXPECT_EQ(r.body.find(cached.body), std::string::npos);
      // Not even by validator: a conditional request learns nothing either.
      auto h = Headers(ids_[who], "GET");
      h["If-None-Match"] = cached.Header("etag");
      EXPECT_EQ(client_->Request("GET", path, "", h).status, 403);
    }
    HttpResult anon = client_->Request("GET", path);
    EXPECT_EQ(anon.status, 401);
    EXPECT_EQ(anon.ErrorCode(), "unauthorized");
  }
  // The same for the page of home 2, whose HTML fragment is cached.
  ASSERT_EQ(AsAdmin("GET", "/homes/2/").status, 200);
  HttpResult page = Send(ids_[Caller::kManager1Cookie], Call{"GET", "/homes/2/", "", ""});
  EXPECT_EQ(page.status, 403);
  EXPECT_EQ(page.body.find("data-testid=\"vacant-7\""), std::string::npos);
}

// CSRF: a cookie-authenticated POST/PATCH/DELETE must carry X-CSRF-Token equal
// to its own session's token. Every write route, and logout.
TEST_P(Authz, CookieWritesWithoutTheirSessionsCsrfTokenAreRefusedAndChangeNothing) {
  Identity m1 = ids_[Caller::kManager1Cookie];
  Identity m1_again = LogIn("manager1");  // another session of the same user
  Identity admin = ids_[Caller::kAdminCookie];
  ASSERT_NE(m1.csrf, m1_again.csrf);
  int checked = 0;
  for (const Case& c : Cases()) {
    // Every write of home 1 by its manager, and the administrators' cache writes by an administrator.
    if (c.name.rfind("GET ", 0) == 0 || c.name == "POST /api/login" || c.name.find("(home 2)") != std::string::npos)
      continue;
    SCOPED_TRACE(c.name);
    Call call = c.make();
    bool admin_route = call.target.rfind("/cache/", 0) == 0;
    const Identity& who = admin_route ? admin : m1;
    std::vector<std::pair<std::string, std::map<std::string, std::string>>> wrong = {
        {"no token", {{"Cookie", who.cookie}}},
        {"an empty token", {{"Cookie", who.cookie}, {"X-CSRF-Token", ""}}},
        {"a wrong token", {{"Cookie", who.cookie}, {"X-CSRF-Token", who.csrf + "x"}}},
        {"a truncated token", {{"Cookie", who.cookie}, {"X-CSRF-Token", who.csrf.substr(0, who.csrf.size() - 1)}}},
        {"another user's session token",
         {{"Cookie", who.cookie}, {"X-CSRF-Token", admin_route ? m1.csrf : admin.csrf}}},
        {"the token as a cookie", {{"Cookie", who.cookie + "; csrf_token=" + who.csrf}}},
    };
    if (!admin_route)
      wrong.push_back(
          {"another session's token of the same user", {{"Cookie", who.cookie}, {"X-CSRF-Token", m1_again.csrf}}});
    for (const auto& [what, headers] : wrong) {
      WarmSomething();
      std::string before = Digest();
      HttpResult r = client_->Request(call.method, call.target, call.body, headers);
      ++checked;
      EXPECT_EQ(r.status, 403) << what << ": " << r.body;
      EXPECT_EQ(r.ErrorCode(), "forbidden") << what;
      EXPECT_EQ(Digest(), before) << what << " changed something";
      if (!call.effect_sql.empty()) {
        EXPECT_EQ(s().SqlInt(call.effect_sql), 0) << what;
      }
    }
    // The session is still good, and with its own token the write succeeds.
    HttpResult ok =
        client_->Request(call.method, call.target, call.body, {{"Cookie", who.cookie}, {"X-CSRF-Token", who.csrf}});
    EXPECT_EQ(ok.status / 100, 2) << ok.body;
    if (!call.effect_sql.empty()) {
      EXPECT_EQ(s().SqlInt(call.effect_sql), 1);
    }
    if (call.target == "/api/logout") {  // log in again for the next cases (logout is the last one)
      ids_[Caller::kManager1Cookie] = m1 = LogIn("manager1");
    }
  }
  EXPECT_GT(checked, 80);
  // A bearer request needs no token; reads by cookie need none either.
  EXPECT_EQ(s().Send("PATCH", "/api/homes/1", R"({"name":"Renamed by bearer"})", s().ManagerToken(1)).status, 200);
  EXPECT_EQ(s().SqlInt("SELECT COUNT(*) FROM care_home WHERE name = 'Renamed by bearer'"), 1);
  EXPECT_EQ(client_->Request("GET", "/api/homes/1/dashboard?nocache=1", "", {{"Cookie", m1.cookie}}).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Db, Authz, ::testing::ValuesIn(AllDbKinds()),
                         [](const auto& info) { return DbKindName(info.param); });

}  // namespace
}  // namespace rota::testing

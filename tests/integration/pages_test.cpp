// The pages over a real socket, without a browser (tests/browser drives
// Chromium): redirects, access, the cached HTML fragment and its invalidation,
// escaping, static assets and the login throttle. SQLite and PostgreSQL.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <set>
#include <string>

#include "integration/harness.hpp"

namespace rota::testing {
namespace {

class Pages : public ::testing::TestWithParam<DbKind> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam());
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  TestServer& s() { return *server_; }

  Session LogIn(const std::string& username) { return testing::LogIn(*client_, username); }
  HttpResult Get(const std::string& target, const Session& who) {
    return client_->Request("GET", target, "",
                            who.cookie.empty() ? std::map<std::string, std::string>{}
                                               : std::map<std::string, std::string>{{"Cookie", who.cookie}});
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_P(Pages, AnonymousVisitorsAreRedirectedToTheLoginPage) {
  HttpClient c(s().port());
  for (const char* path : {"/", "/homes/", "/homes/1/", "/cache/stats/"}) {
    auto r = c.Request("GET", path);
    EXPECT_EQ(r.status, 302) << path;
    EXPECT_EQ(r.Header("location"), std::string("/login?next=") + path) << path;
  }
  auto login = c.Request("GET", "/login");
  EXPECT_EQ(login.status, 200);
  EXPECT_EQ(login.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(login.Header("content-security-policy").find("script-src 'self'"), std::string::npos);
  EXPECT_NE(login.body.find("id=\"login-form\""), std::string::npos);
  // The fragment is fetched by script: it answers like the API.
  auto panel = c.Request("GET", "/homes/1/panel");
  EXPECT_EQ(panel.status, 401);
  EXPECT_EQ(panel.ErrorCode(), "unauthorized");
}

TEST_P(Pages, ManagersSeeTheirHomeOnlyAndAdministratorsEverything) {
  Session m1 = LogIn("manager1");
  EXPECT_EQ(Get("/", m1).Header("location"), "/homes/1/");
  auto homes_of_m1 = Get("/homes/", m1);  // their one home, with its figures
  EXPECT_EQ(homes_of_m1.status, 200);
  EXPECT_NE(homes_of_m1.body.find("href=\"/homes/1/\""), std::string::npos);
  EXPECT_EQ(homes_of_m1.body.find("href=\"/homes/2/\""), std::string::npos);
  auto home = Get("/homes/1/", m1);
  EXPECT_EQ(home.status, 200);
  EXPECT_NE(home.body.find("data-testid=\"vacant-7\""), std::string::npos);
  EXPECT_NE(home.body.find("content=\"" + m1.csrf + "\""), std::string::npos);  // for the page's writes
  EXPECT_EQ(Get("/homes/2/", m1).status, 403);
  EXPECT_EQ(Get("/homes/2/panel", m1).status, 403);
  EXPECT_EQ(Get("/cache/stats/", m1).status, 403);

  Session admin = LogIn("admin");
  EXPECT_EQ(Get("/", admin).Header("location"), "/homes/");
  auto homes = Get("/homes/", admin);
  EXPECT_EQ(homes.status, 200);
  EXPECT_NE(homes.body.find("href=\"/homes/2/\""), std::string::npos);
  EXPECT_EQ(Get("/homes/2/", admin).status, 200);
  EXPECT_EQ(Get("/homes/999/", admin).status, 404);
  auto cache = Get("/cache/stats/", admin);
  EXPECT_EQ(cache.status, 200);
  EXPECT_NE(cache.body.find("id=\"clear-confirm\""), std::string::npos);
}

TEST_P(Pages, TheHomeFragmentIsCachedAndNeverServedToSomeoneWhoMayNotSeeIt) {
  Session admin = LogIn("admin");
  Session m1 = LogIn("manager1");
  auto first = Get("/homes/2/panel", admin);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("x-cache"), "MISS");
  // The session's 0.75 s memory may have passed during a slow miss: refresh it.
  ASSERT_EQ(Get("/api/cache/stats", admin).status, 200);
  auto again = Get("/homes/2/panel", admin);
  EXPECT_EQ(again.Header("x-cache"), "HIT");
  EXPECT_EQ(again.QueryCount(), 0);
  EXPECT_EQ(again.body, first.body);
  // The cached fragment of home 2 is there; manager 1 still may not have it.
  for (const char* path : {"/homes/2/panel", "/homes/2/"}) {
    auto r = Get(path, m1);
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_EQ(r.body.find("data-testid=\"vacant-7\""), std::string::npos) << path;
  }
}

TEST_P(Pages, AWriteInvalidatesTheFragmentWithTheDataItShows) {
  Session m1 = LogIn("manager1");
  auto before = Get("/homes/1/panel", m1);
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(Get("/homes/1/panel", m1).Header("x-cache"), "HIT");
  int64_t pending = s().SqlInt(
      "SELECT MIN(l.id) FROM leave_request l JOIN staff f ON f.id = l.staff_id WHERE f.home_id = 1 AND l.status = "
      "'pending'");
  ASSERT_GT(pending, 0);
  std::string row = "data-leave-row=\"" + std::to_string(pending) + "\"";
  EXPECT_NE(before.body.find(row), std::string::npos);
  auto write = client_->Request("PATCH", "/api/leave-requests/" + std::to_string(pending), R"({"status":"rejected"})",
                                {{"Cookie", m1.cookie}, {"X-CSRF-Token", m1.csrf}});
  ASSERT_EQ(write.status, 200) << write.body;
  auto after = Get("/homes/1/panel", m1);
  EXPECT_EQ(after.Header("x-cache"), "MISS");
  EXPECT_EQ(after.body.find(row), std::string::npos);  // no longer pending
}

TEST_P(Pages, DataIsEscapedInHtml) {
  Session admin = LogIn("admin");
  auto rename = client_->Request("PATCH", "/api/homes/1", R"({"name":"<script>alert('x')</script> & Co"})",
                                 {{"Cookie", admin.cookie}, {"X-CSRF-Token", admin.csrf}});
  ASSERT_EQ(rename.status, 200) << rename.body;
  for (const char* path : {"/homes/1/", "/homes/", "/cache/stats/"}) {
    auto page = Get(path, admin);
    EXPECT_EQ(page.body.find("<script>alert"), std::string::npos) << path;
    EXPECT_NE(page.body.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"), std::string::npos) << path;
  }
}

TEST_P(Pages, StaticAssetsAreServedFromTheBinaryAndCachedForever) {
  HttpClient c(s().port());
  auto css = c.Request("GET", "/static/rota.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.Header("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(css.Header("cache-control"), "public, max-age=31536000, immutable");
  auto chart = c.Request("GET", "/static/chart.umd.min.js");
  EXPECT_EQ(chart.status, 200);
  EXPECT_NE(chart.body.find("Chart"), std::string::npos);
  EXPECT_EQ(c.Request("GET", "/static/nope.js").status, 404);
}

TEST_P(Pages, RepeatedFailedLoginsAreRefusedWithoutSayingWhetherTheUserExists) {
  HttpClient c(s().port());
  for (const char* user : {"manager2", "no-such-user"}) {
    for (int i = 0; i < 5; ++i)
      EXPECT_EQ(
          c.Request("POST", "/api/login", std::string(R"({"username":")") + user + R"(","password":"guess"})").status,
          401);
  }
  auto known = c.Request("POST", "/api/login", R"({"username":"manager2","password":"rota-demo"})");
  auto unknown = c.Request("POST", "/api/login", R"({"username":"no-such-user","password":"rota-demo"})");
  EXPECT_EQ(known.status, 429);  // even with the right password
  EXPECT_EQ(unknown.status, 429);
  EXPECT_EQ(known.ErrorCode(), "too_many_requests");
  EXPECT_FALSE(known.Header("retry-after").empty());
  EXPECT_EQ(unknown.ErrorCode(), "too_many_requests");  // the same answer (its wait may differ by a second)
  // Others are not locked out.
  EXPECT_EQ(c.Request("POST", "/api/login", R"({"username":"manager1","password":"rota-demo"})").status, 200);
}

// The page offers for a vacant shift exactly the members of staff the API
// accepts for it: both ask domain::MayTake / CheckShift. Every member of the
// home is tried on each vacant shift shown (an accepted one is put back).
TEST_P(Pages, TheCandidatesOfAVacantShiftAreThoseTheApiAccepts) {
  TestServer big(GetParam(), SeedShape{1, 30, 14});  // enough staff for some to be free
  TestServer& server = big;
  const std::string& admin = server.admin_token();
  auto panel = server.Get("/homes/1/panel", admin);
  ASSERT_EQ(panel.status, 200);
  rapidjson::Document staff;
  staff.Parse(server.Get("/api/homes/1/staff", admin).body.c_str());
  ASSERT_TRUE(staff.IsObject());
  const std::string& html = panel.body;
  int shifts_tried = 0, accepted_total = 0, refused_total = 0;
  for (auto row = html.find("<tr data-shift-row=\""); row != std::string::npos && shifts_tried < 4;
       row = html.find("<tr data-shift-row=\"", row + 1)) {
    const auto id_at = row + 20;
    const std::string shift = html.substr(id_at, html.find('"', id_at) - id_at);
    const auto end = html.find("</tr>", row);
    std::set<int64_t> offered;
    for (auto at = html.find("<option value=\"", row); at < end; at = html.find("<option value=\"", at + 1))
      offered.insert(std::stoll(html.substr(at + 15)));
    std::set<int64_t> accepted;
    for (const auto& m : staff["staff"].GetArray()) {
      const int64_t id = m["id"].GetInt64();
      auto r = server.Send("PATCH", "/api/shifts/" + shift, "{\"staff_id\": " + std::to_string(id) + "}", admin);
      if (r.status == 200) {
        accepted.insert(id);
        ASSERT_EQ(server.Send("PATCH", "/api/shifts/" + shift, R"({"staff_id": null})", admin).status, 200);
      } else {
        EXPECT_TRUE(r.status == 422 || r.status == 409) << r.status << " " << r.body;
        ++refused_total;
      }
    }
    EXPECT_EQ(offered, accepted) << "shift " << shift;
    accepted_total += static_cast<int>(accepted.size());
    ++shifts_tried;
  }
  EXPECT_GT(shifts_tried, 0);  // the seed leaves shifts vacant
  EXPECT_GT(accepted_total, 0);
  EXPECT_GT(refused_total, 0);
}

INSTANTIATE_TEST_SUITE_P(Db, Pages, ::testing::ValuesIn(AllDbKinds()),
                         [](const auto& info) { return DbKindName(info.param); });

}  // namespace
}  // namespace rota::testing

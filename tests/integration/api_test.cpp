// The HTTP contract of api.md end to end: a real socket, a real database
// (every test runs on SQLite and on PostgreSQL), seeded demo data.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>

#include "integration/harness.hpp"
#include "service/passwords.hpp"

namespace rota::testing {
namespace {

class Api : public ::testing::TestWithParam<DbKind> {
 protected:
  void SetUp() override { server_ = std::make_unique<TestServer>(GetParam()); }
  TestServer& s() { return *server_; }
  const std::string& admin() { return server_->admin_token(); }

  // A vacant shift of home 1 on 2026-11-28 and an eligible member of staff for it.
  std::pair<int64_t, int64_t> VacantShiftAndEligibleStaff() {
    int64_t shift = s().SqlInt(
        "SELECT MIN(s.id) FROM shift s WHERE s.home_id = 1 AND s.staff_id IS NULL AND s.date = '2026-11-28' "
        "AND EXISTS (SELECT 1 FROM staff f JOIN staff_qualified_unit q ON q.staff_id = f.id AND q.unit_id = s.unit_id "
        "WHERE f.home_id = 1 AND f.active AND NOT EXISTS (SELECT 1 FROM shift o WHERE o.staff_id = f.id AND o.date = "
        "s.date) "
        "AND NOT EXISTS (SELECT 1 FROM leave_request l WHERE l.staff_id = f.id AND l.status = 'approved' "
        "AND l.start_date <= s.date AND s.date <= l.end_date))");
    int64_t staff = s().SqlInt(
        "SELECT MIN(f.id) FROM staff f JOIN staff_qualified_unit q ON q.staff_id = f.id JOIN shift s ON s.unit_id = "
        "q.unit_id "
        "WHERE s.id = " +
        std::to_string(shift) +
        " AND f.home_id = 1 AND f.active AND NOT EXISTS (SELECT 1 FROM shift o WHERE o.staff_id = f.id AND o.date = "
        "s.date) "
        "AND NOT EXISTS (SELECT 1 FROM leave_request l WHERE l.staff_id = f.id AND l.status = 'approved' "
        "AND l.start_date <= s.date AND s.date <= l.end_date)");
    return {shift, staff};
  }

  std::unique_ptr<TestServer> server_;
};

TEST_P(Api, AnonymousAndWrongTokensGet401JsonErrors) {
  auto r = s().Get("/api/homes/1/dashboard", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.ErrorCode(), "unauthorized");
  EXPECT_EQ(s().Get("/api/homes/1/dashboard", "not-a-token").status, 401);
  EXPECT_EQ(s().Get("/api/stats", "").status, 401);
  EXPECT_EQ(s().Send("POST", "/api/shifts", "{}", "").status, 401);
}

TEST_P(Api, HealthzNeedsNoLogin) {
  auto r = s().Get("/healthz", "");
  EXPECT_EQ(r.status, 200);
  auto d = Json(r.body);
  EXPECT_STREQ(d["status"].GetString(), "ok");
  EXPECT_STREQ(d["database"].GetString(), "ok");
}

TEST_P(Api, DashboardCountsMatchSqlThenComeFromTheCache) {
  auto r = s().Get("/api/homes/1/dashboard?from=2026-11-25&days=7", admin());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("x-cache"), "MISS");
  EXPECT_GE(r.QueryCount(), 2);
  // The token's 0.75 s memory may have passed during a slow miss: refresh it.
  ASSERT_EQ(s().Get("/api/cache/stats", admin()).status, 200);
  auto hit = s().Get("/api/homes/1/dashboard?from=2026-11-25&days=7", admin());
  EXPECT_EQ(hit.Header("x-cache"), "HIT");
  EXPECT_EQ(hit.body, r.body);
  EXPECT_EQ(hit.QueryCount(), 0);  // the token is remembered, the answer cached
  auto bypass = s().Get("/api/homes/1/dashboard?from=2026-11-25&days=7&nocache=1", admin());
  EXPECT_EQ(bypass.Header("x-cache"), "BYPASS");
  EXPECT_EQ(bypass.body, r.body);
  auto d = Json(r.body);
  int64_t total =
      s().SqlInt("SELECT COUNT(*) FROM shift WHERE home_id = 1 AND date BETWEEN '2026-11-25' AND '2026-12-01'");
  int64_t staffed =
      s().SqlInt("SELECT COUNT(staff_id) FROM shift WHERE home_id = 1 AND date BETWEEN '2026-11-25' AND '2026-12-01'");
  EXPECT_EQ(d["total_shifts"].GetInt64(), total);
  EXPECT_EQ(d["staffed_shifts"].GetInt64(), staffed);
  EXPECT_EQ(d["by_day"].Size(), 7u);
  EXPECT_STREQ(d["to"].GetString(), "2026-12-01");
}

TEST_P(Api, DefaultsUsePinnedToday) {
  auto d = Json(s().Get("/api/homes/1/dashboard", admin()).body);
  EXPECT_STREQ(d["from"].GetString(), "2026-11-28");
  EXPECT_EQ(d["days"].GetInt(), 7);
  auto m = Json(s().Get("/api/homes/1/reports/monthly", admin()).body);
  EXPECT_STREQ(m["month"].GetString(), "2026-11");
}

TEST_P(Api, ManagersSeeOnlyTheirHomeEvenWhenTheAnswerIsCached) {
  std::string m1 = s().ManagerToken(1);
  ASSERT_EQ(s().Get("/api/homes/2/dashboard", admin()).status, 200);  // now cached
  ASSERT_EQ(s().Get("/api/homes/2/dashboard", admin()).Header("x-cache"), "HIT");
  for (const char* path : {"/api/homes/1/dashboard", "/api/homes/1/shifts", "/api/homes/1/staff",
                           "/api/homes/1/reports/monthly", "/api/homes/1/compliance"})
    EXPECT_EQ(s().Get(path, m1).status, 200) << path;
  for (const char* path :
       {"/api/homes/2/dashboard", "/api/homes/2/shifts", "/api/homes/2/staff", "/api/homes/2/reports/monthly",
        "/api/homes/2/compliance", "/api/homes/999/dashboard", "/api/stats"}) {
    auto r = s().Get(path, m1);
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_EQ(r.ErrorCode(), "forbidden") << path;
  }
  EXPECT_EQ(s().Send("PATCH", "/api/homes/2", R"({"name":"Taken Over"})", m1).status, 403);
  EXPECT_EQ(s().SqlInt("SELECT COUNT(*) FROM care_home WHERE name = 'Taken Over'"), 0);
  EXPECT_EQ(s().Get("/api/stats", admin()).status, 200);
  EXPECT_EQ(s().Get("/api/homes/2/dashboard", admin()).status, 200);
}

TEST_P(Api, UnknownThingsAre404AndWrongMethods405) {
  auto r = s().Get("/api/homes/999/dashboard", admin());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.ErrorCode(), "not_found");
  r = s().Get("/api/no-such-thing", admin());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.ErrorCode(), "not_found");
  r = s().Send("POST", "/api/homes/1/dashboard", "{}", admin());
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.ErrorCode(), "method_not_allowed");
  EXPECT_NE(r.Header("allow").find("GET"), std::string::npos);
  EXPECT_EQ(s().Get("/api/homes/-1/dashboard", admin()).status, 404);
  EXPECT_EQ(s().Get("/api/homes/99999999999999999999/dashboard", admin()).status, 404);
  r = s().Send("PATCH", "/api/shifts/999999999", R"({"staff_id":null})", admin());
  EXPECT_EQ(r.status, 404);
}

TEST_P(Api, BadQueryParametersAre422NamingTheField) {
  struct Case {
    const char* target;
    const char* field;
  } cases[] = {
      {"/api/homes/1/dashboard?days=0", "days"},
      {"/api/homes/1/dashboard?days=367", "days"},
      {"/api/homes/1/dashboard?days=abc", "days"},
      {"/api/homes/1/dashboard?days=99999999999999999999", "days"},
      {"/api/homes/1/dashboard?from=2026-02-30", "from"},
      {"/api/homes/1/dashboard?from=yesterday", "from"},
      {"/api/homes/1/dashboard?from=9999-12-30&days=5", "days"},
      {"/api/homes/1/shifts?from=2026-11-28&to=2026-11-27", "to"},
      {"/api/homes/1/shifts?from=2026-01-01&to=2027-01-02", "to"},
      {"/api/homes/1/compliance?days=-3", "days"},
      {"/api/homes/1/reports/monthly?month=2026-13", "month"},
      {"/api/homes/1/dashboard?from=%27%3B%20DROP%20TABLE%20shift%3B--", "from"},
  };
  for (const auto& c : cases) {
    auto r = s().Get(c.target, admin());
    EXPECT_EQ(r.status, 422) << c.target << " " << r.body;
    EXPECT_EQ(r.ErrorCode(), "invalid") << c.target;
    EXPECT_EQ(r.ErrorField(), c.field) << c.target;
  }
  EXPECT_GT(s().SqlInt("SELECT COUNT(*) FROM shift"), 0);
}

TEST_P(Api, MalformedAndOversizedBodiesChangeNothing) {
  int64_t before = s().SqlInt("SELECT COUNT(*) FROM shift");
  auto r = s().Send("POST", "/api/shifts", R"({"home_id": 1,)", admin());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.ErrorCode(), "bad_request");
  EXPECT_EQ(s().Send("POST", "/api/shifts", "[1,2]", admin()).status, 400);
  r = s().Send("POST", "/api/shifts",
               R"({"home_id":1,"unit_id":1,"shift_type_id":1,"date":"2026-12-01","colour":"red"})", admin());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.ErrorField(), "colour");
  r = s().Send("POST", "/api/shifts", R"({"home_id":"one","unit_id":1,"shift_type_id":1,"date":"2026-12-01"})",
               admin());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.ErrorField(), "home_id");
  r = s().Send("POST", "/api/shifts", R"({"home_id":1,"unit_id":1,"shift_type_id":1,"date":"2026-02-30"})", admin());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.ErrorField(), "date");
  std::string huge = R"({"body":")" + std::string(2 << 20, 'x') + R"("})";
  r = s().Send("POST", "/api/shifts/1/notes", huge, admin());
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.ErrorCode(), "payload_too_large");
  EXPECT_EQ(s().SqlInt("SELECT COUNT(*) FROM shift"), before);
  EXPECT_EQ(s().SqlInt("SELECT COUNT(*) FROM shift_note WHERE LENGTH(body) > 1000"), 0);
}

TEST_P(Api, HostileStringsAreStoredVerbatim) {
  std::string name = "Robert'); DROP TABLE staff;-- \\\" <script>";
  std::string body =
      R"({"home_id":1,"first_name":"Robert'); DROP TABLE staff;-- \\\" <script>","last_name":"O'Brien","role":"carer"})";
  auto r = s().Send("POST", "/api/staff", body, admin());
  ASSERT_EQ(r.status, 201) << r.body;
  auto d = Json(r.body);
  EXPECT_EQ(std::string(d["name"].GetString()), name + " O'Brien");
  EXPECT_EQ(s().SqlInt("SELECT COUNT(*) FROM staff WHERE last_name = 'O''Brien' AND first_name LIKE 'Robert%'"), 1);
}

TEST_P(Api, AssigningAVacantShiftShowsInTheNextDashboard) {
  server_ = std::make_unique<TestServer>(GetParam(), SeedShape{2, 40, 14});  // enough staff to leave some free
  auto [shift, staff] = VacantShiftAndEligibleStaff();
  ASSERT_GT(shift, 0);
  ASSERT_GT(staff, 0);
  auto before = Json(s().Get("/api/homes/1/dashboard", admin()).body);
  auto r = s().Send("PATCH", "/api/shifts/" + std::to_string(shift), R"({"staff_id":)" + std::to_string(staff) + "}",
                    admin());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r.body)["staff"]["id"].GetInt64(), staff);
  auto next = s().Get("/api/homes/1/dashboard", admin());
  EXPECT_EQ(next.Header("x-cache"), "MISS");  // the write invalidated home 1
  auto after = Json(next.body);
  EXPECT_EQ(after["staffed_shifts"].GetInt64(), before["staffed_shifts"].GetInt64() + 1);
  // The same member of staff cannot take a second shift that day.
  int64_t twin = s().SqlInt("SELECT MIN(id) FROM shift WHERE home_id = 1 AND date = '2026-11-28' AND id <> " +
                            std::to_string(shift));
  r = s().Send("PATCH", "/api/shifts/" + std::to_string(twin), R"({"staff_id":)" + std::to_string(staff) + "}",
               admin());
  EXPECT_TRUE(r.status == 409 || r.status == 422) << r.body;
  EXPECT_EQ(r.ErrorField(), "staff_id");
}

TEST_P(Api, QueryCountsDoNotGrowWithTheRows) {
  // X-Query-Count includes the token's lookup, which a server repeats once its
  // 0.75 s memory of it has passed (api.md: revocation within 1 s). So each
  // measured read follows a request that refreshed that memory just before.
  auto statements_of = [&](const std::string& target) {
    EXPECT_EQ(s().Get("/api/stats", admin()).status, 200);
    auto r = s().Get(target, admin());
    EXPECT_EQ(r.status, 200) << target;
    return r.QueryCount();
  };
  std::set<int> shift_counts;
  for (const char* to : {"2026-11-21", "2026-11-30", "2027-02-28"})  // 1, 10 and 100 days
    shift_counts.insert(statements_of(std::string("/api/homes/1/shifts?from=2026-11-21&to=") + to));
  EXPECT_EQ(shift_counts.size(), 1u);
  EXPECT_LE(*shift_counts.begin(), 4);

  std::set<int> staff_counts;
  staff_counts.insert(statements_of("/api/homes/1/staff"));
  for (int grow : {72, 720}) {  // 8 staff -> 80 -> 800
    for (int i = 0; i < grow; ++i)
      s().Send("POST", "/api/staff",
               R"({"home_id":1,"first_name":"Extra","last_name":"Person","role":"carer","qualified_unit_ids":[1]})",
               admin());
    staff_counts.insert(statements_of("/api/homes/1/staff"));
  }
  EXPECT_EQ(s().SqlInt("SELECT COUNT(*) FROM staff WHERE home_id = 1"), 800);
  EXPECT_EQ(staff_counts.size(), 1u);
}

TEST_P(Api, LoginSessionsNeedTheCsrfTokenToWrite) {
  HttpClient c(s().port());
  auto bad = c.Request("POST", "/api/login", R"({"username":"manager1","password":"wrong"})");
  auto nobody = c.Request("POST", "/api/login", R"({"username":"nobody","password":"wrong"})");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(nobody.status, 401);
  EXPECT_EQ(bad.body, nobody.body);

  auto ok = c.Request("POST", "/api/login", R"({"username":"manager1","password":"rota-demo"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  std::string cookie_header = ok.Header("set-cookie");
  EXPECT_NE(cookie_header.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie_header.find("SameSite=Lax"), std::string::npos);
  std::string cookie = cookie_header.substr(0, cookie_header.find(';'));
  std::string csrf = Json(ok.body)["csrf_token"].GetString();
  EXPECT_EQ(Json(ok.body)["user"]["home_id"].GetInt64(), 1);

  EXPECT_EQ(c.Request("GET", "/api/homes/1/dashboard", "", {{"Cookie", cookie}}).status, 200);
  EXPECT_EQ(c.Request("GET", "/api/homes/2/dashboard", "", {{"Cookie", cookie}}).status, 403);

  std::string rename = R"({"name":"Renamed By Cookie"})";
  auto r = c.Request("PATCH", "/api/homes/1", rename, {{"Cookie", cookie}});
  EXPECT_EQ(r.status, 403);
  r = c.Request("PATCH", "/api/homes/1", rename, {{"Cookie", cookie}, {"X-CSRF-Token", csrf + "x"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(s().SqlInt("SELECT COUNT(*) FROM care_home WHERE name = 'Renamed By Cookie'"), 0);
  r = c.Request("PATCH", "/api/homes/1", rename, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(s().SqlInt("SELECT COUNT(*) FROM care_home WHERE name = 'Renamed By Cookie'"), 1);

  EXPECT_EQ(c.Request("POST", "/api/logout", "", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}).status, 204);
  EXPECT_EQ(c.Request("GET", "/api/homes/1/dashboard", "", {{"Cookie", cookie}}).status, 401);
}

// Any timestamp the database may hold is a valid expiry: a session or token
// that expires in year 9999 (a migrated or hand-made row) authenticates, where
// converting its remaining time to nanoseconds once overflowed (found by the
// http_request fuzzer under UBSan).
TEST_P(Api, CredentialsThatExpireCenturiesAheadAreAccepted) {
  {
    auto conn = s().app().pool().Acquire();
    ASSERT_TRUE(conn) << conn.error().message;
    const std::string far = "9999-12-31T00:00:00Z", now = NowTimestamp();
    auto session = (*conn)->Exec(
        "INSERT INTO user_session (user_id, session_hash, csrf_token, created_at, expires_at) "
        "SELECT id, ?, 'far-csrf', ?, ? FROM app_user WHERE username = 'admin'",
        {service::HashSecret("far-session"), now, far});
    ASSERT_TRUE(session) << session.error().message;
    auto token = (*conn)->Exec(
        "INSERT INTO api_token (user_id, token_hash, created_at, expires_at) "
        "SELECT id, ?, ?, ? FROM app_user WHERE username = 'admin'",
        {service::HashSecret("far-token"), now, far});
    ASSERT_TRUE(token) << token.error().message;
  }
  HttpClient c(s().port());
  for (int round = 0; round < 2; ++round) {  // from the database, then remembered
    EXPECT_EQ(c.Request("GET", "/api/homes/1/dashboard", "", {{"Cookie", "rota_session=far-session"}}).status, 200);
    EXPECT_EQ(c.Request("GET", "/api/homes/1/dashboard", "", {{"Authorization", "Bearer far-token"}}).status, 200);
  }
}

TEST_P(Api, MalformedRequestLineGets400) {
  HttpClient c(s().port());
  std::string out = c.Raw("GARBAGE\r\n\r\n");
  EXPECT_NE(out.find("400"), std::string::npos) << out;
  EXPECT_NE(out.find("bad_request"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(Db, Api, ::testing::ValuesIn(AllDbKinds()),
                         [](const auto& info) { return DbKindName(info.param); });

}  // namespace
}  // namespace rota::testing

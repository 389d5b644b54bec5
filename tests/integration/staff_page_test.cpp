// The staff page (/homes/{id}/staff/) over a real socket on SQLite and
// PostgreSQL, without a browser (tests/browser/staff.test.js drives Chromium):
// access, the cached fragments' query counts and invalidation, and the shifts
// a delete would leave vacant compared with the database.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <string>

#include "integration/harness.hpp"

namespace rota::testing {
namespace {

class StaffPageE2E : public ::testing::TestWithParam<DbKind> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam());
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  TestServer& s() { return *server_; }

  Session LogIn(const std::string& username) { return testing::LogIn(*client_, username); }
  HttpResult Get(const std::string& target, const Session& who) {
    return client_->Request("GET", target, "", {{"Cookie", who.cookie}});
  }
  HttpResult Write(const std::string& method, const std::string& target, const std::string& body, const Session& who) {
    return client_->Request(method, target, body, {{"Cookie", who.cookie}, {"X-CSRF-Token", who.csrf}});
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_P(StaffPageE2E, AnonymousVisitorsLogInAndManagersSeeOnlyTheirHome) {
  HttpClient anonymous(s().port());
  auto page = anonymous.Request("GET", "/homes/1/staff/");
  EXPECT_EQ(page.status, 302);
  EXPECT_EQ(page.Header("location"), "/login?next=/homes/1/staff/");
  EXPECT_EQ(anonymous.Request("GET", "/homes/1/staff/panel").status, 401);

  Session admin = LogIn("admin");
  auto warm = Get("/homes/2/staff/", admin);  // home 2's fragment is now cached
  ASSERT_EQ(warm.status, 200);
  EXPECT_NE(warm.body.find("data-staff-row="), std::string::npos);
  EXPECT_EQ(Get("/homes/999/staff/", admin).status, 404);

  Session m1 = LogIn("manager1");
  EXPECT_EQ(Get("/homes/1/staff/", m1).status, 200);
  for (const char* path : {"/homes/2/staff/", "/homes/2/staff/panel"}) {
    auto r = Get(path, m1);
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_EQ(r.body.find("data-staff-row="), std::string::npos) << path;
  }
  // Nor may they act on another home's staff.
  int64_t other = s().SqlInt("SELECT MIN(id) FROM staff WHERE home_id = 2");
  EXPECT_EQ(Write("PATCH", "/api/staff/" + std::to_string(other), R"({"contracted_hours":1})", m1).status, 403);
}

TEST_P(StaffPageE2E, AWarmPageCostsNoQueryAndAColdOneFiveWhateverTheNumberOfStaff) {
  Session m1 = LogIn("manager1");
  auto first = Get("/homes/1/staff/", m1);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("x-cache"), "MISS");
  auto again = Get("/homes/1/staff/", m1);
  EXPECT_EQ(again.Header("x-cache"), "HIT");
  EXPECT_EQ(again.QueryCount(), 0);
  auto cold = Get("/homes/1/staff/panel?nocache=1", m1);
  EXPECT_EQ(cold.Header("x-cache"), "BYPASS");
  const int cold_count = cold.QueryCount();
  // Five statements: the home and its units, the staff list (4); one more when
  // the session's remembered lookup ran out meanwhile.
  EXPECT_GE(cold_count, 5);
  EXPECT_LE(cold_count, 6);

  for (int i = 0; i < 5; ++i) {
    auto add = Write("POST", "/api/staff",
                     R"({"home_id":1,"first_name":"New","last_name":"Person )" + std::to_string(i) +
                         R"(","role":"carer","qualified_unit_ids":[)" +
                         std::to_string(s().SqlInt("SELECT MIN(id) FROM unit WHERE home_id = 1")) + "]}",
                     m1);
    ASSERT_EQ(add.status, 201) << add.body;
  }
  auto more = Get("/homes/1/staff/panel?nocache=1", m1);
  EXPECT_GE(more.QueryCount(), 5);
  EXPECT_LE(more.QueryCount(), 6);
  EXPECT_NE(more.body.find("data-name=\"New Person 4\""), std::string::npos);
}

TEST_P(StaffPageE2E, AWriteInvalidatesTheFragmentWithTheDataItShows) {
  Session m1 = LogIn("manager1");
  ASSERT_EQ(Get("/homes/1/staff/panel", m1).status, 200);
  EXPECT_EQ(Get("/homes/1/staff/panel", m1).Header("x-cache"), "HIT");
  int64_t staff = s().SqlInt("SELECT MIN(id) FROM staff WHERE home_id = 1");
  auto cert =
      Write("POST", "/api/certifications",
            R"({"staff_id":)" + std::to_string(staff) + R"(,"name":"Fire <safety>","expires_on":"2026-12-01"})", m1);
  ASSERT_EQ(cert.status, 201) << cert.body;
  auto after = Get("/homes/1/staff/panel", m1);
  EXPECT_EQ(after.Header("x-cache"), "MISS");
  // Expiring within 30 days, marked so, and escaped.
  EXPECT_NE(after.body.find("<span class=\"badge warn\">expiring</span> <span class=\"cert-name\">Fire &lt;safety&gt;"),
            std::string::npos);
}

TEST_P(StaffPageE2E, TheShiftsADeleteLeavesVacantAreTheDatabasesAndBecomeVacant) {
  Session m1 = LogIn("manager1");
  const std::string busiest =
      "SELECT staff_id FROM shift WHERE home_id = 1 AND date >= '2026-11-28' AND staff_id IS NOT NULL "
      "GROUP BY staff_id ORDER BY COUNT(*) DESC, staff_id LIMIT 1";
  int64_t staff = s().SqlInt(busiest);
  ASSERT_GT(staff, 0);
  const std::string where = " FROM shift WHERE staff_id = " + std::to_string(staff) + " AND date >= '2026-11-28'";
  int64_t upcoming = s().SqlInt("SELECT COUNT(*)" + where);
  ASSERT_GT(upcoming, 0);
  // They worked before today too (the seed starts a week earlier): those shifts are not listed.
  EXPECT_GT(
      s().SqlInt("SELECT COUNT(*) FROM shift WHERE staff_id = " + std::to_string(staff) + " AND date < '2026-11-28'"),
      0);

  const std::string url = "/homes/1/staff/" + std::to_string(staff) + "/vacated";
  auto vacated = Get(url, m1);
  ASSERT_EQ(vacated.status, 200) << vacated.body;
  EXPECT_EQ(vacated.Header("x-cache"), "MISS");
  EXPECT_NE(vacated.body.find("data-count=\"" + std::to_string(upcoming) + "\""), std::string::npos);
  int64_t listed = 0, sum = 0;
  const std::string item = "<li data-shift=\"";
  for (auto at = vacated.body.find(item); at != std::string::npos; at = vacated.body.find(item, at + 1)) {
    ++listed;
    sum += std::stoll(vacated.body.substr(at + item.size()));
  }
  EXPECT_EQ(listed, upcoming);
  EXPECT_EQ(sum, s().SqlInt("SELECT SUM(id)" + where));
  auto again = Get(url, m1);
  EXPECT_EQ(again.Header("x-cache"), "HIT");
  EXPECT_EQ(again.QueryCount(), 0);

  // Another home's member, asked for under this home or that one.
  int64_t other = s().SqlInt("SELECT MIN(id) FROM staff WHERE home_id = 2");
  EXPECT_EQ(Get("/homes/1/staff/" + std::to_string(other) + "/vacated", m1).status, 404);
  EXPECT_EQ(Get("/homes/2/staff/" + std::to_string(other) + "/vacated", m1).status, 403);
  HttpClient anonymous(s().port());
  EXPECT_EQ(anonymous.Request("GET", url).status, 401);

  ASSERT_EQ(Write("DELETE", "/api/staff/" + std::to_string(staff), "", m1).status, 204);
  EXPECT_EQ(s().SqlInt("SELECT COUNT(*) FROM shift WHERE staff_id = " + std::to_string(staff)), 0);
  EXPECT_EQ(Get("/homes/1/staff/panel", m1).body.find("data-staff-row=\"" + std::to_string(staff) + "\""),
            std::string::npos);
  EXPECT_EQ(Get(url, m1).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Db, StaffPageE2E, ::testing::ValuesIn(AllDbKinds()),
                         [](const auto& info) { return DbKindName(info.param); });

}  // namespace
}  // namespace rota::testing

// GET /api/homes, the monthly report's CSV, and the overview pages (/homes/,
// the monthly report page, compliance) over a real socket and a real database
// (SQLite and PostgreSQL): the numbers equal each home's own reads, the query
// counts do not grow with the number of homes, a write shows at once, a warm
// page costs 0 queries, and nobody sees a home they may not see.
// (tests/integration/report_csv_check.py reads the CSV with Python's csv module.)
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "integration/harness.hpp"

namespace rota::testing {
namespace {

constexpr const char* kFigures[] = {
    "total_shifts",          "staffed_shifts", "vacant_shifts", "pending_leave_requests", "certifications_expiring_30d",
    "certifications_expired"};

class Overview : public ::testing::TestWithParam<DbKind> {
 protected:
  // The ids of GET /api/homes as `token` sees it.
  static std::vector<int64_t> HomeIds(TestServer& s, const std::string& token) {
    auto r = s.Get("/api/homes", token);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<int64_t> ids;
    auto d = Json(r.body);
    for (const auto& h : d["homes"].GetArray()) ids.push_back(h["id"].GetInt64());
    return ids;
  }
};

TEST_P(Overview, EachHomesFiguresEqualItsDashboardOfSevenDays) {
  TestServer s(GetParam(), SeedShape{3, 8, 21});
  auto r = s.Get("/api/homes", s.admin_token());
  ASSERT_EQ(r.status, 200) << r.body;
  auto homes = Json(r.body);
  ASSERT_EQ(homes["homes"].Size(), 3u);
  int64_t previous = 0;
  for (const auto& h : homes["homes"].GetArray()) {
    const int64_t id = h["id"].GetInt64();
    EXPECT_GT(id, previous);  // ascending id
    previous = id;
    auto d = Json(s.Get("/api/homes/" + std::to_string(id) + "/dashboard?days=7", s.admin_token()).body);
    EXPECT_STREQ(h["name"].GetString(), d["home"]["name"].GetString());
    for (const char* f : kFigures) EXPECT_EQ(h[f].GetInt64(), d[f].GetInt64()) << "home " << id << " " << f;
    EXPECT_DOUBLE_EQ(h["coverage_pct"].GetDouble(), d["coverage_pct"].GetDouble()) << "home " << id;
  }
  // The seed leaves some vacant shifts, pending leave and certifications to count.
  EXPECT_GT(homes["homes"][0]["vacant_shifts"].GetInt64() + homes["homes"][1]["vacant_shifts"].GetInt64(), 0);
}

TEST_P(Overview, TheQueryCountIsTheSameForThreeHomesAndForTen) {
  TestServer three(GetParam(), SeedShape{3, 4, 7});
  TestServer ten(GetParam(), SeedShape{10, 4, 7});
  for (TestServer* s : {&three, &ten}) {
    s->Get("/api/homes/1/dashboard", s->admin_token());  // the token's first use is behind us
    auto uncached = s->Get("/api/homes?nocache=1", s->admin_token());
    ASSERT_EQ(uncached.status, 200);
    EXPECT_EQ(uncached.QueryCount(), 1) << "one statement for every home";
    auto miss = s->Get("/api/homes", s->admin_token());
    EXPECT_EQ(miss.Header("x-cache"), "MISS");
    auto hit = s->Get("/api/homes", s->admin_token());
    EXPECT_EQ(hit.Header("x-cache"), "HIT");
    EXPECT_EQ(hit.QueryCount(), 0);
    EXPECT_EQ(hit.body, miss.body);
  }
  EXPECT_EQ(Json(ten.Get("/api/homes", ten.admin_token()).body)["homes"].Size(), 10u);
}

TEST_P(Overview, AWriteToOneHomeShowsAtOnceInEveryScopeThatShowsIt) {
  TestServer s(GetParam(), SeedShape{3, 8, 14});
  const std::string manager2 = s.ManagerToken(2);
  auto vacant_of = [&](const std::string& token, int64_t home) -> int64_t {
    auto d = Json(s.Get("/api/homes", token).body);
    for (const auto& h : d["homes"].GetArray())
      if (h["id"].GetInt64() == home) return h["vacant_shifts"].GetInt64();
    return -1;
  };
  const int64_t admin_before = vacant_of(s.admin_token(), 2), manager_before = vacant_of(manager2, 2);
  ASSERT_EQ(admin_before, manager_before);
  EXPECT_EQ(s.Get("/api/homes", s.admin_token()).Header("x-cache"), "HIT");
  EXPECT_EQ(s.Get("/api/homes", manager2).Header("x-cache"), "HIT");
  const int64_t shift = s.SqlInt(
      "SELECT MIN(id) FROM shift WHERE home_id = 2 AND staff_id IS NOT NULL AND date >= '2026-11-28' AND "
      "date <= '2026-12-04'");
  ASSERT_GT(shift, 0);
  auto w = s.Send("PATCH", "/api/shifts/" + std::to_string(shift), R"({"staff_id": null})", s.admin_token());
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(vacant_of(s.admin_token(), 2), admin_before + 1);
  EXPECT_EQ(vacant_of(manager2, 2), manager_before + 1);
  // The home page lists show it too.
  auto page = s.Get("/homes/", s.admin_token());
  EXPECT_NE(page.body.find("data-home-row=\"2\""), std::string::npos);
}

TEST_P(Overview, AManagerSeesOnlyTheirHomeEvenWhenTheFullListIsCached) {
  TestServer s(GetParam(), SeedShape{3, 4, 7});
  EXPECT_EQ(HomeIds(s, s.admin_token()), (std::vector<int64_t>{1, 2, 3}));  // cached now
  EXPECT_EQ(HomeIds(s, s.ManagerToken(3)), (std::vector<int64_t>{3}));
  EXPECT_EQ(HomeIds(s, s.ManagerToken(1)), (std::vector<int64_t>{1}));
  EXPECT_EQ(HomeIds(s, s.admin_token()), (std::vector<int64_t>{1, 2, 3}));  // and not the other way round
  EXPECT_EQ(s.Get("/api/homes", "").status, 401);
}

TEST_P(Overview, TheCsvIsTheJsonReportsRowsAsAnRfc4180Attachment) {
  TestServer s(GetParam(), SeedShape{2, 6, 14});
  const std::string admin = s.admin_token();
  auto created = s.Send("POST", "/api/staff",
                        R"({"home_id":1,"first_name":"Ann \"Nan\"","last_name":"Lee, RN","role":"carer",)"
                        R"("qualified_unit_ids":[)" +
                            std::to_string(s.SqlInt("SELECT MIN(id) FROM unit WHERE home_id = 1")) + "]}",
                        admin);
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t ann = Json(created.body)["id"].GetInt64();
  const int64_t shift = s.SqlInt(
      "SELECT MIN(s.id) FROM shift s JOIN unit u ON u.id = s.unit_id WHERE s.home_id = 1 AND s.staff_id IS NULL "
      "AND s.date = '2026-11-30' AND u.id = (SELECT MIN(id) FROM unit WHERE home_id = 1)");
  if (shift > 0)
    ASSERT_EQ(
        s.Send("PATCH", "/api/shifts/" + std::to_string(shift), "{\"staff_id\":" + std::to_string(ann) + "}", admin)
            .status,
        200);
  else
    ASSERT_EQ(
        s.Send("POST", "/api/shifts",
               "{\"home_id\":1,\"unit_id\":" + std::to_string(s.SqlInt("SELECT MIN(id) FROM unit WHERE home_id = 1")) +
                   ",\"shift_type_id\":1,\"date\":\"2026-11-30\",\"staff_id\":" + std::to_string(ann) + "}",
               admin)
            .status,
        201);

  auto csv = s.Get("/api/homes/1/reports/monthly?month=2026-11&format=csv", admin);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.Header("content-disposition"), "attachment; filename=\"rota-home-1-2026-11.csv\"");
  EXPECT_EQ(csv.Header("x-cache"), "MISS");
  EXPECT_EQ(csv.body.rfind("staff_id,name,shifts,hours\r\n", 0), 0u);
  EXPECT_NE(csv.body.find("\r\n" + std::to_string(ann) + ",\"Ann \"\"Nan\"\" Lee, RN\",1,"), std::string::npos)
      << csv.body;
  // One row per entry of the JSON, in order, with the same numbers.
  auto json = Json(s.Get("/api/homes/1/reports/monthly?month=2026-11", admin).body);
  std::string expected = "staff_id,name,shifts,hours\r\n";
  for (const auto& row : json["hours_by_staff"].GetArray()) {
    std::string name = row["name"].GetString();
    const bool quote = name.find_first_of(",\"") != std::string::npos;
    std::string field;
    for (char c : name) field += c == '"' ? std::string("\"\"") : std::string(1, c);
    char hours[32];
    std::snprintf(hours, sizeof hours, "%.1f", row["hours"].GetDouble());  // the seed's hours have one decimal
    expected += std::to_string(row["staff_id"].GetInt64()) + "," + (quote ? "\"" + field + "\"" : field) + "," +
                std::to_string(row["shifts"].GetInt64()) + "," + hours + "\r\n";
  }
  EXPECT_EQ(csv.body, expected);
  auto again = s.Get("/api/homes/1/reports/monthly?month=2026-11&format=csv", admin);
  EXPECT_EQ(again.Header("x-cache"), "HIT");
  EXPECT_EQ(again.QueryCount(), 0);
  EXPECT_EQ(again.body, csv.body);

  auto bad = s.Get("/api/homes/1/reports/monthly?month=2026-11&format=xml", admin);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.ErrorCode(), "bad_request");
  EXPECT_EQ(bad.ErrorField(), "format");
  EXPECT_EQ(s.Get("/api/homes/2/reports/monthly?format=csv", s.ManagerToken(1)).status, 403);
  EXPECT_EQ(s.Get("/api/homes/1/reports/monthly?month=2026-13&format=csv", admin).status, 422);
}

TEST_P(Overview, WarmPagesCostNoQueryAndAreRefusedToOtherHomesManagers) {
  TestServer s(GetParam(), SeedShape{2, 6, 14});
  const std::string m1 = s.ManagerToken(1);
  for (const char* path : {"/homes/", "/homes/1/reports/monthly/?month=2026-11", "/homes/1/compliance/?days=14"}) {
    auto first = s.Get(path, m1);
    ASSERT_EQ(first.status, 200) << path << first.body;
    EXPECT_EQ(first.Header("x-cache"), "MISS") << path;
    auto warm = s.Get(path, m1);
    EXPECT_EQ(warm.Header("x-cache"), "HIT") << path;
    EXPECT_EQ(warm.QueryCount(), 0) << path;
  }
  // Uncached: 4 statements for the report page and the compliance page (see their headers).
  s.Send("POST", "/cache/clear/", "", s.admin_token());
  s.Get("/api/homes/1/dashboard", m1);
  EXPECT_EQ(s.Get("/homes/1/reports/monthly/?month=2026-10", m1).QueryCount(), 4);
  EXPECT_EQ(s.Get("/homes/1/compliance/?from=2026-10-01", m1).QueryCount(), 4);

  // A manager's /homes/ lists their home only; the administrator's every home.
  auto mine = s.Get("/homes/", m1);
  EXPECT_NE(mine.body.find("data-home-row=\"1\""), std::string::npos);
  EXPECT_EQ(mine.body.find("data-home-row=\"2\""), std::string::npos);
  EXPECT_EQ(mine.body.find("data-sort=\"coverage\""), std::string::npos);
  auto all = s.Get("/homes/", s.admin_token());
  EXPECT_NE(all.body.find("data-home-row=\"2\""), std::string::npos);
  EXPECT_NE(all.body.find("data-sort=\"coverage\""), std::string::npos);

  for (const char* path : {"/homes/2/reports/monthly/", "/homes/2/compliance/"}) {
    auto r = s.Get(path, m1);
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_EQ(r.body.find("data-testid=\"home-name\""), std::string::npos) << path;
  }
  auto bad_month = s.Get("/homes/1/reports/monthly/?month=2026-13", m1);
  EXPECT_EQ(bad_month.status, 422);
  EXPECT_NE(bad_month.body.find("data-testid=\"bad-parameter\""), std::string::npos);
  EXPECT_EQ(s.Get("/homes/1/compliance/?days=0", m1).status, 422);
  EXPECT_EQ(s.Get("/homes/99/compliance/", s.admin_token()).status, 404);
  EXPECT_EQ(s.Get("/homes/99/reports/monthly/", s.admin_token()).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Db, Overview, ::testing::ValuesIn(AllDbKinds()),
                         [](const auto& info) { return DbKindName(info.param); });

}  // namespace
}  // namespace rota::testing

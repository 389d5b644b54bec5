// The rota page (/homes/{id}/rota/) and its grid fragment over a real socket,
// on SQLite and PostgreSQL: access, the statement budget of an uncached week
// (3) and of a warm one (0), invalidation by a write, the bounds on `from`,
// and that the grid shows every shift of the week the database holds.
// (tests/browser/rota.test.js drives the same page in Chromium.)
#include <gtest/gtest.h>

#include <map>
#include <string>

#include <rapidjson/document.h>

#include "integration/harness.hpp"

namespace rota::testing {
namespace {

class RotaPage : public ::testing::TestWithParam<DbKind> {
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

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

size_t Count(const std::string& html, const std::string& part) {
  size_t n = 0;
  for (auto at = html.find(part); at != std::string::npos; at = html.find(part, at + 1)) ++n;
  return n;
}

TEST_P(RotaPage, OnlyThoseWhoMaySeeTheHomeGetItsWeek) {
  HttpClient anonymous(s().port());
  auto r = anonymous.Request("GET", "/homes/2/rota/?from=2026-11-28");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.Header("location"), "/login?next=/homes/2/rota/");
  EXPECT_EQ(anonymous.Request("GET", "/homes/2/rota/grid").status, 401);

  Session m1 = LogIn("manager1");
  ASSERT_EQ(Get("/homes/1/rota/", m1).status, 200);
  // Home 2's week is cached now (the administrator asked); manager 1 still may not have it.
  Session admin = LogIn("admin");
  ASSERT_EQ(Get("/homes/2/rota/grid", admin).status, 200);
  for (const char* path : {"/homes/2/rota/", "/homes/2/rota/grid"}) {
    auto page = Get(path, m1);
    EXPECT_EQ(page.status, 403) << path;
    EXPECT_EQ(page.body.find("data-shift=\""), std::string::npos) << path;
  }
  EXPECT_EQ(Get("/homes/999/rota/", admin).status, 404);
}

TEST_P(RotaPage, AnUncachedWeekCostsThreeStatementsAndAWarmOneNone) {
  Session m2 = LogIn("manager2");
  ASSERT_EQ(Get("/homes/2/rota/?from=2026-11-21", m2).status, 200);  // the session is known from here on
  auto cold = Get("/homes/2/rota/?from=2026-11-28", m2);
  ASSERT_EQ(cold.status, 200);
  EXPECT_EQ(cold.Header("x-cache"), "MISS");
  EXPECT_EQ(cold.QueryCount(), 3);
  // The server remembers a session for 750 ms: each warm read is asked twice
  // in a row, so that the second costs no session lookup however slow the
  // machine (the first may re-read the session).
  auto warm_twice = [&](const std::string& target) {
    Get(target, m2);
    return Get(target, m2);
  };
  auto warm = warm_twice("/homes/2/rota/?from=2026-11-28");
  EXPECT_EQ(warm.Header("x-cache"), "HIT");
  EXPECT_EQ(warm.QueryCount(), 0);
  auto grid = warm_twice("/homes/2/rota/grid?from=2026-11-28");
  EXPECT_EQ(grid.Header("x-cache"), "HIT");
  EXPECT_EQ(grid.QueryCount(), 0);
  EXPECT_NE(warm.body.find(grid.body), std::string::npos) << "the page carries the same fragment";
  // Without `from`: today's week, the same cached fragment.
  EXPECT_EQ(Get("/homes/2/rota/", m2).Header("x-cache"), "HIT");
}

TEST_P(RotaPage, TheGridShowsEveryShiftOfTheWeekAndEveryUnit) {
  Session m2 = LogIn("manager2");
  auto grid = Get("/homes/2/rota/grid?from=2026-11-28", m2);
  ASSERT_EQ(grid.status, 200);
  const std::string week = "s.home_id = 2 AND s.date >= '2026-11-28' AND s.date <= '2026-12-04'";
  const int64_t shifts = s().SqlInt("SELECT COUNT(*) FROM shift s WHERE " + week);
  const int64_t vacant = s().SqlInt("SELECT COUNT(*) FROM shift s WHERE s.staff_id IS NULL AND " + week);
  ASSERT_GT(shifts, 0);
  EXPECT_EQ(static_cast<int64_t>(Count(grid.body, "<li class=\"shift")), shifts);
  EXPECT_EQ(static_cast<int64_t>(Count(grid.body, "<li class=\"shift is-vacant\"")), vacant);
  EXPECT_EQ(static_cast<int64_t>(Count(grid.body, "<tr data-unit=")),
            s().SqlInt("SELECT COUNT(*) FROM unit WHERE home_id = 2"));
  const int64_t first = s().SqlInt("SELECT MIN(s.id) FROM shift s WHERE " + week);
  EXPECT_NE(grid.body.find("data-shift=\"" + std::to_string(first) + "\""), std::string::npos);
}

TEST_P(RotaPage, AWriteToTheHomeInvalidatesItsWeeks) {
  Session m2 = LogIn("manager2");
  ASSERT_EQ(Get("/homes/2/rota/grid?from=2026-11-28", m2).status, 200);
  ASSERT_EQ(Get("/homes/2/rota/grid?from=2026-11-28", m2).Header("x-cache"), "HIT");
  const int64_t shift = s().SqlInt(
      "SELECT MIN(id) FROM shift WHERE home_id = 2 AND staff_id IS NOT NULL AND date >= '2026-11-28' AND date <= "
      "'2026-12-04'");
  ASSERT_GT(shift, 0);
  auto write = client_->Request("PATCH", "/api/shifts/" + std::to_string(shift), R"({"staff_id": null})",
                                {{"Cookie", m2.cookie}, {"X-CSRF-Token", m2.csrf}});
  ASSERT_EQ(write.status, 200) << write.body;
  auto after = Get("/homes/2/rota/grid?from=2026-11-28", m2);
  EXPECT_EQ(after.Header("x-cache"), "MISS");
  EXPECT_NE(after.body.find("<li class=\"shift is-vacant\" data-shift=\"" + std::to_string(shift) + "\""),
            std::string::npos);
}

TEST_P(RotaPage, FromMustBeADateWithinAYearOfToday) {
  Session m2 = LogIn("manager2");
  for (const char* from : {"2026-02-30", "yesterday", "2027-11-30", "2025-11-26", "9999-12-31"}) {
    auto page = Get(std::string("/homes/2/rota/?from=") + from, m2);
    EXPECT_EQ(page.status, 400) << from;
    EXPECT_NE(page.body.find("from must be"), std::string::npos) << from;
    EXPECT_EQ(Get(std::string("/homes/2/rota/grid?from=") + from, m2).status, 400) << from;
  }
  EXPECT_EQ(Get("/homes/2/rota/?from=2027-11-29", m2).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Db, RotaPage, ::testing::ValuesIn(AllDbKinds()),
                         [](const auto& info) { return DbKindName(info.param); });

}  // namespace
}  // namespace rota::testing

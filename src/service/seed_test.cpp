// `rota seed` data: deterministic, refused twice, and consistent with the rota
// rules — checked with plain SQL on SQLite and on PostgreSQL.
#include "service/seed.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "service/passwords.hpp"
#include "support/support.hpp"

namespace rota::service {
namespace {

using rota::testing::DbKind;

constexpr const char* kTables[] = {"care_home",     "unit",       "app_user", "staff",      "staff_qualified_unit",
                                   "certification", "shift_type", "shift",    "shift_note", "shift_link",
                                   "leave_request"};

SeedOptions Small() {
  SeedOptions o;
  o.homes = 2;
  o.staff_per_home = 10;
  o.days = 14;
  o.start = *Date::Parse("2026-11-01");
  o.seed = 11;
  return o;
}

class SeedTest : public ::testing::TestWithParam<DbKind> {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto()); }

  std::unique_ptr<db::Connection> Fresh() {
    auto c = db::Connect(rota::testing::FreshDatabaseUrl(GetParam(), dir_));
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? std::move(*c) : nullptr;
  }

  static int64_t Int(db::Connection& c, std::string_view sql, const db::Params& params = {}) {
    auto r = c.QueryInt(sql, params);
    EXPECT_TRUE(r.ok()) << r.error().message << " in " << sql;
    return r.ok() ? r->value_or(-1) : -1;
  }

  // Every row of every contract table, in key order, as text.
  static std::vector<std::string> Dump(db::Connection& c) {
    std::vector<std::string> out;
    for (const char* t : kTables) {
      Status s = c.Query(std::string("SELECT * FROM ") + t + " ORDER BY 1, 2", {}, [&](const db::Row& r) {
        std::string line = t;
        for (int i = 0; i < r.columns(); ++i)
          line += "|" + (r.IsNull(i) ? std::string("NULL") : std::string(r.Text(i)));
        out.push_back(std::move(line));
      });
      EXPECT_TRUE(s.ok()) << s.error().message;
    }
    return out;
  }

  rota::testing::TempDir dir_;
};

TEST_P(SeedTest, SameOptionsGiveIdenticalRows) {
  auto a = Fresh(), b = Fresh();
  ASSERT_TRUE(a && b);
  auto sa = Seed(*a, Small());
  auto sb = Seed(*b, Small());
  ASSERT_TRUE(sa.ok()) << sa.error().message;
  ASSERT_TRUE(sb.ok()) << sb.error().message;
  const auto da = Dump(*a), db = Dump(*b);
  EXPECT_GT(da.size(), 500u);
  EXPECT_EQ(da, db);

  // A different seed gives different data of the same shape.
  auto c = Fresh();
  SeedOptions other = Small();
  other.seed = 12;
  auto sc = Seed(*c, other);
  ASSERT_TRUE(sc.ok());
  EXPECT_NE(Dump(*c), da);
  EXPECT_EQ(sc->shifts, sa->shifts);
}

TEST_P(SeedTest, SummaryCountsTheRowsWritten) {
  auto c = Fresh();
  ASSERT_TRUE(c);
  auto s = Seed(*c, Small());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->homes, 2);
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM care_home"), s->homes);
  EXPECT_EQ(s->units, 8);
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM unit"), s->units);
  EXPECT_EQ(s->users, 3);
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM app_user"), s->users);
  EXPECT_EQ(s->staff, 20);
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM staff"), s->staff);
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM certification"), s->certifications);
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM leave_request"), s->leave_requests);
  EXPECT_EQ(s->shifts, 2 * 14 * 4 * 3 * 2);
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM shift"), s->shifts);
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM shift WHERE staff_id IS NOT NULL"), s->staffed_shifts);
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM shift_note"), s->notes);
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM shift_link"), s->links);
  EXPECT_GT(s->notes, 0);
  EXPECT_GT(s->links, 0);
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM shift_type"), 3);
}

TEST_P(SeedTest, ASecondSeedIsRefusedAndChangesNothing) {
  auto c = Fresh();
  ASSERT_TRUE(c);
  ASSERT_TRUE(Seed(*c, Small()).ok());
  const auto before = Dump(*c);
  auto again = Seed(*c, Small());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().message, "database already has homes; refusing to seed it again");
  EXPECT_EQ(Dump(*c), before);
}

TEST_P(SeedTest, StaffedShiftsFollowTheRotaRules) {
  auto c = Fresh();
  ASSERT_TRUE(c);
  ASSERT_TRUE(Seed(*c, Small()).ok());
  // Nobody works two shifts on one date.
  EXPECT_EQ(Int(*c,
                "SELECT COUNT(*) FROM (SELECT staff_id, date FROM shift WHERE staff_id IS NOT NULL "
                "GROUP BY staff_id, date HAVING COUNT(*) > 1) x"),
            0);
  // Every staffed shift has an active member of the home qualified for the unit.
  EXPECT_EQ(Int(*c,
                "SELECT COUNT(*) FROM shift s JOIN staff st ON st.id = s.staff_id "
                "WHERE NOT st.active OR st.home_id <> s.home_id OR NOT EXISTS "
                "(SELECT 1 FROM staff_qualified_unit q WHERE q.staff_id = s.staff_id AND q.unit_id = s.unit_id)"),
            0);
  // Nobody works on a day of their approved leave.
  EXPECT_EQ(Int(*c,
                "SELECT COUNT(*) FROM shift s JOIN leave_request l ON l.staff_id = s.staff_id "
                "WHERE l.status = 'approved' AND s.date >= l.start_date AND s.date <= l.end_date"),
            0);
  // Units belong to the shift's home.
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM shift s JOIN unit u ON u.id = s.unit_id WHERE u.home_id <> s.home_id"), 0);
  // Links go both ways and stay within a home.
  EXPECT_EQ(Int(*c,
                "SELECT COUNT(*) FROM shift_link a WHERE NOT EXISTS (SELECT 1 FROM shift_link b "
                "WHERE b.shift_id = a.related_shift_id AND b.related_shift_id = a.shift_id)"),
            0);
  EXPECT_EQ(Int(*c,
                "SELECT COUNT(*) FROM shift_link l JOIN shift a ON a.id = l.shift_id "
                "JOIN shift b ON b.id = l.related_shift_id WHERE a.home_id <> b.home_id OR a.id = b.id"),
            0);
  // Every leave status occurs; most staff are active.
  for (const char* status : {"pending", "approved", "rejected"})
    EXPECT_GT(Int(*c, "SELECT COUNT(*) FROM leave_request WHERE status = ?", {std::string(status)}), 0) << status;
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM leave_request WHERE end_date < start_date"), 0);
  EXPECT_GT(Int(*c, "SELECT COUNT(*) FROM staff WHERE active"), 15);
  // Certifications: 1-3 each, some expired and some expiring within 30 days of "today" (start + 30).
  EXPECT_EQ(Int(*c,
                "SELECT COUNT(*) FROM staff s WHERE (SELECT COUNT(*) FROM certification c "
                "WHERE c.staff_id = s.id) NOT BETWEEN 1 AND 3"),
            0);
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM certification WHERE expires_on < ? OR expires_on > ?",
                {std::string("2026-10-02"), std::string("2028-12-01")}),
            0);
  // Every unit of a home has a distinct name; four per home.
  EXPECT_EQ(
      Int(*c, "SELECT COUNT(*) FROM (SELECT home_id FROM unit GROUP BY home_id HAVING COUNT(DISTINCT name) <> 4) x"),
      0);
}

TEST_P(SeedTest, UsersAreAnAdministratorAndOneManagerPerHome) {
  auto c = Fresh();
  ASSERT_TRUE(c);
  ASSERT_TRUE(Seed(*c, Small()).ok());
  std::map<std::string, std::tuple<bool, std::optional<int64_t>, std::string>> users;
  ASSERT_TRUE(
      c->Query("SELECT username, is_staff, home_id, password_hash, is_active FROM app_user", {}, [&](const db::Row& r) {
         EXPECT_TRUE(r.Bool(4));
         users[std::string(r.Text(0))] = {r.Bool(1), r.OptInt(2), std::string(r.Text(3))};
       }).ok());
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(std::get<0>(users["admin"]), true);
  EXPECT_EQ(std::get<1>(users["admin"]), std::nullopt);
  EXPECT_EQ(std::get<0>(users["manager2"]), false);
  EXPECT_EQ(std::get<1>(users["manager2"]), 2);
  EXPECT_TRUE(VerifyPassword(std::get<2>(users["manager1"]), "rota-demo"));
  EXPECT_FALSE(VerifyPassword(std::get<2>(users["admin"]), "wrong"));
  EXPECT_NE(std::get<2>(users["manager1"]), std::get<2>(users["manager2"]));  // salted
}

TEST_P(SeedTest, TimestampsAreWellFormedAndNeverAfterTodayEightOClock) {
  auto c = Fresh();
  ASSERT_TRUE(c);
  ASSERT_TRUE(Seed(*c, Small()).ok());
  const std::regex form("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z");
  const std::string now = "2026-12-01T08:00:00Z";  // start + 30 days, 08:00
  int seen = 0;
  for (const char* sql :
       {"SELECT created_at FROM care_home", "SELECT created_at FROM shift", "SELECT updated_at FROM shift",
        "SELECT created_at FROM shift_note", "SELECT created_at FROM leave_request"}) {
    ASSERT_TRUE(c->Query(sql, {}, [&](const db::Row& r) {
                   const std::string ts = r.Timestamp(0);
                   EXPECT_TRUE(std::regex_match(ts, form)) << ts;
                   EXPECT_LE(ts, now) << sql;
                   ++seen;
                 }).ok());
  }
  EXPECT_GT(seen, 1000);
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM shift WHERE updated_at < created_at"), 0);
}

TEST_P(SeedTest, NewRowsAfterSeedingGetFreshIds) {
  auto c = Fresh();
  ASSERT_TRUE(c);
  auto s = Seed(*c, Small());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Int(*c, "INSERT INTO care_home (name, created_at) VALUES ('New', '2026-12-01T09:00:00Z') RETURNING id"),
            s->homes + 1);
  EXPECT_EQ(Int(*c,
                "INSERT INTO shift (home_id, unit_id, shift_type_id, date, created_at, updated_at) "
                "VALUES (1, 1, 1, '2026-12-01', '2026-12-01T09:00:00Z', '2026-12-01T09:00:00Z') RETURNING id"),
            s->shifts + 1);
  EXPECT_EQ(Int(*c,
                "INSERT INTO leave_request (staff_id, start_date, end_date, status, reason, created_at) "
                "VALUES (1, '2026-12-01', '2026-12-01', 'pending', '', '2026-12-01T09:00:00Z') RETURNING id"),
            s->leave_requests + 1);
}

TEST_P(SeedTest, ProgressReportsTheShiftsWritten) {
  auto c = Fresh();
  ASSERT_TRUE(c);
  SeedOptions o = Small();
  o.homes = 3;
  o.days = 40;  // 2880 shifts: at least one report between 0 and the end
  std::vector<std::pair<int64_t, int64_t>> calls;
  auto s = Seed(*c, o, [&](int64_t done, int64_t total) { calls.emplace_back(done, total); });
  ASSERT_TRUE(s.ok());
  ASSERT_GE(calls.size(), 3u);
  EXPECT_EQ(calls.front(), std::make_pair(int64_t{0}, s->shifts));
  EXPECT_EQ(calls.back(), std::make_pair(s->shifts, s->shifts));
  for (size_t i = 1; i < calls.size(); ++i) EXPECT_LE(calls[i - 1].first, calls[i].first);
}

TEST_P(SeedTest, InvalidOptionsAreRefused) {
  auto c = Fresh();
  ASSERT_TRUE(c);
  SeedOptions o = Small();
  o.days = 0;
  auto s = Seed(*c, o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalid);
}

TEST_P(SeedTest, TheDefaultDataSetSeedsInSeconds) {
  auto c = Fresh();
  ASSERT_TRUE(c);
  SeedOptions o;  // 10 homes x 40 staff x 120 days
  o.start = *Date::Parse("2026-10-29");
  const auto t0 = std::chrono::steady_clock::now();
  auto s = Seed(*c, o);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::printf("[ timing   ] default seed on %s: %.2f s (%lld shifts, %lld staffed, %lld notes, %lld links)\n",
              rota::testing::DbKindName(GetParam()).c_str(), secs, static_cast<long long>(s->shifts),
              static_cast<long long>(s->staffed_shifts), static_cast<long long>(s->notes),
              static_cast<long long>(s->links));
  EXPECT_EQ(s->shifts, 28800);
  EXPECT_EQ(Int(*c, "SELECT COUNT(*) FROM shift"), 28800);
  // About 85% staffed (with 40 staff a home rarely runs out of free, qualified people).
  const double staffed = static_cast<double>(s->staffed_shifts) / static_cast<double>(s->shifts);
  EXPECT_GT(staffed, 0.80);
  EXPECT_LT(staffed, 0.90);
  EXPECT_LT(secs, 60.0);  // a loose ceiling: the point is the printed time
}

INSTANTIATE_TEST_SUITE_P(Db, SeedTest, ::testing::ValuesIn(rota::testing::AllDbKinds()),
                         [](const auto& info) { return rota::testing::DbKindName(info.param); });

}  // namespace
}  // namespace rota::service

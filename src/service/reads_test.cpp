// The cacheable reads against a seeded database, on SQLite and on PostgreSQL.
//
// Expectations are computed here from the raw rows (plain SELECTs of each
// table, aggregated in C++), never by running the code under test, and compared
// field by field with the JSON the reads produce, including field order.
#include "service/reads.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "db/database.hpp"
#include "service/passwords.hpp"
#include "service/seed.hpp"
#include "support/support.hpp"

namespace rota::service {
namespace {

using rota::testing::DbKind;
using Json = rapidjson::Value;

// ---------------------------------------------------------------- raw rows

struct Snapshot {
  struct Shift {
    int64_t id, home, unit, type;
    std::optional<int64_t> staff, created_by, updated_by;
    std::string date;
  };
  struct Unit {
    int64_t id, home;
    std::string name;
    int64_t min_staff;
  };
  struct Staff {
    int64_t id, home;
    std::optional<int64_t> primary;
    std::string first, last, role;
    double hours;
    bool active;
    std::string Name() const { return first + " " + last; }
  };
  struct Cert {
    int64_t id, staff;
    std::string name, expires;
  };
  struct Leave {
    int64_t id, staff;
    std::string start, end, status;
  };
  struct Note {
    int64_t id, shift;
    std::optional<int64_t> author;
    std::string body, created_at;
  };
  struct Type {
    int64_t id;
    std::string name, start, end;
    double hours;
  };
  std::map<int64_t, std::string> homes, users;
  std::vector<Shift> shifts;
  std::map<int64_t, Unit> units;
  std::map<int64_t, Staff> staff;
  std::set<std::pair<int64_t, int64_t>> qualified, links;
  std::vector<Cert> certs;
  std::vector<Leave> leave;
  std::vector<Note> notes;
  std::map<int64_t, Type> types;
};

void Must(Status s) { ASSERT_TRUE(s.ok()) << s.error().message; }

Snapshot Load(db::Connection& c) {
  Snapshot s;
  auto q = [&](std::string_view sql, const db::RowFn& fn) { Must(c.Query(sql, {}, fn)); };
  q("SELECT id, name FROM care_home", [&](const db::Row& r) { s.homes[r.Int(0)] = r.Text(1); });
  q("SELECT id, username FROM app_user", [&](const db::Row& r) { s.users[r.Int(0)] = r.Text(1); });
  q("SELECT id, home_id, unit_id, shift_type_id, staff_id, created_by, updated_by, date FROM shift",
    [&](const db::Row& r) {
      s.shifts.push_back(
          {r.Int(0), r.Int(1), r.Int(2), r.Int(3), r.OptInt(4), r.OptInt(5), r.OptInt(6), std::string(r.Text(7))});
    });
  q("SELECT id, home_id, name, min_staff_per_shift FROM unit", [&](const db::Row& r) {
    s.units[r.Int(0)] = {r.Int(0), r.Int(1), std::string(r.Text(2)), r.Int(3)};
  });
  q("SELECT id, home_id, primary_unit_id, first_name, last_name, role, contracted_hours, active FROM staff",
    [&](const db::Row& r) {
      s.staff[r.Int(0)] = {
          r.Int(0),  r.Int(1), r.OptInt(2), std::string(r.Text(3)), std::string(r.Text(4)), std::string(r.Text(5)),
          r.Real(6), r.Bool(7)};
    });
  q("SELECT staff_id, unit_id FROM staff_qualified_unit", [&](const db::Row& r) {
    s.qualified.insert({r.Int(0), r.Int(1)});
  });
  q("SELECT shift_id, related_shift_id FROM shift_link", [&](const db::Row& r) {
    s.links.insert({r.Int(0), r.Int(1)});
  });
  q("SELECT id, staff_id, name, expires_on FROM certification", [&](const db::Row& r) {
    s.certs.push_back({r.Int(0), r.Int(1), std::string(r.Text(2)), std::string(r.Text(3))});
  });
  q("SELECT id, staff_id, start_date, end_date, status FROM leave_request", [&](const db::Row& r) {
    s.leave.push_back({r.Int(0), r.Int(1), std::string(r.Text(2)), std::string(r.Text(3)), std::string(r.Text(4))});
  });
  q("SELECT id, shift_id, author_id, body, created_at FROM shift_note", [&](const db::Row& r) {
    s.notes.push_back({r.Int(0), r.Int(1), r.OptInt(2), std::string(r.Text(3)), r.Timestamp(4)});
  });
  q("SELECT id, name, start_time, end_time, hours FROM shift_type", [&](const db::Row& r) {
    s.types[r.Int(0)] = {r.Int(0), std::string(r.Text(1)), std::string(r.Text(2)), std::string(r.Text(3)), r.Real(4)};
  });
  std::sort(s.certs.begin(), s.certs.end(), [](auto& a, auto& b) { return a.id < b.id; });
  std::sort(s.leave.begin(), s.leave.end(), [](auto& a, auto& b) { return a.id < b.id; });
  std::sort(s.notes.begin(), s.notes.end(), [](auto& a, auto& b) { return a.id < b.id; });
  return s;
}

// ---------------------------------------------------------------- JSON helpers

rapidjson::Document Parse(const Result<std::string>& body) {
  rapidjson::Document d;
  EXPECT_TRUE(body.ok()) << (body.ok() ? "" : body.error().message);
  if (!body.ok()) return d;
  d.Parse(body->c_str());
  EXPECT_FALSE(d.HasParseError()) << *body;
  return d;
}

std::vector<std::string> Keys(const Json& v) {
  std::vector<std::string> k;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) k.emplace_back(it->name.GetString());
  return k;
}
using K = std::vector<std::string>;

std::string S(const Json& v) { return v.IsString() ? v.GetString() : "<not a string>"; }
std::optional<std::string> OptS(const Json& v) { return v.IsNull() ? std::nullopt : std::optional<std::string>(S(v)); }

// api.md's formula, written out independently.
double Coverage(int64_t staffed, int64_t total) {
  if (total == 0) return 0.0;
  return static_cast<double>((2000 * staffed + total) / (2 * total)) / 10.0;
}

domain::DateRange Days(const std::string& from, int days) {
  Date f = *Date::Parse(from);
  return {f, f.AddDays(days - 1)};
}

// ---------------------------------------------------------------- fixtures

constexpr const char* kSeedStart = "2026-11-01";

SeedOptions SmallSeed() {
  SeedOptions o;
  o.homes = 2;
  o.staff_per_home = 8;
  o.days = 10;
  o.start = *Date::Parse(kSeedStart);
  o.seed = 7;
  return o;
}

// One seeded database per kind, shared by the read-only tests of this file.
const std::string& SharedSeededUrl(DbKind kind) {
  static std::unique_ptr<rota::testing::TempDir> dir;
  static std::map<DbKind, std::string> urls;
  if (!dir) dir = std::make_unique<rota::testing::TempDir>();
  auto it = urls.find(kind);
  if (it != urls.end()) return it->second;
  std::string url = rota::testing::FreshDatabaseUrl(kind, *dir);
  auto conn = db::Connect(url);
  EXPECT_TRUE(conn.ok());
  if (conn.ok()) {
    auto seeded = Seed(**conn, SmallSeed());
    EXPECT_TRUE(seeded.ok()) << seeded.error().message;
  }
  return urls[kind] = url;
}

class ReadsTest : public ::testing::TestWithParam<DbKind> {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto()); }

  void SetUp() override { Open(SharedSeededUrl(GetParam())); }

  void Open(const std::string& url) {
    auto pool = db::Pool::Open(url, 2);
    ASSERT_TRUE(pool.ok()) << pool.error().message;
    pool_ = std::move(*pool);
    reads_ = std::make_unique<ReadService>(*pool_);
  }

  // A fresh, migrated, empty database of this kind instead of the shared one.
  void OpenFresh() {
    Open(rota::testing::FreshDatabaseUrl(GetParam(), dir_));
    auto c = pool_->Acquire();
    ASSERT_TRUE(c.ok());
    auto m = db::Migrate(**c);
    ASSERT_TRUE(m.ok()) << m.error().message;
  }

  Snapshot Rows() {
    auto c = pool_->Acquire();
    EXPECT_TRUE(c.ok());
    return Load(**c);
  }

  void Exec(std::string_view sql, const db::Params& params) {
    auto c = pool_->Acquire();
    ASSERT_TRUE(c.ok());
    auto r = (*c)->Exec(sql, params);
    ASSERT_TRUE(r.ok()) << r.error().message << " in " << sql;
  }

  rota::testing::TempDir dir_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<ReadService> reads_;
};

// ---------------------------------------------------------------- dashboard

void ExpectDashboard(const Snapshot& s, int64_t home, const std::string& from, int days, const Json& d) {
  SCOPED_TRACE("home " + std::to_string(home) + " from " + from + " days " + std::to_string(days));
  const Date f = *Date::Parse(from);
  const std::string to = f.AddDays(days - 1).ToString();
  ASSERT_EQ(Keys(d), (K{"home", "from", "to", "days", "total_shifts", "staffed_shifts", "vacant_shifts", "coverage_pct",
                        "by_unit", "by_day", "pending_leave_requests", "staff_on_leave_today",
                        "certifications_expiring_30d", "certifications_expired"}));
  EXPECT_EQ(Keys(d["home"]), (K{"id", "name"}));
  EXPECT_EQ(d["home"]["id"].GetInt64(), home);
  EXPECT_EQ(S(d["home"]["name"]), s.homes.at(home));
  EXPECT_EQ(S(d["from"]), from);
  EXPECT_EQ(S(d["to"]), to);
  EXPECT_EQ(d["days"].GetInt(), days);

  int64_t total = 0, staffed = 0;
  std::map<int64_t, std::pair<int64_t, int64_t>> by_unit;
  std::map<std::string, std::pair<int64_t, int64_t>> by_day;
  for (const auto& sh : s.shifts) {
    if (sh.home != home || sh.date < from || sh.date > to) continue;
    ++total;
    staffed += sh.staff ? 1 : 0;
    by_unit[sh.unit].first++;
    by_unit[sh.unit].second += sh.staff ? 1 : 0;
    by_day[sh.date].first++;
    by_day[sh.date].second += sh.staff ? 1 : 0;
  }
  EXPECT_EQ(d["total_shifts"].GetInt64(), total);
  EXPECT_EQ(d["staffed_shifts"].GetInt64(), staffed);
  EXPECT_EQ(d["vacant_shifts"].GetInt64(), total - staffed);
  ASSERT_TRUE(d["coverage_pct"].IsDouble());
  EXPECT_DOUBLE_EQ(d["coverage_pct"].GetDouble(), Coverage(staffed, total));

  std::vector<int64_t> unit_ids;
  for (const auto& [id, u] : s.units)
    if (u.home == home) unit_ids.push_back(id);
  const Json& bu = d["by_unit"];
  ASSERT_EQ(bu.Size(), unit_ids.size());
  for (rapidjson::SizeType i = 0; i < bu.Size(); ++i) {
    EXPECT_EQ(Keys(bu[i]), (K{"unit_id", "unit_name", "total", "staffed", "vacant"}));
    const int64_t id = unit_ids[i];
    EXPECT_EQ(bu[i]["unit_id"].GetInt64(), id);
    EXPECT_EQ(S(bu[i]["unit_name"]), s.units.at(id).name);
    EXPECT_EQ(bu[i]["total"].GetInt64(), by_unit[id].first);
    EXPECT_EQ(bu[i]["staffed"].GetInt64(), by_unit[id].second);
    EXPECT_EQ(bu[i]["vacant"].GetInt64(), by_unit[id].first - by_unit[id].second);
  }
  const Json& bd = d["by_day"];
  ASSERT_EQ(bd.Size(), static_cast<rapidjson::SizeType>(days));
  for (int i = 0; i < days; ++i) {
    const Json& e = bd[static_cast<rapidjson::SizeType>(i)];
    const std::string date = f.AddDays(i).ToString();
    EXPECT_EQ(Keys(e), (K{"date", "total", "staffed", "vacant"}));
    EXPECT_EQ(S(e["date"]), date);
    EXPECT_EQ(e["total"].GetInt64(), by_day[date].first);
    EXPECT_EQ(e["staffed"].GetInt64(), by_day[date].second);
    EXPECT_EQ(e["vacant"].GetInt64(), by_day[date].first - by_day[date].second);
  }

  int64_t pending = 0;
  std::set<int64_t> on_leave;
  for (const auto& l : s.leave) {
    const auto& m = s.staff.at(l.staff);
    if (m.home != home) continue;
    if (l.status == "pending") ++pending;
    if (l.status == "approved" && m.active && l.start <= from && from <= l.end) on_leave.insert(m.id);
  }
  EXPECT_EQ(d["pending_leave_requests"].GetInt64(), pending);
  EXPECT_EQ(d["staff_on_leave_today"].GetInt64(), static_cast<int64_t>(on_leave.size()));
  const std::string window_end = f.AddDays(30).ToString();
  int64_t expiring = 0, expired = 0;
  for (const auto& c : s.certs) {
    const auto& m = s.staff.at(c.staff);
    if (m.home != home || !m.active) continue;
    if (c.expires >= from && c.expires < window_end) ++expiring;
    if (c.expires < from) ++expired;
  }
  EXPECT_EQ(d["certifications_expiring_30d"].GetInt64(), expiring);
  EXPECT_EQ(d["certifications_expired"].GetInt64(), expired);
}

TEST_P(ReadsTest, DashboardMatchesTheRowsOverRangesInsideAcrossAndOutsideTheData) {
  const Snapshot s = Rows();
  ASSERT_EQ(s.homes.size(), 2u);
  const std::vector<std::pair<std::string, int>> ranges = {{"2026-11-01", 7},  {"2026-11-01", 10}, {"2026-10-28", 7},
                                                           {"2026-11-08", 30}, {"2026-11-05", 1},  {"2026-12-01", 366},
                                                           {"2025-01-01", 20}, {"2026-10-15", 60}};
  for (int64_t home : {1, 2})
    for (const auto& [from, days] : ranges) {
      auto d = Parse(reads_->Dashboard(home, Days(from, days)));
      ExpectDashboard(s, home, from, days, d);
    }
  // The data makes the comparisons meaningful: leave and certification counts are not all zero.
  std::map<std::string, int> statuses;
  for (const auto& l : s.leave) statuses[l.status]++;
  EXPECT_GT(statuses["pending"], 0);
  EXPECT_GT(statuses["approved"], 0);
}

TEST_P(ReadsTest, DashboardOutsideTheDataHasZeroFilledUnitsAndDays) {
  auto d = Parse(reads_->Dashboard(1, Days("2030-02-27", 3)));
  EXPECT_EQ(d["total_shifts"].GetInt64(), 0);
  EXPECT_EQ(d["coverage_pct"].GetDouble(), 0.0);
  ASSERT_EQ(d["by_unit"].Size(), 4u);
  for (const auto& u : d["by_unit"].GetArray()) EXPECT_EQ(u["total"].GetInt64(), 0);
  ASSERT_EQ(d["by_day"].Size(), 3u);
  EXPECT_EQ(S(d["by_day"][0]["date"]), "2030-02-27");
  EXPECT_EQ(S(d["by_day"][1]["date"]), "2030-02-28");
  EXPECT_EQ(S(d["by_day"][2]["date"]), "2030-03-01");
  auto body = reads_->Dashboard(1, Days("2030-02-27", 3));
  ASSERT_TRUE(body.ok());
  EXPECT_NE(body->find("\"coverage_pct\":0.0,"), std::string::npos) << *body;
}

TEST_P(ReadsTest, EveryReadOfAnUnknownHomeIsNotFound) {
  const auto r = Days("2026-11-01", 7);
  for (const Result<std::string>& res : {reads_->Dashboard(999, r), reads_->ShiftList(999, r), reads_->StaffList(999),
                                         reads_->MonthlyReport(999, YearMonth{2026, 11}), reads_->Compliance(999, r)}) {
    ASSERT_FALSE(res.ok());
    EXPECT_EQ(res.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(res.error().message, "home 999 does not exist");
  }
}

// ---------------------------------------------------------------- a hand-made home

// Home 1 "Tiny": units A (min 1) and B (min 2), one shift type, one member of
// staff with no primary unit; shifts, notes and users set up for exact answers.
class HandMadeTest : public ReadsTest {
 protected:
  void SetUp() override {
    OpenFresh();
    Exec("INSERT INTO care_home (id, name, created_at) VALUES (1, 'Tiny', '2026-01-01T00:00:00Z')", {});
    Exec(
        "INSERT INTO app_user (id, username, password_hash, is_staff, home_id, is_active) "
        "VALUES (1, 'boss', 'x', ?, 1, ?)",
        {int64_t{0}, int64_t{1}});
    Exec("INSERT INTO unit (id, home_id, name, min_staff_per_shift) VALUES (1, 1, 'A', 1), (2, 1, 'B', 2)", {});
    Exec("INSERT INTO shift_type (id, name, start_time, end_time, hours) VALUES (1, 'Early', '07:00', '15:00', 8.0)",
         {});
    Exec(
        "INSERT INTO staff (id, user_id, home_id, primary_unit_id, first_name, last_name, role, contracted_hours, "
        "active) VALUES (1, NULL, 1, NULL, 'Ann', 'Lee', 'carer', 37.5, ?)",
        {int64_t{1}});
  }

  int64_t next_id_ = 1;
  void AddShifts(const std::string& date, int64_t unit, int count, int staffed) {
    for (int i = 0; i < count; ++i) {
      Exec(
          "INSERT INTO shift (id, home_id, unit_id, staff_id, shift_type_id, date, created_by, updated_by, "
          "created_at, updated_at) VALUES (?, 1, ?, ?, 1, ?, NULL, ?, '2026-01-01T00:00:00Z', "
          "'2026-01-02T03:04:05Z')",
          {next_id_++, unit, i < staffed ? db::Value(int64_t{1}) : db::Value(nullptr), date, int64_t{1}});
    }
  }
};

TEST_P(HandMadeTest, CoverageRoundsHalfUpToOneDecimal) {
  AddShifts("2026-03-01", 1, 8, 1);   // 12.5
  AddShifts("2026-03-02", 1, 16, 1);  // 6.25 -> 6.3
  AddShifts("2026-03-03", 1, 3, 2);   // 66.66 -> 66.7
  AddShifts("2026-03-04", 1, 3, 1);   // 33.33 -> 33.3
  AddShifts("2026-03-05", 1, 2, 2);   // 100.0
  const std::vector<std::pair<std::string, std::string>> cases = {{"2026-03-01", "12.5"},  {"2026-03-02", "6.3"},
                                                                  {"2026-03-03", "66.7"},  {"2026-03-04", "33.3"},
                                                                  {"2026-03-05", "100.0"}, {"2026-03-06", "0.0"}};
  for (const auto& [day, pct] : cases) {
    auto body = reads_->Dashboard(1, Days(day, 1));
    ASSERT_TRUE(body.ok());
    EXPECT_NE(body->find("\"coverage_pct\":" + pct + ","), std::string::npos) << day << ": " << *body;
  }
  // Over all five days: 7 of 32 = 21.875 -> 21.9.
  auto body = reads_->Dashboard(1, Days("2026-03-01", 5));
  ASSERT_TRUE(body.ok());
  EXPECT_NE(body->find("\"coverage_pct\":21.9,"), std::string::npos) << *body;
}

TEST_P(HandMadeTest, ShiftListShowsNullsForVacantShiftsAndMissingUsers) {
  AddShifts("2026-03-01", 2, 2, 1);
  Exec(
      "INSERT INTO shift_note (id, shift_id, author_id, body, created_at) VALUES "
      "(2, 1, NULL, 'second', '2026-01-03T00:00:00Z'), (1, 1, 1, 'first', '2026-01-04T00:00:00Z')",
      {});
  Exec("INSERT INTO shift_link (shift_id, related_shift_id) VALUES (1, 2)", {});
  auto d = Parse(reads_->ShiftList(1, Days("2026-03-01", 1)));
  ASSERT_EQ(Keys(d), (K{"shifts"}));
  const Json& list = d["shifts"];
  ASSERT_EQ(list.Size(), 2u);
  const Json& a = list[0];
  EXPECT_EQ(Keys(a),
            (K{"id", "date", "unit", "shift_type", "staff", "notes", "related_shift_ids", "created_by", "updated_by"}));
  EXPECT_EQ(a["id"].GetInt64(), 1);
  EXPECT_EQ(S(a["date"]), "2026-03-01");
  EXPECT_EQ(S(a["unit"]["name"]), "B");
  EXPECT_EQ(Keys(a["shift_type"]), (K{"id", "name", "start", "end", "hours"}));
  EXPECT_TRUE(a["shift_type"]["hours"].IsDouble());
  EXPECT_EQ(Keys(a["staff"]), (K{"id", "name", "role"}));
  EXPECT_EQ(S(a["staff"]["name"]), "Ann Lee");
  EXPECT_EQ(S(a["staff"]["role"]), "carer");
  ASSERT_EQ(a["notes"].Size(), 2u);
  EXPECT_EQ(Keys(a["notes"][0]), (K{"id", "author", "body", "created_at"}));
  EXPECT_EQ(a["notes"][0]["id"].GetInt64(), 1);
  EXPECT_EQ(S(a["notes"][0]["author"]), "boss");
  EXPECT_EQ(S(a["notes"][0]["created_at"]), "2026-01-04T00:00:00Z");
  EXPECT_EQ(a["notes"][1]["id"].GetInt64(), 2);
  EXPECT_TRUE(a["notes"][1]["author"].IsNull());
  ASSERT_EQ(a["related_shift_ids"].Size(), 1u);
  EXPECT_EQ(a["related_shift_ids"][0].GetInt64(), 2);
  EXPECT_TRUE(a["created_by"].IsNull());
  EXPECT_EQ(S(a["updated_by"]), "boss");
  const Json& b = list[1];
  EXPECT_TRUE(b["staff"].IsNull());
  EXPECT_EQ(b["notes"].Size(), 0u);
  EXPECT_EQ(b["related_shift_ids"].Size(), 0u);  // a link is not made symmetric by the reader
  auto body = reads_->ShiftList(1, Days("2026-03-01", 1));
  ASSERT_TRUE(body.ok());
  EXPECT_NE(body->find("\"hours\":8.0"), std::string::npos) << *body;
}

TEST_P(HandMadeTest, StaffListShowsANullPrimaryUnitAndEmptyLists) {
  auto body = reads_->StaffList(1);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body,
            "{\"staff\":[{\"id\":1,\"name\":\"Ann Lee\",\"role\":\"carer\",\"contracted_hours\":37.5,"
            "\"active\":true,\"primary_unit\":null,\"qualified_units\":[],\"certifications\":[],"
            "\"leave_requests\":[]}]}");
}

TEST_P(HandMadeTest, AHomeWithoutStaffOrUnitsAnswersEmptyLists) {
  Exec("INSERT INTO care_home (id, name, created_at) VALUES (2, 'Empty', '2026-01-01T00:00:00Z')", {});
  auto staff = reads_->StaffList(2);
  ASSERT_TRUE(staff.ok());
  EXPECT_EQ(*staff, "{\"staff\":[]}");
  auto d = Parse(reads_->Dashboard(2, Days("2026-03-01", 2)));
  EXPECT_EQ(d["by_unit"].Size(), 0u);
  EXPECT_EQ(d["by_day"].Size(), 2u);
  auto shifts = reads_->ShiftList(2, Days("2026-03-01", 2));
  ASSERT_TRUE(shifts.ok());
  EXPECT_EQ(*shifts, "{\"shifts\":[]}");
}

TEST_P(HandMadeTest, ComplianceListsGroupsWithFewerStaffedShiftsThanTheUnitNeeds) {
  AddShifts("2026-03-01", 1, 1, 1);  // A needs 1, has 1: fine
  AddShifts("2026-03-01", 2, 2, 1);  // B needs 2, has 1: understaffed
  AddShifts("2026-03-02", 1, 2, 0);  // A needs 1, has 0: understaffed
  AddShifts("2026-03-02", 2, 3, 2);  // B needs 2, has 2: fine
  Exec(
      "INSERT INTO certification (id, staff_id, name, expires_on) VALUES (1, 1, 'Fire Safety', '2026-03-30'), "
      "(2, 1, 'First Aid', '2026-03-31'), (3, 1, 'Basic Life Support', '2026-02-01'), "
      "(4, 1, 'Food Hygiene', '2026-03-30')",
      {});
  auto body = reads_->Compliance(1, Days("2026-03-01", 7));
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(
      *body,
      "{\"understaffed\":["
      "{\"date\":\"2026-03-01\",\"unit_id\":2,\"shift_type_id\":1,\"required\":2,\"assigned\":1},"
      "{\"date\":\"2026-03-02\",\"unit_id\":1,\"shift_type_id\":1,\"required\":1,\"assigned\":0}],"
      "\"expiring_certifications\":["
      "{\"staff_id\":1,\"name\":\"Ann Lee\",\"certification\":\"Basic Life Support\",\"expires_on\":\"2026-02-01\"},"
      "{\"staff_id\":1,\"name\":\"Ann Lee\",\"certification\":\"Fire Safety\",\"expires_on\":\"2026-03-30\"},"
      "{\"staff_id\":1,\"name\":\"Ann Lee\",\"certification\":\"Food Hygiene\",\"expires_on\":\"2026-03-30\"}]}");
  // Inactive staff's certifications are not listed.
  Exec("UPDATE staff SET active = ? WHERE id = 1", {int64_t{0}});
  body = reads_->Compliance(1, Days("2026-03-01", 7));
  ASSERT_TRUE(body.ok());
  EXPECT_NE(body->find("\"expiring_certifications\":[]"), std::string::npos) << *body;
}

// ---------------------------------------------------------------- seeded lists

TEST_P(ReadsTest, ShiftListMatchesTheRowsInOrderWithNotesAndLinks) {
  const Snapshot s = Rows();
  int notes_seen = 0, links_seen = 0, vacant_seen = 0;
  for (int64_t home : {1, 2}) {
    for (const auto& [from, days] : std::vector<std::pair<std::string, int>>{{"2026-11-01", 10}, {"2026-11-03", 2}}) {
      const std::string to = Date::Parse(from)->AddDays(days - 1).ToString();
      std::vector<const Snapshot::Shift*> want;
      for (const auto& sh : s.shifts)
        if (sh.home == home && sh.date >= from && sh.date <= to) want.push_back(&sh);
      std::sort(want.begin(), want.end(), [](auto* a, auto* b) {
        return std::tie(a->date, a->unit, a->type, a->id) < std::tie(b->date, b->unit, b->type, b->id);
      });
      auto d = Parse(reads_->ShiftList(home, Days(from, days)));
      const Json& list = d["shifts"];
      ASSERT_EQ(list.Size(), want.size());
      for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        const Json& j = list[i];
        const auto& w = *want[i];
        SCOPED_TRACE("shift " + std::to_string(w.id));
        ASSERT_EQ(j["id"].GetInt64(), w.id);
        EXPECT_EQ(S(j["date"]), w.date);
        EXPECT_EQ(j["unit"]["id"].GetInt64(), w.unit);
        EXPECT_EQ(S(j["unit"]["name"]), s.units.at(w.unit).name);
        const auto& t = s.types.at(w.type);
        EXPECT_EQ(j["shift_type"]["id"].GetInt64(), t.id);
        EXPECT_EQ(S(j["shift_type"]["name"]), t.name);
        EXPECT_EQ(S(j["shift_type"]["start"]), t.start);
        EXPECT_EQ(S(j["shift_type"]["end"]), t.end);
        EXPECT_DOUBLE_EQ(j["shift_type"]["hours"].GetDouble(), t.hours);
        if (w.staff) {
          const auto& m = s.staff.at(*w.staff);
          EXPECT_EQ(j["staff"]["id"].GetInt64(), m.id);
          EXPECT_EQ(S(j["staff"]["name"]), m.Name());
          EXPECT_EQ(S(j["staff"]["role"]), m.role);
        } else {
          EXPECT_TRUE(j["staff"].IsNull());
          ++vacant_seen;
        }
        std::vector<const Snapshot::Note*> notes;
        for (const auto& n : s.notes)
          if (n.shift == w.id) notes.push_back(&n);
        ASSERT_EQ(j["notes"].Size(), notes.size());
        for (rapidjson::SizeType k = 0; k < notes.size(); ++k) {
          EXPECT_EQ(j["notes"][k]["id"].GetInt64(), notes[k]->id);
          EXPECT_EQ(OptS(j["notes"][k]["author"]),
                    notes[k]->author ? std::optional<std::string>(s.users.at(*notes[k]->author)) : std::nullopt);
          EXPECT_EQ(S(j["notes"][k]["body"]), notes[k]->body);
          EXPECT_EQ(S(j["notes"][k]["created_at"]), notes[k]->created_at);
          ++notes_seen;
        }
        std::vector<int64_t> related;
        for (const auto& [a, b] : s.links)
          if (a == w.id) related.push_back(b);
        ASSERT_EQ(j["related_shift_ids"].Size(), related.size());
        for (rapidjson::SizeType k = 0; k < related.size(); ++k) {
          EXPECT_EQ(j["related_shift_ids"][k].GetInt64(), related[k]);
          ++links_seen;
        }
        auto user = [&](const std::optional<int64_t>& id) {
          return id ? std::optional<std::string>(s.users.at(*id)) : std::nullopt;
        };
        EXPECT_EQ(OptS(j["created_by"]), user(w.created_by));
        EXPECT_EQ(OptS(j["updated_by"]), user(w.updated_by));
      }
    }
  }
  EXPECT_GT(notes_seen, 0);
  EXPECT_GT(links_seen, 0);
  EXPECT_GT(vacant_seen, 0);
}

TEST_P(ReadsTest, StaffListMatchesTheRowsWithTheirInnerLists) {
  const Snapshot s = Rows();
  for (int64_t home : {1, 2}) {
    auto d = Parse(reads_->StaffList(home));
    std::vector<const Snapshot::Staff*> want;
    for (const auto& [id, m] : s.staff)
      if (m.home == home) want.push_back(&m);
    const Json& list = d["staff"];
    ASSERT_EQ(list.Size(), want.size());
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
      const Json& j = list[i];
      const auto& m = *want[i];
      EXPECT_EQ(Keys(j), (K{"id", "name", "role", "contracted_hours", "active", "primary_unit", "qualified_units",
                            "certifications", "leave_requests"}));
      EXPECT_EQ(j["id"].GetInt64(), m.id);
      EXPECT_EQ(S(j["name"]), m.Name());
      EXPECT_EQ(S(j["role"]), m.role);
      ASSERT_TRUE(j["contracted_hours"].IsDouble());
      EXPECT_DOUBLE_EQ(j["contracted_hours"].GetDouble(), m.hours);
      EXPECT_EQ(j["active"].GetBool(), m.active);
      ASSERT_TRUE(m.primary.has_value());
      EXPECT_EQ(j["primary_unit"]["id"].GetInt64(), *m.primary);
      EXPECT_EQ(S(j["primary_unit"]["name"]), s.units.at(*m.primary).name);
      std::vector<int64_t> units;
      for (const auto& [sid, uid] : s.qualified)
        if (sid == m.id) units.push_back(uid);
      ASSERT_EQ(j["qualified_units"].Size(), units.size());
      for (rapidjson::SizeType k = 0; k < units.size(); ++k) {
        EXPECT_EQ(j["qualified_units"][k]["id"].GetInt64(), units[k]);
        EXPECT_EQ(S(j["qualified_units"][k]["name"]), s.units.at(units[k]).name);
      }
      std::vector<const Snapshot::Cert*> certs;
      for (const auto& c : s.certs)
        if (c.staff == m.id) certs.push_back(&c);
      ASSERT_EQ(j["certifications"].Size(), certs.size());
      for (rapidjson::SizeType k = 0; k < certs.size(); ++k) {
        EXPECT_EQ(Keys(j["certifications"][k]), (K{"id", "name", "expires_on"}));
        EXPECT_EQ(j["certifications"][k]["id"].GetInt64(), certs[k]->id);
        EXPECT_EQ(S(j["certifications"][k]["name"]), certs[k]->name);
        EXPECT_EQ(S(j["certifications"][k]["expires_on"]), certs[k]->expires);
      }
      std::vector<const Snapshot::Leave*> leave;
      for (const auto& l : s.leave)
        if (l.staff == m.id) leave.push_back(&l);
      ASSERT_EQ(j["leave_requests"].Size(), leave.size());
      for (rapidjson::SizeType k = 0; k < leave.size(); ++k) {
        EXPECT_EQ(Keys(j["leave_requests"][k]), (K{"id", "start_date", "end_date", "status"}));
        EXPECT_EQ(j["leave_requests"][k]["id"].GetInt64(), leave[k]->id);
        EXPECT_EQ(S(j["leave_requests"][k]["start_date"]), leave[k]->start);
        EXPECT_EQ(S(j["leave_requests"][k]["end_date"]), leave[k]->end);
        EXPECT_EQ(S(j["leave_requests"][k]["status"]), leave[k]->status);
      }
    }
  }
}

TEST_P(ReadsTest, MonthlyReportSumsTheMonthsShiftsPerStaffAndType) {
  const Snapshot s = Rows();
  for (int64_t home : {1, 2}) {
    for (YearMonth month : {YearMonth{2026, 11}, YearMonth{2026, 12}}) {
      const std::string first = month.First().ToString(), last = month.Last().ToString();
      std::map<int64_t, std::pair<int64_t, double>> per_staff;
      std::map<int64_t, std::pair<int64_t, int64_t>> per_type;
      int64_t total = 0, staffed = 0;
      for (const auto& sh : s.shifts) {
        if (sh.home != home || sh.date < first || sh.date > last) continue;
        ++total;
        per_type[sh.type].first++;
        if (sh.staff) {
          ++staffed;
          per_staff[*sh.staff].first++;
          per_staff[*sh.staff].second += s.types.at(sh.type).hours;
        } else {
          per_type[sh.type].second++;
        }
      }
      auto d = Parse(reads_->MonthlyReport(home, month));
      ASSERT_EQ(Keys(d),
                (K{"month", "total_shifts", "staffed_shifts", "vacant_shifts", "hours_by_staff", "shifts_by_type"}));
      EXPECT_EQ(S(d["month"]), month.ToString());
      EXPECT_EQ(d["total_shifts"].GetInt64(), total);
      EXPECT_EQ(d["staffed_shifts"].GetInt64(), staffed);
      EXPECT_EQ(d["vacant_shifts"].GetInt64(), total - staffed);
      const Json& hs = d["hours_by_staff"];
      ASSERT_EQ(hs.Size(), per_staff.size());
      rapidjson::SizeType i = 0;
      for (const auto& [id, v] : per_staff) {
        EXPECT_EQ(Keys(hs[i]), (K{"staff_id", "name", "shifts", "hours"}));
        EXPECT_EQ(hs[i]["staff_id"].GetInt64(), id);
        EXPECT_EQ(S(hs[i]["name"]), s.staff.at(id).Name());
        EXPECT_EQ(hs[i]["shifts"].GetInt64(), v.first);
        ASSERT_TRUE(hs[i]["hours"].IsDouble());
        EXPECT_DOUBLE_EQ(hs[i]["hours"].GetDouble(), v.second);
        ++i;
      }
      const Json& ts = d["shifts_by_type"];
      ASSERT_EQ(ts.Size(), s.types.size());
      i = 0;
      for (const auto& [id, t] : s.types) {
        EXPECT_EQ(Keys(ts[i]), (K{"shift_type_id", "name", "total", "vacant"}));
        EXPECT_EQ(ts[i]["shift_type_id"].GetInt64(), id);
        EXPECT_EQ(S(ts[i]["name"]), t.name);
        EXPECT_EQ(ts[i]["total"].GetInt64(), per_type[id].first);
        EXPECT_EQ(ts[i]["vacant"].GetInt64(), per_type[id].second);
        ++i;
      }
      if (month.month == 11) {
        EXPECT_GT(total, 0);
      } else {
        EXPECT_EQ(total, 0);
      }
    }
  }
}

TEST_P(ReadsTest, ComplianceMatchesTheRows) {
  const Snapshot s = Rows();
  for (int64_t home : {1, 2}) {
    const std::string from = "2026-11-01", to = "2026-11-10";
    std::map<std::tuple<std::string, int64_t, int64_t>, int64_t> assigned;
    for (const auto& sh : s.shifts)
      if (sh.home == home && sh.date >= from && sh.date <= to)
        assigned[{sh.date, sh.unit, sh.type}] += sh.staff ? 1 : 0;
    std::vector<std::tuple<std::string, int64_t, int64_t, int64_t, int64_t>> under;
    for (const auto& [k, n] : assigned) {
      const int64_t need = s.units.at(std::get<1>(k)).min_staff;
      if (n < need) under.emplace_back(std::get<0>(k), std::get<1>(k), std::get<2>(k), need, n);
    }
    std::vector<std::tuple<std::string, int64_t, std::string>> certs;
    for (const auto& c : s.certs) {
      const auto& m = s.staff.at(c.staff);
      if (m.home == home && m.active && c.expires < "2026-12-01") certs.emplace_back(c.expires, m.id, c.name);
    }
    std::sort(certs.begin(), certs.end());

    auto d = Parse(reads_->Compliance(home, Days(from, 10)));
    ASSERT_EQ(Keys(d), (K{"understaffed", "expiring_certifications"}));
    const Json& u = d["understaffed"];
    ASSERT_EQ(u.Size(), under.size());
    for (rapidjson::SizeType i = 0; i < u.Size(); ++i) {
      EXPECT_EQ(Keys(u[i]), (K{"date", "unit_id", "shift_type_id", "required", "assigned"}));
      EXPECT_EQ(S(u[i]["date"]), std::get<0>(under[i]));
      EXPECT_EQ(u[i]["unit_id"].GetInt64(), std::get<1>(under[i]));
      EXPECT_EQ(u[i]["shift_type_id"].GetInt64(), std::get<2>(under[i]));
      EXPECT_EQ(u[i]["required"].GetInt64(), std::get<3>(under[i]));
      EXPECT_EQ(u[i]["assigned"].GetInt64(), std::get<4>(under[i]));
    }
    const Json& c = d["expiring_certifications"];
    ASSERT_EQ(c.Size(), certs.size());
    for (rapidjson::SizeType i = 0; i < c.Size(); ++i) {
      EXPECT_EQ(Keys(c[i]), (K{"staff_id", "name", "certification", "expires_on"}));
      EXPECT_EQ(S(c[i]["expires_on"]), std::get<0>(certs[i]));
      EXPECT_EQ(c[i]["staff_id"].GetInt64(), std::get<1>(certs[i]));
      EXPECT_EQ(S(c[i]["name"]), s.staff.at(std::get<1>(certs[i])).Name());
      EXPECT_EQ(S(c[i]["certification"]), std::get<2>(certs[i]));
    }
  }
}

TEST_P(ReadsTest, StatsCountsEveryHome) {
  const Snapshot s = Rows();
  for (const std::string today : {"2026-11-01", "2026-11-07", "2026-10-30", "2027-01-01"}) {
    const std::string last = Date::Parse(today)->AddDays(6).ToString();
    int64_t active = 0, shifts = 0, vacant = 0, pending = 0;
    for (const auto& [id, m] : s.staff) active += m.active ? 1 : 0;
    for (const auto& sh : s.shifts)
      if (sh.date >= today && sh.date <= last) {
        ++shifts;
        vacant += sh.staff ? 0 : 1;
      }
    for (const auto& l : s.leave) pending += l.status == "pending" ? 1 : 0;
    auto body = reads_->Stats(*Date::Parse(today));
    ASSERT_TRUE(body.ok());
    EXPECT_EQ(*body, "{\"homes\":2,\"staff\":" + std::to_string(s.staff.size()) + ",\"active_staff\":" +
                         std::to_string(active) + ",\"shifts_next_7_days\":" + std::to_string(shifts) +
                         ",\"vacant_next_7_days\":" + std::to_string(vacant) +
                         ",\"pending_leave_requests\":" + std::to_string(pending) + "}");
  }
}

// ---------------------------------------------------------------- statement counts

// Statements one call issues on this thread.
template <class Fn>
uint64_t Statements(Fn&& fn) {
  const uint64_t before = db::StatementCounter::Now();
  auto r = fn();
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return db::StatementCounter::Now() - before;
}

TEST_P(ReadsTest, ReadsIssueAtMostFourStatementsWhateverTheRange) {
  ASSERT_TRUE(reads_->StaffList(1).ok());  // opens the pool's connection
  std::set<uint64_t> dashboard, shifts, compliance;
  for (int days : {1, 30, 366}) {
    dashboard.insert(Statements([&] { return reads_->Dashboard(1, Days("2026-10-01", days)); }));
    shifts.insert(Statements([&] { return reads_->ShiftList(1, Days("2026-10-25", days)); }));
    compliance.insert(Statements([&] { return reads_->Compliance(1, Days("2026-10-25", days)); }));
  }
  for (const auto* counts : {&dashboard, &shifts, &compliance}) {
    ASSERT_EQ(counts->size(), 1u) << "the count changed with the range";
    EXPECT_LE(*counts->begin(), 4u);
  }
  EXPECT_LE(Statements([&] { return reads_->StaffList(1); }), 4u);
  EXPECT_LE(Statements([&] { return reads_->MonthlyReport(1, YearMonth{2026, 11}); }), 4u);
  EXPECT_LE(Statements([&] { return reads_->Stats(*Date::Parse("2026-11-01")); }), 4u);
  // An unknown home costs one statement.
  const uint64_t before = db::StatementCounter::Now();
  EXPECT_FALSE(reads_->Dashboard(99, Days("2026-10-01", 7)).ok());
  EXPECT_EQ(db::StatementCounter::Now() - before, 1u);
}

class ReadsScaleTest : public ReadsTest {
 protected:
  void SetUp() override {}
  // A fresh database with one home of `staff` staff over `days` days.
  void SeedOne(int staff, int days) {
    Open(rota::testing::FreshDatabaseUrl(GetParam(), dir_));
    auto c = pool_->Acquire();
    ASSERT_TRUE(c.ok());
    SeedOptions o;
    o.homes = 1;
    o.staff_per_home = staff;
    o.days = days;
    o.start = *Date::Parse("2026-01-01");
    auto seeded = Seed(**c, o);
    ASSERT_TRUE(seeded.ok()) << seeded.error().message;
  }
};

TEST_P(ReadsScaleTest, ShiftAndStaffListStatementCountsDoNotGrowWithRows) {
  std::set<uint64_t> shift_counts, staff_counts;
  for (int scale : {1, 10, 100}) {
    SeedOne(2 * scale, scale);
    ASSERT_TRUE(reads_->StaffList(1).ok());  // opens the pool's connection
    std::string shifts_body, staff_body;
    shift_counts.insert(Statements([&] {
      auto r = reads_->ShiftList(1, Days("2026-01-01", scale));
      if (r.ok()) shifts_body = *r;
      return r;
    }));
    staff_counts.insert(Statements([&] {
      auto r = reads_->StaffList(1);
      if (r.ok()) staff_body = *r;
      return r;
    }));
    rapidjson::Document d;
    d.Parse(shifts_body.c_str());
    EXPECT_EQ(d["shifts"].Size(), static_cast<rapidjson::SizeType>(24 * scale));
    d.Parse(staff_body.c_str());
    EXPECT_EQ(d["staff"].Size(), static_cast<rapidjson::SizeType>(2 * scale));
  }
  ASSERT_EQ(shift_counts.size(), 1u);
  ASSERT_EQ(staff_counts.size(), 1u);
  EXPECT_LE(*shift_counts.begin(), 4u);
  EXPECT_LE(*staff_counts.begin(), 4u);
}

std::string KindName(const ::testing::TestParamInfo<DbKind>& info) { return rota::testing::DbKindName(info.param); }

INSTANTIATE_TEST_SUITE_P(Db, ReadsTest, ::testing::ValuesIn(rota::testing::AllDbKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Db, HandMadeTest, ::testing::ValuesIn(rota::testing::AllDbKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Db, ReadsScaleTest, ::testing::ValuesIn(rota::testing::AllDbKinds()), KindName);

}  // namespace
}  // namespace rota::service

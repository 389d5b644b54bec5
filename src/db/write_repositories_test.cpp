// The write side of db/ (shift_writes, staff_writes, home_repository,
// credential_repository, seed_writer) on a fresh SQLite file and a fresh
// PostgreSQL database: what each function stores and reads back, and what it
// costs in statements. The write use cases on top are service/writes_test.cpp's.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "db/credential_repository.hpp"
#include "db/database.hpp"
#include "db/home_repository.hpp"
#include "db/seed_writer.hpp"
#include "db/shift_writes.hpp"
#include "db/staff_writes.hpp"
#include "support/support.hpp"

namespace rota::db {
namespace {

using rota::testing::DbKind;

constexpr std::string_view kTs = "2026-11-28T08:00:00Z";

Date D(std::string_view text) { return *Date::Parse(text); }

// Statements run on this thread by `fn`.
template <class F>
uint64_t StatementsOf(F&& fn) {
  const uint64_t before = StatementCounter::Now();
  fn();
  return StatementCounter::Now() - before;
}

// A migrated database holding, with explicit ids written through TableWriter:
// home 1 (units 1 and 2) and home 2 (unit 3), shift type 1, user 1 (manager
// of home 1), staff 1 of home 1 qualified for unit 1, and 65 homes more when
// asked (one batch and one single row).
class WriteRepositoryTest : public ::testing::TestWithParam<DbKind> {
 protected:
  void SetUp() override {
    url_ = rota::testing::FreshDatabaseUrl(GetParam(), dir_);
    ASSERT_FALSE(url_.empty());
    auto c = Connect(url_);
    ASSERT_TRUE(c.ok()) << c.error().message;
    conn_ = std::move(c).value();
    ASSERT_TRUE(Migrate(*conn_).ok());
    TableWriter homes(db(), "care_home", "id, name, created_at", 3);
    homes.Add({int64_t{1}, std::string_view("Orchard"), kTs});
    homes.Add({int64_t{2}, std::string_view("Willow"), kTs});
    TableWriter units(db(), "unit", "id, home_id, name, min_staff_per_shift", 4);
    units.Add({int64_t{1}, int64_t{1}, std::string_view("Rose"), int64_t{1}});
    units.Add({int64_t{2}, int64_t{1}, std::string_view("Lily"), int64_t{1}});
    units.Add({int64_t{3}, int64_t{2}, std::string_view("Iris"), int64_t{1}});
    TableWriter types(db(), "shift_type", "id, name, start_time, end_time, hours", 5);
    types.Add({int64_t{1}, std::string_view("Early"), std::string_view("07:00"), std::string_view("15:00"), 8.0});
    TableWriter users(db(), "app_user", "id, username, password_hash, is_staff, home_id, is_active", 6);
    users.Add({int64_t{1}, std::string_view("manager1"), std::string_view("x"), int64_t{0}, int64_t{1}, int64_t{1}});
    TableWriter staff(db(), "staff",
                      "id, user_id, home_id, primary_unit_id, first_name, last_name, role, contracted_hours, active",
                      9);
    staff.Add({int64_t{1}, nullptr, int64_t{1}, int64_t{1}, std::string_view("Ann"), std::string_view("Lee"),
               std::string_view("carer"), 37.5, int64_t{1}});
    TableWriter qualified(db(), "staff_qualified_unit", "staff_id, unit_id", 2);
    qualified.Add({int64_t{1}, int64_t{1}});
    for (TableWriter* t : {&homes, &units, &types, &users, &staff, &qualified}) ASSERT_TRUE(t->Flush().ok());
    ASSERT_TRUE(ResetIdSequences(db()).ok());
  }

  Connection& db() { return *conn_; }

  rota::testing::TempDir dir_;
  std::string url_;
  std::unique_ptr<Connection> conn_;
};

TEST_P(WriteRepositoryTest, TableWriterSendsFullBatchesThenSingleRowsAndSequencesMovePastThem) {
  TableWriter homes(db(), "care_home", "id, name, created_at", 3);
  for (int64_t id = 10; id < 10 + static_cast<int64_t>(TableWriter::kBatchRows) + 1; ++id)
    homes.Add({id, "Home " + std::to_string(id), kTs});
  EXPECT_EQ(homes.buffered(), TableWriter::kBatchRows + 1);
  EXPECT_EQ(StatementsOf([&] { ASSERT_TRUE(homes.Flush().ok()); }), 2u);  // one batch, one single row
  EXPECT_EQ(homes.buffered(), 0u);
  EXPECT_EQ(*CountHomes(db()), 2 + static_cast<int64_t>(TableWriter::kBatchRows) + 1);
  ASSERT_TRUE(ResetIdSequences(db()).ok());
  auto next = db().QueryInt("INSERT INTO care_home (name, created_at) VALUES ('Next', ?) RETURNING id", {kTs});
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(**next, 10 + static_cast<int64_t>(TableWriter::kBatchRows) + 1);
}

TEST_P(WriteRepositoryTest, AShiftIsStoredChangedAndDeletedAsItsRecordSays) {
  const domain::ShiftRecord made{0, 1, 1, 1, D("2026-12-01"), 1};
  auto id = InsertShift(db(), made, 1, kTs);
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto loaded = LoadShiftRecord(db(), *id);
  ASSERT_TRUE(loaded.ok() && *loaded);
  EXPECT_EQ((*loaded)->id, *id);
  EXPECT_EQ((*loaded)->home_id, 1);
  EXPECT_EQ((*loaded)->unit_id, 1);
  EXPECT_EQ((*loaded)->date, D("2026-12-01"));
  EXPECT_EQ((*loaded)->staff_id, std::optional<int64_t>(1));

  domain::ShiftRecord changed = **loaded;
  changed.unit_id = 2;
  changed.staff_id.reset();
  changed.date = D("2026-12-02");
  ASSERT_TRUE(UpdateShift(db(), changed, std::nullopt, kTs).ok());
  loaded = LoadShiftRecord(db(), *id);
  ASSERT_TRUE(loaded.ok() && *loaded);
  EXPECT_EQ((*loaded)->unit_id, 2);
  EXPECT_EQ((*loaded)->staff_id, std::nullopt);
  EXPECT_EQ((*loaded)->date, D("2026-12-02"));

  ASSERT_TRUE(DeleteShift(db(), *id).ok());
  loaded = LoadShiftRecord(db(), *id);
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(*loaded);
}

TEST_P(WriteRepositoryTest, ShiftFactsLoadOnlyWhatTheChangeMakesTheRulesLookAt) {
  auto other = InsertShift(db(), {0, 1, 1, 1, D("2026-12-01"), 1}, 1, kTs);
  ASSERT_TRUE(other.ok());
  const domain::ShiftRecord target{0, 1, 3, 1, D("2026-12-01"), 1};  // unit 3 is home 2's
  domain::AssignmentChange nothing;
  EXPECT_EQ(StatementsOf([&] { ASSERT_TRUE(LoadShiftFacts(db(), target, nothing).ok()); }), 0u);
  Result<domain::ShiftFacts> facts = domain::ShiftFacts{};
  EXPECT_EQ(StatementsOf([&] { facts = LoadShiftFacts(db(), target, domain::AssignmentChange::All()); }), 3u);
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ(facts->unit_home_id, std::optional<int64_t>(2));
  EXPECT_TRUE(facts->shift_type_exists);
  ASSERT_TRUE(facts->staff);
  EXPECT_EQ(facts->staff->home_id, 1);
  EXPECT_TRUE(facts->staff->active);
  EXPECT_FALSE(facts->staff->qualified_for_unit);
  EXPECT_TRUE(facts->staff->has_other_shift_that_date);
  EXPECT_FALSE(facts->staff->on_approved_leave);
}

TEST_P(WriteRepositoryTest, QualifiedUnitsAreReplacedWithOneStatementPerUnitChanged) {
  Result<bool> changed = false;
  EXPECT_EQ(StatementsOf([&] { changed = ReplaceQualifiedUnits(db(), 1, {1}, {2}); }), 2u);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  EXPECT_EQ(*QualifiedUnitIds(db(), 1), (std::vector<int64_t>{2}));
  EXPECT_EQ(StatementsOf([&] { changed = ReplaceQualifiedUnits(db(), 1, {2}, {2}); }), 0u);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
}

TEST_P(WriteRepositoryTest, AStaffRecordRoundTripsAndItsHomeIsKnown) {
  const domain::StaffRecord made{0, 2, 3, "Bola", "Okafor", "nurse", 22.5, false};
  auto id = InsertStaff(db(), made);
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto loaded = LoadStaffRecord(db(), *id);
  ASSERT_TRUE(loaded.ok() && *loaded);
  EXPECT_EQ((*loaded)->id, *id);
  EXPECT_EQ((*loaded)->home_id, 2);
  EXPECT_EQ((*loaded)->primary_unit_id, std::optional<int64_t>(3));
  EXPECT_EQ((*loaded)->first_name, "Bola");
  EXPECT_EQ((*loaded)->role, "nurse");
  EXPECT_EQ((*loaded)->contracted_hours, 22.5);
  EXPECT_FALSE((*loaded)->active);
  EXPECT_EQ(*StaffHome(db(), *id), std::optional<int64_t>(2));
  ASSERT_TRUE(DeleteStaff(db(), *id).ok());
  EXPECT_EQ(*StaffHome(db(), *id), std::nullopt);
}

TEST_P(WriteRepositoryTest, ALeaveRequestKeepsItsReasonAndIsFoundWithItsHome) {
  domain::LeaveRequest asked;
  asked.staff_id = 1;
  asked.start_date = D("2026-12-01");
  asked.end_date = D("2026-12-03");
  asked.reason = "family event";
  auto id = InsertLeaveRequest(db(), asked, kTs);
  ASSERT_TRUE(id.ok()) << id.error().message;
  ASSERT_TRUE(UpdateLeaveStatus(db(), *id, domain::LeaveStatus::kApproved).ok());
  auto found = LoadLeaveForUpdate(db(), *id);
  ASSERT_TRUE(found.ok() && *found) << (found.ok() ? "none" : found.error().message);
  EXPECT_EQ((*found)->home_id, 1);
  EXPECT_EQ((*found)->leave.staff_id, 1);
  EXPECT_EQ((*found)->leave.start_date, D("2026-12-01"));
  EXPECT_EQ((*found)->leave.end_date, D("2026-12-03"));
  EXPECT_EQ((*found)->leave.status, domain::LeaveStatus::kApproved);
  EXPECT_EQ((*found)->leave.reason, "family event");
  auto missing = LoadLeaveForUpdate(db(), *id + 1);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
}

TEST_P(WriteRepositoryTest, HomesAreListedAndRenamedAndANameTakenIsSeen) {
  auto all = ListHomes(db());
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (std::vector<domain::IdName>{{1, "Orchard"}, {2, "Willow"}}));
  EXPECT_EQ(*ListHomes(db(), 2), (std::vector<domain::IdName>{{2, "Willow"}}));
  EXPECT_TRUE(ListHomes(db(), 9)->empty());
  EXPECT_TRUE(*HomeExists(db(), 1));
  EXPECT_FALSE(*HomeExists(db(), 9));
  EXPECT_EQ(*UnitIdsOfHome(db(), 1), (std::set<int64_t>{1, 2}));
  EXPECT_TRUE(*HomeNameTaken(db(), "Willow", 1));
  EXPECT_FALSE(*HomeNameTaken(db(), "Willow", 2));
  Status clash = RenameHome(db(), 1, "Willow");
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(RenameHome(db(), 1, "Meadow").ok());
  EXPECT_EQ(*LoadHomeNameForUpdate(db(), 1), std::optional<std::string>("Meadow"));
}

TEST_P(WriteRepositoryTest, ATokenFindsItsUserUntilItExpires) {
  ASSERT_TRUE(InsertToken(db(), 1, "hash-a", kTs, std::string("2026-11-29T08:00:00Z")).ok());
  auto owner = FindTokenOwner(db(), "hash-a", "2026-11-28T09:00:00Z");
  ASSERT_TRUE(owner.ok() && *owner);
  EXPECT_EQ((*owner)->user.username, "manager1");
  EXPECT_EQ((*owner)->user.home_id, std::optional<int64_t>(1));
  EXPECT_FALSE((*owner)->user.is_admin);
  EXPECT_EQ((*owner)->last_used_at, std::nullopt);
  ASSERT_TRUE(TouchToken(db(), (*owner)->token_id, "2026-11-28T09:00:00Z").ok());
  auto tokens = ListTokens(db(), 1);
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_EQ(tokens->front().last_used, std::optional<std::string>("2026-11-28T09:00:00Z"));
  EXPECT_EQ(tokens->front().expires, std::optional<std::string>("2026-11-29T08:00:00Z"));
  auto expired = FindTokenOwner(db(), "hash-a", "2026-11-29T08:00:00Z");
  ASSERT_TRUE(expired.ok());
  EXPECT_FALSE(*expired);
  EXPECT_EQ(*DeleteToken(db(), (*owner)->token_id), 1);
  EXPECT_EQ(*DeleteToken(db(), (*owner)->token_id), 0);
}

TEST_P(WriteRepositoryTest, ASessionFindsItsUserUntilItIsDeletedOrExpired) {
  ASSERT_TRUE(InsertSession(db(), 1, "s-hash", "csrf", kTs, "2026-11-28T10:00:00Z").ok());
  auto owner = FindSessionOwner(db(), "s-hash", "2026-11-28T09:00:00Z");
  ASSERT_TRUE(owner.ok() && *owner);
  EXPECT_EQ((*owner)->csrf_token, "csrf");
  EXPECT_EQ((*owner)->expires_at, "2026-11-28T10:00:00Z");
  ASSERT_TRUE(DeleteExpiredSessions(db(), "2026-11-28T09:59:59Z").ok());
  EXPECT_TRUE(*FindSessionOwner(db(), "s-hash", "2026-11-28T09:00:00Z"));
  ASSERT_TRUE(DeleteExpiredSessions(db(), "2026-11-28T10:00:00Z").ok());
  EXPECT_FALSE(*FindSessionOwner(db(), "s-hash", "2026-11-28T09:00:00Z"));
}

INSTANTIATE_TEST_SUITE_P(AllDatabases, WriteRepositoryTest, ::testing::ValuesIn(rota::testing::AllDbKinds()),
                         [](const auto& info) { return rota::testing::DbKindName(info.param); });

}  // namespace
}  // namespace rota::db

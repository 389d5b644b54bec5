// Behaviour of the data access layer, run on a fresh SQLite file and on a fresh
// PostgreSQL database: the same statements must mean the same on both.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "db/database.hpp"
#include "db/outbox.hpp"
#include "support/support.hpp"

namespace rota::db {
namespace {

using rota::testing::DbKind;
using ::testing::HasSubstr;

// The tables and columns of the storage contract (/work/shared/spec/schema.sql).
const std::map<std::string, std::set<std::string>>& ContractColumns() {
  static const std::map<std::string, std::set<std::string>> kColumns = {
      {"care_home", {"id", "name", "created_at"}},
      {"unit", {"id", "home_id", "name", "min_staff_per_shift"}},
      {"app_user", {"id", "username", "password_hash", "is_staff", "home_id", "is_active"}},
      {"staff",
       {"id", "user_id", "home_id", "primary_unit_id", "first_name", "last_name", "role", "contracted_hours",
        "active"}},
      {"staff_qualified_unit", {"staff_id", "unit_id"}},
      {"certification", {"id", "staff_id", "name", "expires_on"}},
      {"shift_type", {"id", "name", "start_time", "end_time", "hours"}},
      {"shift",
       {"id", "home_id", "unit_id", "staff_id", "shift_type_id", "date", "created_by", "updated_by", "created_at",
        "updated_at"}},
      {"shift_note", {"id", "shift_id", "author_id", "body", "created_at"}},
      {"shift_link", {"shift_id", "related_shift_id"}},
      {"leave_request", {"id", "staff_id", "start_date", "end_date", "status", "reason", "created_at"}},
  };
  return kColumns;
}

constexpr std::string_view kTs = "2026-11-28T08:00:00Z";

std::set<std::string> ColumnsOf(Connection& c, const std::string& table) {
  std::set<std::string> cols;
  std::string_view sql = c.dialect() == Dialect::kSqlite ? "SELECT name FROM pragma_table_info(?)"
                                                         : "SELECT column_name FROM information_schema.columns "
                                                           "WHERE table_schema = current_schema() AND table_name = ?";
  Status s = c.Query(sql, {table}, [&](const Row& r) { cols.insert(std::string(r.Text(0))); });
  EXPECT_TRUE(s.ok()) << s.error().message;
  return cols;
}

bool IndexExists(Connection& c, const std::string& name) {
  std::string_view sql = c.dialect() == Dialect::kSqlite
                             ? "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?"
                             : "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?";
  auto n = c.QueryInt(sql, {name});
  return n.ok() && n->value_or(0) == 1;
}

int64_t AddHome(Connection& c, std::string_view name) {
  auto id = c.QueryInt("INSERT INTO care_home (name, created_at) VALUES (?, ?) RETURNING id", {name, kTs});
  EXPECT_TRUE(id.ok()) << id.error().message;
  return id.ok() ? id->value_or(-1) : -1;
}

int64_t CountHomes(Connection& c, std::string_view name) {
  auto n = c.QueryInt("SELECT count(*) FROM care_home WHERE name = ?", {name});
  EXPECT_TRUE(n.ok()) << n.error().message;
  return n.ok() ? n->value_or(-1) : -1;
}

int64_t CountAllHomes(Connection& c) {
  auto n = c.QueryInt("SELECT count(*) FROM care_home", {});
  EXPECT_TRUE(n.ok()) << n.error().message;
  return n.ok() ? n->value_or(-1) : -1;
}

std::unique_ptr<Connection> MustConnect(const std::string& url) {
  auto c = Connect(url);
  EXPECT_TRUE(c.ok()) << url << ": " << c.error().message;
  return c.ok() ? std::move(c).value() : nullptr;
}

// A fresh, migrated database of kind() and one connection to it.
class FreshDatabase {
 protected:
  void Open(DbKind kind) {
    url_ = rota::testing::FreshDatabaseUrl(kind, dir_);
    ASSERT_FALSE(url_.empty());
    conn_ = MustConnect(url_);
    ASSERT_NE(conn_, nullptr);
    auto applied = Migrate(*conn_);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    ASSERT_EQ(*applied, (std::vector<int>{1, 2, 3, 4}));
  }

  Connection& db() { return *conn_; }

  rota::testing::TempDir dir_;
  std::string url_;
  std::unique_ptr<Connection> conn_;
};

// Behaviour both databases share.
class DatabaseTest : public FreshDatabase, public ::testing::TestWithParam<DbKind> {
 protected:
  void SetUp() override { Open(GetParam()); }
};

// Behaviour of one dialect only.
class SqliteTest : public FreshDatabase, public ::testing::Test {
 protected:
  void SetUp() override { Open(DbKind::kSqlite); }
};
class PostgresTest : public FreshDatabase, public ::testing::Test {
 protected:
  void SetUp() override { Open(DbKind::kPostgres); }
};

// ---- Migrations -------------------------------------------------------------

TEST_P(DatabaseTest, MigrateCreatesEveryContractTableWithEveryColumn) {
  for (const auto& [table, columns] : ContractColumns()) {
    EXPECT_EQ(ColumnsOf(db(), table), columns) << table;
  }
  EXPECT_TRUE(IndexExists(db(), "shift_home_date"));
  EXPECT_TRUE(IndexExists(db(), "shift_staff_date"));
}

TEST_P(DatabaseTest, MigrateAddsTokensSessionsAndReadPathIndexes) {
  EXPECT_EQ(ColumnsOf(db(), "api_token"),
            (std::set<std::string>{"id", "user_id", "token_hash", "created_at", "expires_at", "last_used_at"}));
  EXPECT_EQ(ColumnsOf(db(), "user_session"),
            (std::set<std::string>{"id", "user_id", "session_hash", "csrf_token", "created_at", "expires_at"}));
  for (const char* index : {"unit_home", "staff_home", "certification_staff_expires", "leave_request_staff_status",
                            "shift_note_shift", "shift_home_date_unit_staff"}) {
    EXPECT_TRUE(IndexExists(db(), index)) << index;
  }
}

TEST_P(DatabaseTest, OwedInvalidationsAreRecordedLoadedByAgeAndSettled) {
  auto first = RecordOwed(db(), {1, 20}, 0b101, "2026-12-01T10:00:00Z");
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = RecordOwed(db(), {3}, 0b10, "2026-12-01T10:00:05Z");
  ASSERT_TRUE(second.ok());
  auto all = LoadOwed(db(), "");
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, *first);
  EXPECT_EQ((*all)[0].homes, (std::set<int64_t>{1, 20}));
  EXPECT_EQ((*all)[0].families, 0b101u);
  EXPECT_EQ((*all)[1].homes, (std::set<int64_t>{3}));
  auto older = LoadOwed(db(), "2026-12-01T10:00:05Z");  // strictly before
  ASSERT_TRUE(older.ok());
  ASSERT_EQ(older->size(), 1u);
  EXPECT_EQ(older->front().id, *first);
  ASSERT_TRUE(SettleOwed(db(), {*first, *second}).ok());
  EXPECT_TRUE(LoadOwed(db(), "")->empty());
  EXPECT_TRUE(SettleOwed(db(), {*first}).ok()) << "settling twice is harmless";
}

TEST_P(DatabaseTest, AnOwedInvalidationRollsBackWithItsWrite) {
  Status s = InTransaction(db(), [&]() -> Status {
    ROTA_TRY(RecordOwed(db(), {1}, 1, "2026-12-01T10:00:00Z").status());
    return Error::Conflict("the write failed after recording");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(LoadOwed(db(), "")->empty());
}

TEST_F(PostgresTest, UsesNativeTypes) {
  std::map<std::string, std::string> types;
  Status s = db().Query(
      "SELECT column_name, data_type FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND table_name = ?",
      {std::string("shift")}, [&](const Row& r) { types[std::string(r.Text(0))] = std::string(r.Text(1)); });
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(types["id"], "bigint");
  EXPECT_EQ(types["staff_id"], "bigint");
  EXPECT_EQ(types["date"], "date");
  EXPECT_EQ(types["created_at"], "timestamp with time zone");
  auto hours = db().QueryInt(
      "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() "
      "AND table_name = ? AND column_name = ? AND data_type = ?",
      {std::string("shift_type"), std::string("hours"), std::string("double precision")});
  ASSERT_TRUE(hours.ok());
  EXPECT_EQ(hours->value_or(0), 1);
}

TEST_P(DatabaseTest, MigrateTwiceChangesNothing) {
  int64_t home = AddHome(db(), "Orchard");
  auto again = Migrate(db());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->empty());
  auto versions = db().QueryInt("SELECT count(*) FROM schema_migrations", {});
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->value_or(0), LatestSchemaVersion());
  EXPECT_EQ(LatestSchemaVersion(), 4);
  auto max = db().QueryInt("SELECT max(version) FROM schema_migrations", {});
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->value_or(0), 4);
  EXPECT_EQ(db().QueryInt("SELECT id FROM care_home WHERE name = ?", {std::string("Orchard")})->value_or(0), home);
}

TEST_P(DatabaseTest, MigrateOnASecondConnectionFindsTheSchemaInPlace) {
  auto other = MustConnect(url_);
  ASSERT_NE(other, nullptr);
  auto applied = Migrate(*other);
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_TRUE(applied->empty());
}

// ---- Statements and values --------------------------------------------------

TEST_P(DatabaseTest, InsertReturningIdGivesNewIds) {
  int64_t a = AddHome(db(), "Orchard");
  int64_t b = AddHome(db(), "Willow");
  EXPECT_GT(a, 0);
  EXPECT_GT(b, a);
}

TEST_P(DatabaseTest, DatesBooleansTimestampsAndRealsRoundTrip) {
  int64_t home = AddHome(db(), "Orchard");
  ASSERT_TRUE(db().Exec("INSERT INTO app_user (username, password_hash, is_staff, home_id, is_active) "
                        "VALUES (?, ?, ?, ?, ?)",
                        {std::string("admin"), std::string("h"), int64_t{1}, nullptr, int64_t{0}})
                  .ok());
  ASSERT_TRUE(db().Exec("INSERT INTO app_user (username, password_hash, home_id) VALUES (?, ?, ?)",
                        {std::string("manager"), std::string("h"), home})
                  .ok());
  std::map<std::string, std::pair<bool, bool>> flags;
  Status s = db().Query("SELECT username, is_staff, is_active FROM app_user ORDER BY id", {}, [&](const Row& r) {
    flags[std::string(r.Text(0))] = {r.Bool(1), r.Bool(2)};
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(flags["admin"], std::make_pair(true, false));
  EXPECT_EQ(flags["manager"], std::make_pair(false, true));  // the defaults

  auto staff = db().QueryInt(
      "INSERT INTO staff (home_id, first_name, last_name, role, contracted_hours) VALUES (?, ?, ?, ?, ?) "
      "RETURNING id",
      {home, std::string("Ada"), std::string("Lovelace"), std::string("nurse"), 37.5});
  ASSERT_TRUE(staff.ok()) << staff.error().message;
  ASSERT_TRUE(db().Exec("INSERT INTO certification (staff_id, name, expires_on) VALUES (?, ?, ?)",
                        {**staff, std::string("Manual Handling"), std::string("2028-02-29")})
                  .ok());

  std::string expires, created;
  double hours = 0;
  s = db().Query(
      "SELECT c.expires_on, s.contracted_hours, h.created_at FROM certification c "
      "JOIN staff s ON s.id = c.staff_id JOIN care_home h ON h.id = s.home_id WHERE c.staff_id = ?",
      {**staff}, [&](const Row& r) {
        expires = std::string(r.Text(0));
        hours = r.Real(1);
        created = r.Timestamp(2);
      });
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(expires, "2028-02-29");
  EXPECT_DOUBLE_EQ(hours, 37.5);
  EXPECT_EQ(created, kTs);

  // Dates compare as dates on both (text order is date order on SQLite).
  auto later = db().QueryInt("SELECT count(*) FROM certification WHERE expires_on >= ? AND expires_on <= ?",
                             {std::string("2028-02-01"), std::string("2028-03-01")});
  ASSERT_TRUE(later.ok()) << later.error().message;
  EXPECT_EQ(later->value_or(0), 1);
}

TEST_P(DatabaseTest, NullsAreBoundAndRead) {
  int64_t home = AddHome(db(), "Orchard");
  auto user = db().QueryInt("INSERT INTO app_user (username, password_hash, home_id) VALUES (?, ?, ?) RETURNING id",
                            {std::string("admin"), std::string("h"), Nullable(std::nullopt)});
  ASSERT_TRUE(user.ok()) << user.error().message;
  ASSERT_TRUE(db().Exec("INSERT INTO app_user (username, password_hash, home_id) VALUES (?, ?, ?)",
                        {std::string("manager"), std::string("h"), Nullable(home)})
                  .ok());

  std::map<std::string, std::optional<int64_t>> homes;
  bool null_seen = false;
  Status s = db().Query("SELECT username, home_id FROM app_user", {}, [&](const Row& r) {
    homes[std::string(r.Text(0))] = r.OptInt(1);
    if (r.IsNull(1)) {
      null_seen = true;
      EXPECT_EQ(r.Int(1), 0);
      EXPECT_EQ(r.Real(1), 0.0);
      EXPECT_EQ(r.Text(1), "");
      EXPECT_EQ(r.OptText(1), std::nullopt);
    }
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(null_seen);
  EXPECT_EQ(homes["admin"], std::nullopt);
  EXPECT_EQ(homes["manager"], home);

  auto null_first = db().QueryInt("SELECT home_id FROM app_user WHERE id = ?", {**user});
  ASSERT_TRUE(null_first.ok());
  EXPECT_EQ(*null_first, std::nullopt);
  auto no_rows = db().QueryInt("SELECT id FROM app_user WHERE username = ?", {std::string("nobody")});
  ASSERT_TRUE(no_rows.ok());
  EXPECT_EQ(*no_rows, std::nullopt);
}

TEST_P(DatabaseTest, ParametersWithSqlMetacharactersAreStoredVerbatim) {
  const std::vector<std::string> names = {"Robert'); DROP TABLE staff;--", "O'Brien \"the\" \\ backslash",
                                          "50% _off_ ? $1 :name", "Zoë – 介護"};
  for (const auto& name : names) AddHome(db(), std::string_view(name));
  std::vector<std::string> stored;
  Status s =
      db().Query("SELECT name FROM care_home ORDER BY id", {}, [&](const Row& r) { stored.emplace_back(r.Text(0)); });
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(stored, names);
  EXPECT_EQ(CountHomes(db(), names[0]), 1);
  EXPECT_EQ(ColumnsOf(db(), "staff"), ContractColumns().at("staff"));  // still there
}

TEST_P(DatabaseTest, ExecReportsRowsChanged) {
  AddHome(db(), "Orchard");
  AddHome(db(), "Willow");
  auto n = db().Exec("UPDATE care_home SET created_at = ?", {std::string("2027-01-01T00:00:00Z")});
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 2);
  auto none = db().Exec("DELETE FROM care_home WHERE name = ?", {std::string("nowhere")});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
}

TEST_P(DatabaseTest, WrongParameterCountIsAnErrorNotACrash) {
  auto r = db().Exec("INSERT INTO care_home (name, created_at) VALUES (?, ?)", {std::string("only one")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_EQ(CountAllHomes(db()), 0);
}

// ---- Errors -------------------------------------------------------------------

TEST_P(DatabaseTest, UniqueViolationIsConflict) {
  AddHome(db(), "Orchard");
  auto again = db().Exec("INSERT INTO care_home (name, created_at) VALUES (?, ?)", {std::string("Orchard"), kTs});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  auto pk = db().Exec("INSERT INTO care_home (id, name, created_at) VALUES (?, ?, ?)",
                      {int64_t{1}, std::string("Other"), kTs});
  ASSERT_FALSE(pk.ok());
  EXPECT_EQ(pk.error().code, ErrorCode::kConflict);
}

TEST_P(DatabaseTest, ForeignKeyCheckAndNotNullViolationsAreInvalid) {
  int64_t home = AddHome(db(), "Orchard");
  auto fk = db().Exec("INSERT INTO unit (home_id, name) VALUES (?, ?)", {int64_t{9999}, std::string("Rose")});
  ASSERT_FALSE(fk.ok());
  EXPECT_EQ(fk.error().code, ErrorCode::kInvalid);
  auto check = db().Exec("INSERT INTO staff (home_id, first_name, last_name, role) VALUES (?, ?, ?, ?)",
                         {home, std::string("A"), std::string("B"), std::string("surgeon")});
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.error().code, ErrorCode::kInvalid);
  auto not_null = db().Exec("INSERT INTO unit (home_id, name) VALUES (?, ?)", {home, nullptr});
  ASSERT_FALSE(not_null.ok());
  EXPECT_EQ(not_null.error().code, ErrorCode::kInvalid);
}

TEST_P(DatabaseTest, DeletingAHomeCascadesToItsUnits) {
  int64_t home = AddHome(db(), "Orchard");
  ASSERT_TRUE(db().Exec("INSERT INTO unit (home_id, name) VALUES (?, ?)", {home, std::string("Rose")}).ok());
  ASSERT_TRUE(db().Exec("DELETE FROM care_home WHERE id = ?", {home}).ok());
  EXPECT_EQ(db().QueryInt("SELECT count(*) FROM unit", {})->value_or(-1), 0);
}

TEST_F(PostgresTest, RejectsAnImpossibleDateAsInvalid) {
  int64_t home = AddHome(db(), "Orchard");
  auto staff =
      db().QueryInt("INSERT INTO staff (home_id, first_name, last_name, role) VALUES (?, ?, ?, ?) RETURNING id",
                    {home, std::string("A"), std::string("B"), std::string("carer")});
  ASSERT_TRUE(staff.ok());
  auto bad = db().Exec("INSERT INTO certification (staff_id, name, expires_on) VALUES (?, ?, ?)",
                       {**staff, std::string("X"), std::string("2026-02-30")});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalid);
}

TEST_P(DatabaseTest, SyntaxErrorIsInternal) {
  auto r = db().Exec("SELEKT nonsense", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_FALSE(r.error().message.empty());
  EXPECT_EQ(CountAllHomes(db()), 0);  // the connection still works
}

// ---- Transactions -----------------------------------------------------------------

TEST_P(DatabaseTest, InTransactionCommitsOnSuccess) {
  Status s = InTransaction(db(), [&]() -> Status {
    AddHome(db(), "Orchard");
    AddHome(db(), "Willow");
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto other = MustConnect(url_);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(CountAllHomes(*other), 2);
}

TEST_P(DatabaseTest, InTransactionRollsBackOnError) {
  Status s = InTransaction(db(), [&]() -> Status {
    AddHome(db(), "Orchard");
    return Error::Invalid("no", "name");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(s.error().field, "name");
  EXPECT_EQ(CountHomes(db(), "Orchard"), 0);
}

TEST_P(DatabaseTest, InTransactionRollsBackWhenAStatementFails) {
  AddHome(db(), "Orchard");
  Status s = InTransaction(db(), [&]() -> Status {
    AddHome(db(), "Willow");
    return db().Exec("INSERT INTO care_home (name, created_at) VALUES (?, ?)", {std::string("Orchard"), kTs}).status();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  EXPECT_EQ(CountHomes(db(), "Willow"), 0);
  EXPECT_TRUE(db().Healthy());  // back out of the transaction
}

// ---- Statement counting --------------------------------------------------------------

TEST_P(DatabaseTest, StatementCounterCountsEveryStatementOnThisThread) {
  uint64_t start = StatementCounter::Now();
  AddHome(db(), "Orchard");
  EXPECT_EQ(StatementCounter::Now() - start, 1u);
  ASSERT_TRUE(db().Exec("UPDATE care_home SET name = ?", {std::string("Willow")}).ok());
  EXPECT_EQ(StatementCounter::Now() - start, 2u);
  ASSERT_TRUE(InTransaction(db(), [&] { return db().Exec("DELETE FROM care_home", {}).status(); }).ok());
  EXPECT_EQ(StatementCounter::Now() - start, 5u);  // BEGIN, DELETE, COMMIT
  (void)InTransaction(db(), [] { return Status(Error::Invalid("no")); });
  EXPECT_EQ(StatementCounter::Now() - start, 7u);  // BEGIN, ROLLBACK

  uint64_t other_thread = 0;
  std::thread t([&] {
    uint64_t before = StatementCounter::Now();
    auto c = MustConnect(url_);
    if (c) (void)c->QueryInt("SELECT count(*) FROM care_home", {});
    other_thread = StatementCounter::Now() - before;
  });
  t.join();
  EXPECT_EQ(other_thread, 1u);                     // connecting is not a statement
  EXPECT_EQ(StatementCounter::Now() - start, 7u);  // nothing from the other thread
}

// ---- Concurrency -------------------------------------------------------------------

TEST_P(DatabaseTest, ConcurrentReadersAndWritersNeverSeeABusyDatabase) {
  constexpr int kThreads = 2;
  constexpr int kWrites = 200;
  std::atomic<int> failures{0};
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto c = Connect(url_);
      if (!c) {
        ++failures;
        errors[t] = c.error().message;
        return;
      }
      Connection& conn = **c;
      for (int i = 0; i < kWrites; ++i) {
        std::string name = "home-" + std::to_string(t) + "-" + std::to_string(i);
        Status s =
            i % 2 == 0
                ? conn.Exec("INSERT INTO care_home (name, created_at) VALUES (?, ?)", {name, kTs}).status()
                : InTransaction(conn, [&] {
                    return conn.Exec("INSERT INTO care_home (name, created_at) VALUES (?, ?)", {name, kTs}).status();
                  });
        auto n = conn.QueryInt("SELECT count(*) FROM care_home", {});
        if (!s || !n) {
          ++failures;
          errors[t] = !s ? s.error().message : n.error().message;
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0) << errors[0] << " / " << errors[1];
  EXPECT_EQ(CountAllHomes(db()), kThreads * kWrites);
}

// ---- Pool ----------------------------------------------------------------------------

TEST_P(DatabaseTest, PoolTimesOutWithUnavailableWhenAllConnectionsAreLeased) {
  auto pool = Pool::Open(url_, 2, std::chrono::milliseconds(200));
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  auto a = (*pool)->Acquire();
  auto b = (*pool)->Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*pool)->in_use(), 2);
  auto start = std::chrono::steady_clock::now();
  auto c = (*pool)->Acquire();
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kUnavailable);
  EXPECT_GE(waited, std::chrono::milliseconds(150));
}

TEST_P(DatabaseTest, PoolReusesReturnedConnections) {
  auto pool = Pool::Open(url_, 2);
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  EXPECT_EQ((*pool)->dialect(), GetParam() == DbKind::kSqlite ? Dialect::kSqlite : Dialect::kPostgres);
  Connection* first = nullptr;
  {
    auto lease = (*pool)->Acquire();
    ASSERT_TRUE(lease.ok());
    first = &**lease;
    EXPECT_EQ(CountAllHomes(**lease), 0);
  }
  EXPECT_EQ((*pool)->in_use(), 0);
  auto again = (*pool)->Acquire();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(&**again, first);
}

TEST_P(DatabaseTest, PoolAcquireBlocksUntilAConnectionIsReturned) {
  auto pool = Pool::Open(url_, 1, std::chrono::seconds(5));
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  auto held = (*pool)->Acquire();
  ASSERT_TRUE(held.ok());
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    auto lease = (*pool)->Acquire();
    got = lease.ok() && CountAllHomes(**lease) == 0;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(got.load());
  { auto returned = std::move(held).value(); }  // the lease ends here
  waiter.join();
  EXPECT_TRUE(got.load());
  EXPECT_EQ((*pool)->in_use(), 0);
}

TEST_P(DatabaseTest, PoolMoveAssigningALeaseReturnsTheOldConnection) {
  auto pool = Pool::Open(url_, 2);
  ASSERT_TRUE(pool.ok());
  auto a = (*pool)->Acquire();
  auto b = (*pool)->Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  *a = std::move(*b);
  EXPECT_EQ((*pool)->in_use(), 1);
}

TEST_P(DatabaseTest, PoolReplacesAConnectionLeftInATransaction) {
  auto pool = Pool::Open(url_, 1);
  ASSERT_TRUE(pool.ok());
  {
    auto lease = (*pool)->Acquire();
    ASSERT_TRUE(lease.ok());
    // A temporary table lives and dies with its connection: it tells the
    // replacement apart (comparing addresses would not: a new object may be
    // allocated where the old one was).
    ASSERT_TRUE((*lease)->ExecScript("CREATE TEMPORARY TABLE left_behind (x INTEGER)").ok());
    ASSERT_TRUE((*lease)->Begin().ok());
    AddHome(**lease, "never committed");
  }
  auto lease = (*pool)->Acquire();
  ASSERT_TRUE(lease.ok());
  EXPECT_FALSE((*lease)->QueryInt("SELECT COUNT(*) FROM left_behind", {}).ok()) << "the same connection came back";
  EXPECT_TRUE((*lease)->Healthy());
  EXPECT_EQ(CountAllHomes(**lease), 0);
}

TEST_F(PostgresTest, ConnectionKilledByTheServerIsUnavailableAndReplaced) {
  auto pool = Pool::Open(url_, 1);
  ASSERT_TRUE(pool.ok());
  {
    auto lease = (*pool)->Acquire();
    ASSERT_TRUE(lease.ok());
    EXPECT_EQ(CountAllHomes(**lease), 0);  // prepared before the kill
    auto pid = (*lease)->QueryInt("SELECT pg_backend_pid()", {});
    ASSERT_TRUE(pid.ok() && pid->has_value());
    auto killed =
        db().QueryInt("SELECT count(*) FROM pg_stat_activity WHERE pg_terminate_backend(?, ?)", {**pid, int64_t{5000}});
    ASSERT_TRUE(killed.ok()) << killed.error().message;

    // A write is never sent twice: it fails, and the connection is unfit.
    auto write = (*lease)->Exec("INSERT INTO care_home (name, created_at) VALUES (?, ?)", {std::string("X"), kTs});
    ASSERT_FALSE(write.ok());
    EXPECT_EQ(write.error().code, ErrorCode::kUnavailable);
    EXPECT_FALSE((*lease)->Healthy());
  }
  auto lease = (*pool)->Acquire();
  ASSERT_TRUE(lease.ok()) << lease.error().message;
  EXPECT_EQ(CountAllHomes(**lease), 0);
}

TEST_F(SqliteTest, RunsInWalModeWithForeignKeys) {
  std::string mode;
  ASSERT_TRUE(db().Query("PRAGMA journal_mode", {}, [&](const Row& r) { mode = std::string(r.Text(0)); }).ok());
  EXPECT_EQ(mode, "wal");
  EXPECT_EQ(db().QueryInt("PRAGMA foreign_keys", {})->value_or(0), 1);
  EXPECT_EQ(db().QueryInt("PRAGMA busy_timeout", {})->value_or(0), 5000);
}

INSTANTIATE_TEST_SUITE_P(AllDatabases, DatabaseTest, ::testing::ValuesIn(rota::testing::AllDbKinds()),
                         [](const auto& info) { return rota::testing::DbKindName(info.param); });

// ---- URLs ------------------------------------------------------------------------------

TEST(DatabaseUrl, UnknownSchemesAreInvalidAndNameTheAcceptedForms) {
  for (const char* url : {"mysql://localhost/rota", "rota.db", "", "sqlite:/rota.db", "postgres://h/db"}) {
    Status s = ValidateUrl(url);
    ASSERT_FALSE(s.ok()) << url;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalid) << url;
    EXPECT_THAT(s.error().message, HasSubstr("sqlite://")) << url;
    EXPECT_THAT(s.error().message, HasSubstr("postgresql://")) << url;
    auto c = Connect(url);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, ErrorCode::kInvalid);
    EXPECT_FALSE(DialectOf(url).ok());
    EXPECT_FALSE(Pool::Open(url, 2).ok());
  }
}

TEST(DatabaseUrl, SqliteWithoutAPathIsInvalid) {
  EXPECT_EQ(ValidateUrl("sqlite://").error().code, ErrorCode::kInvalid);
}

TEST(DatabaseUrl, MalformedPostgresUrlIsInvalidAndHidesThePassword) {
  Status s = ValidateUrl("postgresql://rota:s3cret@host:notaport/db?bogus_option=1");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalid);
  EXPECT_THAT(s.error().message, ::testing::Not(HasSubstr("s3cret")));
}

TEST(DatabaseUrl, DialectFollowsTheScheme) {
  EXPECT_EQ(*DialectOf("sqlite://rota.db"), Dialect::kSqlite);
  EXPECT_EQ(*DialectOf("sqlite:///var/lib/rota/rota.db"), Dialect::kSqlite);
  EXPECT_EQ(*DialectOf("sqlite://:memory:"), Dialect::kSqlite);
  EXPECT_EQ(*DialectOf("postgresql://rota:pw@127.0.0.1:5432/rota"), Dialect::kPostgres);
  EXPECT_TRUE(ValidateUrl("postgresql://rota@127.0.0.1:5432/rota").ok());
}

TEST(DatabaseUrl, UnreachablePostgresIsUnavailable) {
  std::string url = "postgresql://rota@127.0.0.1:" + std::to_string(rota::testing::FreePort()) + "/rota";
  auto c = Connect(url);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kUnavailable);
  auto pool = Pool::Open(url, 2);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.error().code, ErrorCode::kUnavailable);
}

TEST(DatabaseUrl, SqliteFileInAMissingDirectoryIsUnavailable) {
  rota::testing::TempDir dir;
  auto c = Connect("sqlite://" + dir.File("no/such/dir/rota.db"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kUnavailable);
}

TEST(DatabaseUrl, SqliteMemoryOpensAPrivateDatabase) {
  auto c = Connect("sqlite://:memory:");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE(Migrate(**c).ok());
  EXPECT_GT(AddHome(**c, "Orchard"), 0);
  auto other = Connect("sqlite://:memory:");
  ASSERT_TRUE(other.ok());
  auto fresh = (*other)->QueryInt("SELECT count(*) FROM sqlite_master WHERE name = ?", {std::string("care_home")});
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->value_or(-1), 0);
}

TEST(DatabaseUrl, SqliteAbsolutePathCreatesTheFile) {
  rota::testing::TempDir dir;
  std::string path = dir.File("abs.db");
  auto c = Connect("sqlite://" + path);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE(Migrate(**c).ok());
  EXPECT_TRUE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace rota::db

namespace rota::db {
namespace {

TEST(DatabaseUrl, DeployProblemsNameAHostReachedWithoutVerifiedTls) {
  EXPECT_TRUE(DeployProblems("sqlite://rota.db").empty());
  EXPECT_TRUE(DeployProblems("postgresql://rota:pw@127.0.0.1:5432/rota").empty()) << "loopback";
  EXPECT_TRUE(DeployProblems("postgresql://rota@localhost/rota").empty());
  EXPECT_TRUE(DeployProblems("postgresql:///rota?host=/var/run/postgresql").empty()) << "a Unix socket";
  EXPECT_TRUE(
      DeployProblems("postgresql://rota:pw@db.example:5432/rota?sslmode=verify-full&sslrootcert=ca.pem").empty());
  auto plain = DeployProblems("postgresql://rota:s3cret@db.example:5432/rota?sslmode=require");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_NE(plain[0].find("db.example"), std::string::npos) << plain[0];
  EXPECT_NE(plain[0].find("sslmode=require"), std::string::npos) << plain[0];
  EXPECT_EQ(plain[0].find("s3cret"), std::string::npos) << "never the password: " << plain[0];
  auto two = DeployProblems("postgresql://rota@127.0.0.1:5432,db2.example:5433/rota?target_session_attrs=read-write");
  ASSERT_EQ(two.size(), 1u);
  EXPECT_NE(two[0].find("db2.example"), std::string::npos) << two[0];
  EXPECT_EQ(two[0].find("127.0.0.1"), std::string::npos) << "only the exposed host is named: " << two[0];
}

}  // namespace
}  // namespace rota::db

namespace rota::db {
namespace {

// Named statements the server holds for this session (what PgBouncer's
// transaction pooling cannot carry from one transaction to the next).
int64_t NamedStatements(Connection& c) {
  auto n = c.QueryInt("SELECT count(*) FROM pg_prepared_statements", {});
  EXPECT_TRUE(n.ok()) << n.error().message;
  return n.ok() ? n->value_or(-1) : -1;
}

class PostgresStatements : public FreshDatabase, public ::testing::Test {
 protected:
  void SetUp() override { Open(DbKind::kPostgres); }
  std::unique_ptr<Connection> ConnectWith(bool prepared) {
    auto c = Connect(url_, ConnectOptions{.prepared_statements = prepared});
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? std::move(c).value() : nullptr;
  }
  // Ends `victim`'s server session from another connection, as a dying server would.
  void TerminateSessionOf(Connection& victim) {
    auto pid = victim.QueryInt("SELECT pg_backend_pid()", {});
    ASSERT_TRUE(pid.ok() && *pid);
    bool terminated = false;
    ASSERT_TRUE(
        db().Query("SELECT pg_terminate_backend(?)", {**pid}, [&](const Row& r) { terminated = r.Bool(0); }).ok());
    ASSERT_TRUE(terminated);
    usleep(100000);
  }
};

TEST_F(PostgresStatements, UnnamedStatementsLeaveNothingOnTheServerAndMeanTheSame) {
  for (bool prepared : {true, false}) {
    auto c = ConnectWith(prepared);
    ASSERT_NE(c, nullptr);
    std::string name = prepared ? "Named" : "Unnamed";
    int64_t home = AddHome(*c, name);
    ASSERT_GT(home, 0);
    EXPECT_EQ(CountHomes(*c, name), 1);
    // Types are inferred from the columns either way: a date text, a boolean 0/1.
    auto unit = c->QueryInt("INSERT INTO unit (home_id, name) VALUES (?, ?) RETURNING id", {home, name});
    ASSERT_TRUE(unit.ok()) << unit.error().message;
    auto user = c->QueryInt(
        "INSERT INTO app_user (username, password_hash, is_staff, is_active) VALUES (?, 'x', ?, ?) RETURNING id",
        {name, int64_t{1}, int64_t{0}});
    ASSERT_TRUE(user.ok()) << user.error().message;
    std::string flags;
    ASSERT_TRUE(c->Query("SELECT is_staff, is_active FROM app_user WHERE id = ?", {**user}, [&](const Row& r) {
                   flags = std::string(r.Bool(0) ? "t" : "f") + (r.Bool(1) ? "t" : "f");
                 }).ok());
    EXPECT_EQ(flags, "tf");
    auto later = c->QueryInt("SELECT count(*) FROM care_home WHERE created_at < ?", {std::string("2027-01-01")});
    ASSERT_TRUE(later.ok()) << later.error().message;
    if (prepared)
      EXPECT_GT(NamedStatements(*c), 3) << "named statements live on the session";
    else
      EXPECT_EQ(NamedStatements(*c), 0) << "nothing outlives a statement";
  }
}

TEST_F(PostgresStatements, AReadOnABrokenConnectionIsRetriedOnceOnAFreshOne) {
  for (bool prepared : {true, false}) {
    auto c = ConnectWith(prepared);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(CountAllHomes(*c), 0);
    TerminateSessionOf(*c);
    EXPECT_EQ(CountAllHomes(*c), 0) << "a SELECT outside a transaction is sent again";
    EXPECT_TRUE(c->Healthy());
  }
}

TEST_F(PostgresStatements, AWriteOnABrokenConnectionIsNeverSentAgain) {
  auto c = ConnectWith(true);
  ASSERT_NE(c, nullptr);
  TerminateSessionOf(*c);
  auto write = c->Exec("INSERT INTO care_home (name, created_at) VALUES (?, ?)", {std::string("Once"), kTs});
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(write.error().message, "database unavailable") << "no driver text";
  EXPECT_FALSE(c->Healthy()) << "the pool drops it";
  EXPECT_EQ(CountHomes(db(), "Once"), 0) << "the INSERT was not retried";
}

TEST_F(PostgresStatements, ABeginOnABrokenConnectionIsRetriedSoAWriteGoesThrough) {
  auto c = ConnectWith(true);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(CountAllHomes(*c), 0);
  TerminateSessionOf(*c);
  Status s = InTransaction(*c, [&]() -> Status {
    return c->Exec("INSERT INTO care_home (name, created_at) VALUES (?, ?)", {std::string("After"), kTs}).status();
  });
  EXPECT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(CountHomes(db(), "After"), 1);
}

}  // namespace
}  // namespace rota::db

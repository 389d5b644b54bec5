// SqliteConnection: the Connection interface over the sqlite3 C API.
//
// One sqlite3 handle opened NOMUTEX: the Connection contract (one thread at a
// time) is the only locking. Each distinct SQL text is prepared once with
// SQLITE_PREPARE_PERSISTENT and kept until the connection closes; after every
// use the statement is reset and its bindings cleared, so a cached statement
// never holds a read snapshot or a pointer into a caller's parameters.
//
// The database runs in WAL mode, so readers never block the writer nor the
// writer the readers; writers queue on busy_timeout (5 s), and Begin() takes the
// write lock up front (BEGIN IMMEDIATE) so a transaction never fails half way
// when upgrading from reader to writer.
#include <sqlite3.h>

#include <string>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "db/drivers.hpp"

namespace rota::db::internal {
namespace {

// Maps a (extended) SQLite result code to an Error.
Error ErrorFor(sqlite3* db, int rc) {
  const char* msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      spdlog::info("sqlite refused a statement: {}", msg);  // names tables and columns: the log only
      return Error::Conflict("the change conflicts with existing data");
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      spdlog::info("sqlite refused a statement: {}", msg);
      return Error::Invalid("a value was refused by the database");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::Unavailable("database is busy");
    default:
      return Error::Internal(std::string("sqlite: ") + msg);
  }
}

class SqliteRow final : public Row {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  int columns() const override { return sqlite3_column_count(stmt_); }
  bool IsNull(int i) const override { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  int64_t Int(int i) const override { return sqlite3_column_int64(stmt_, i); }
  double Real(int i) const override { return sqlite3_column_double(stmt_, i); }
  std::string_view Text(int i) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    if (!p) return {};
    return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))};
  }
  bool Bool(int i) const override { return sqlite3_column_int64(stmt_, i) != 0; }

 private:
  sqlite3_stmt* stmt_;
};

// Resets a cached statement and drops its bindings when a use ends, however it ends.
class StatementUse {
 public:
  explicit StatementUse(sqlite3_stmt* s) : s_(s) {}
  ~StatementUse() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

 private:
  sqlite3_stmt* s_;
};

class SqliteConnection final : public Connection {
 public:
  // Takes ownership of `db`.
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }

  Status Query(std::string_view sql, const Params& params, const RowFn& fn) override {
    StatementTimer timer(Dialect::kSqlite, StatementKind::kQuery);
    auto stmt = Prepare(sql, params);
    if (!stmt) return stmt.status();
    StatementUse use(*stmt);
    SqliteRow row(*stmt);
    for (;;) {
      int rc = sqlite3_step(*stmt);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return ErrorFor(db_, sqlite3_extended_errcode(db_));
      fn(row);
    }
  }

  Result<int64_t> Exec(std::string_view sql, const Params& params) override {
    StatementTimer timer(Dialect::kSqlite, StatementKind::kExec);
    return Run(sql, params);
  }

  Status ExecScript(std::string_view sql) override {
    std::string script(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);  // the same text is available from sqlite3_errmsg
    if (rc != SQLITE_OK) return ErrorFor(db_, sqlite3_extended_errcode(db_));
    return Status::Ok();
  }

  Status Begin() override { return Transaction("BEGIN IMMEDIATE"); }
  Status Commit() override { return Transaction("COMMIT"); }
  Status Rollback() override { return Transaction("ROLLBACK"); }

  // An embedded database does not go away; a connection left inside a
  // transaction (a caller bug) is not fit to be handed out again.
  bool Healthy() override { return sqlite3_get_autocommit(db_) != 0; }

 private:
  Status Transaction(std::string_view sql) {
    StatementTimer timer(Dialect::kSqlite, StatementKind::kTransaction);
    return Run(sql, {}).status();
  }

  // Runs a statement to completion (rows, e.g. of RETURNING, are discarded).
  Result<int64_t> Run(std::string_view sql, const Params& params) {
    auto stmt = Prepare(sql, params);
    if (!stmt) return stmt.status();
    StatementUse use(*stmt);
    for (;;) {
      int rc = sqlite3_step(*stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return ErrorFor(db_, sqlite3_extended_errcode(db_));
    }
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  // The cached statement for `sql` with `params` bound. Strings are bound
  // SQLITE_STATIC: they outlive the call, and StatementUse clears them after.
  Result<sqlite3_stmt*> Prepare(std::string_view sql, const Params& params) {
    auto stmt = Cached(sql);
    if (!stmt) return stmt;
    int expected = sqlite3_bind_parameter_count(*stmt);
    if (expected != static_cast<int>(params.size())) {
      return Error::Internal("sqlite: statement takes " + std::to_string(expected) + " parameters, got " +
                             std::to_string(params.size()) + ": " + std::string(sql));
    }
    for (int i = 0; i < expected; ++i) {
      int rc = Bind(*stmt, i + 1, params[static_cast<size_t>(i)]);
      if (rc != SQLITE_OK) {
        sqlite3_clear_bindings(*stmt);
        return ErrorFor(db_, rc);
      }
    }
    return stmt;
  }

  static int Bind(sqlite3_stmt* stmt, int index, const Value& v) {
    struct Binder {
      sqlite3_stmt* s;
      int i;
      int operator()(std::nullptr_t) const { return sqlite3_bind_null(s, i); }
      int operator()(int64_t x) const { return sqlite3_bind_int64(s, i, x); }
      int operator()(double x) const { return sqlite3_bind_double(s, i, x); }
      int operator()(const std::string& x) const {
        return sqlite3_bind_text64(s, i, x.data(), x.size(), SQLITE_STATIC, SQLITE_UTF8);
      }
      int operator()(std::string_view x) const {
        return sqlite3_bind_text64(s, i, x.data(), x.size(), SQLITE_STATIC, SQLITE_UTF8);
      }
    };
    return std::visit(Binder{stmt, index}, v);
  }

  Result<sqlite3_stmt*> Cached(std::string_view sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) return ErrorFor(db_, sqlite3_extended_errcode(db_));
    if (!stmt) return Error::Internal("sqlite: empty statement");
    cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, SqlEq> cache_;  // owned; finalized on close
};

// Connection settings, in this order: the busy timeout first, so that switching
// to WAL waits for another connection instead of failing with SQLITE_BUSY.
constexpr const char* kOpenPragmas =
    "PRAGMA busy_timeout=5000;"
    "PRAGMA journal_mode=WAL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA synchronous=NORMAL;";

}  // namespace

Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path) {
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Error::Unavailable("cannot open SQLite database '" + path + "': " + msg);
  }
  sqlite3_extended_result_codes(db, 1);
  rc = sqlite3_exec(db, kOpenPragmas, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    Error e = ErrorFor(db, sqlite3_extended_errcode(db));
    sqlite3_close_v2(db);
    if (e.code == ErrorCode::kInternal)
      e = Error::Unavailable("cannot open SQLite database '" + path + "': " + e.message);
    return e;
  }
  return std::unique_ptr<Connection>(std::make_unique<SqliteConnection>(db));
}

}  // namespace rota::db::internal

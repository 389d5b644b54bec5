// Internal to src/db: the two drivers behind Connect(). Callers outside db/ use
// Connect() or Pool, never these.
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include <memory>
#include <string>

#include "db/database.hpp"

namespace rota::db::internal {

// Hash and equality that accept std::string_view, so a driver's prepared-statement
// cache is looked up by the caller's SQL text without building a std::string.
struct SqlHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
struct SqlEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

// What a statement was, for the statement metrics (operation label).
enum class StatementKind {
  kQuery,        // Connection::Query: rows read
  kExec,         // Connection::Exec: rows changed
  kTransaction,  // BEGIN, COMMIT, ROLLBACK
};

// Counts one statement in db::StatementCounter (X-Query-Count) and in the
// process metrics (base/metrics.hpp: rota_db_statements_total and
// rota_db_statement_duration_seconds by dialect and kind), timing it from
// construction to destruction. Put one on the stack where a statement runs.
// Costs two clock reads and three relaxed atomic adds; no lock.
class StatementTimer {
 public:
  StatementTimer(Dialect dialect, StatementKind kind);
  ~StatementTimer();
  StatementTimer(const StatementTimer&) = delete;
  StatementTimer& operator=(const StatementTimer&) = delete;

 private:
  Dialect dialect_;
  StatementKind kind_;
  std::chrono::steady_clock::time_point start_;
};

// Opens a SQLite database file (created if missing), or an in-memory database
// for ":memory:". Fails with `unavailable` if the file cannot be opened.
Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path);

// Connects to PostgreSQL with a libpq URL `postgresql://...`. Fails with
// `unavailable` when the server cannot be reached or refuses the login.
Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& url, const ConnectOptions& options);

}  // namespace rota::db::internal

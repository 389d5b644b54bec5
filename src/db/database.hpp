// The data access layer: one small interface over SQLite (sqlite3 C API) and
// PostgreSQL (libpq), chosen by the database URL.
//
// Why thin wrappers and not SOCI: we need exactly three things from a driver —
// prepared statements cached per connection, rows read without copies, and a
// count of every statement executed — and both C APIs give them directly. SOCI
// adds a type-conversion layer and an allocation per row that the hot read paths
// would pay, and still leaves the dialect differences (dates, booleans,
// RETURNING) to us.
//
// SQL is written once with `?` placeholders (no literal '?' may appear in SQL
// text); the PostgreSQL connection rewrites them to $1..$n. Values are always
// bound, never spliced into SQL. Portable conventions the callers follow:
//  - DATE columns are bound and read as 'YYYY-MM-DD' text on both.
//  - BOOLEAN columns are bound as the integers 0/1 and read with Row::Bool.
//  - TIMESTAMP columns are bound as 'YYYY-MM-DDTHH:MM:SSZ' and read with
//    Row::Timestamp, which normalises PostgreSQL's output.
//  - Inserts use `RETURNING id` (SQLite >= 3.35).
//
// Thread-safety: a Connection is used by one thread at a time; the Pool hands
// connections out and is safe to share.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/mutex.hpp"
#include "base/status.hpp"

namespace rota::db {

enum class Dialect { kSqlite, kPostgres };

// A bound parameter. string_view parameters must outlive the call.
using Value = std::variant<std::nullptr_t, int64_t, double, std::string, std::string_view>;
using Params = std::vector<Value>;

// Optional helpers: a null when absent.
inline Value Nullable(const std::optional<int64_t>& v) { return v ? Value(*v) : Value(nullptr); }

// One result row, valid only inside the callback that received it.
class Row {
 public:
  virtual ~Row() = default;
  virtual int columns() const = 0;
  virtual bool IsNull(int i) const = 0;
  virtual int64_t Int(int i) const = 0;            // 0 when NULL
  virtual double Real(int i) const = 0;            // 0.0 when NULL
  virtual std::string_view Text(int i) const = 0;  // "" when NULL; valid until the callback returns
  virtual bool Bool(int i) const = 0;              // SQLite 0/1, PostgreSQL t/f
  std::string Timestamp(int i) const;              // 'YYYY-MM-DDTHH:MM:SSZ'
  std::optional<int64_t> OptInt(int i) const { return IsNull(i) ? std::nullopt : std::optional<int64_t>(Int(i)); }
  std::optional<std::string> OptText(int i) const {
    return IsNull(i) ? std::nullopt : std::optional<std::string>(std::string(Text(i)));
  }
};

using RowFn = std::function<void(const Row&)>;

// Counts statements executed on this thread: a request handler runs on one
// thread from start to finish, so `X-Query-Count` is the difference between two
// readings taken around it. BEGIN/COMMIT/ROLLBACK count too.
class StatementCounter {
 public:
  static uint64_t Now();
  static void Add(uint64_t n = 1);
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;

  // Runs one prepared, cached statement; calls `fn` for each row.
  virtual Status Query(std::string_view sql, const Params& params, const RowFn& fn) = 0;
  // Runs one statement for its effect; returns the number of rows changed.
  virtual Result<int64_t> Exec(std::string_view sql, const Params& params = {}) = 0;
  // Runs a script of several statements without parameters (migrations only).
  virtual Status ExecScript(std::string_view sql) = 0;

  // Transactions. Begin() takes the write lock at once on SQLite (BEGIN
  // IMMEDIATE) so two writers queue on the busy timeout instead of failing.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;

  // False once the server has gone away; the pool then replaces the connection.
  virtual bool Healthy() = 0;

  // Convenience: the first column of the first row, if any.
  Result<std::optional<int64_t>> QueryInt(std::string_view sql, const Params& params);
};

// How PostgreSQL statements are sent ([database] prepared_statements).
//   true  (default): each SQL text is PQprepare'd once per connection under a
//         name of its own and then only executed: planned once, one round trip.
//   false: each statement is sent as an unnamed statement (PQexecParams: parse,
//         bind and execute in one round trip), still with bound parameters.
//         Needed behind PgBouncer in transaction pooling mode, where a
//         connection's named statements live on a server connection that the
//         next transaction may not get. Costs a parse and plan per statement.
// SQLite ignores it.
struct ConnectOptions {
  bool prepared_statements = true;
};

// Opens a connection for a URL: `sqlite://relative/path.db`, `sqlite:///abs/path.db`,
// `sqlite://:memory:` (tests), or any libpq URI `postgresql://...` (passed to
// libpq unchanged: sslmode, sslrootcert, several hosts, target_session_attrs...).
Result<std::unique_ptr<Connection>> Connect(const std::string& url, const ConnectOptions& options = {});
// Validates a database URL without connecting (configuration checks).
Status ValidateUrl(const std::string& url);
Result<Dialect> DialectOf(const std::string& url);
// `rota check --deploy`: what is wrong with a database URL for production, one
// message per problem: a PostgreSQL host other than loopback or a Unix socket
// reached without sslmode=verify-full (or verify-ca). Empty for SQLite.
std::vector<std::string> DeployProblems(const std::string& url);

// A fixed-size pool. Acquire() waits up to `wait` for a free connection, then
// answers `unavailable`. A connection found unhealthy on return is reopened
// lazily on the next Acquire.
class Pool {
 public:
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> c) : pool_(pool), conn_(std::move(c)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&& other) noexcept;  // returns the connection held before to the pool
    ~Lease();
    Connection* operator->() const { return conn_.get(); }
    Connection& operator*() const { return *conn_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // Opens one connection at once (to fail fast on a bad URL); the rest lazily.
  static Result<std::unique_ptr<Pool>> Open(const std::string& url, int size,
                                            std::chrono::milliseconds wait = std::chrono::seconds(5),
                                            ConnectOptions options = {});
  ~Pool();

  Result<Lease> Acquire();
  Dialect dialect() const { return dialect_; }
  int size() const { return size_; }
  int in_use() const;

 private:
  Pool(std::string url, int size, std::chrono::milliseconds wait, Dialect d, ConnectOptions options);
  void Release(std::unique_ptr<Connection> c);

  const std::string url_;
  const int size_;
  const std::chrono::milliseconds wait_;
  const Dialect dialect_;
  const ConnectOptions options_;
  mutable Mutex mu_;
  std::condition_variable_any cv_;  // waits on a MutexLock
  std::vector<std::unique_ptr<Connection>> idle_ GUARDED_BY(mu_);
  int open_ GUARDED_BY(mu_) = 0;  // connections in existence
  int leased_ GUARDED_BY(mu_) = 0;
};

// Runs `fn` inside a transaction on `conn`: commits when fn succeeds, rolls back
// otherwise (a rejected write changes nothing).
Status InTransaction(Connection& conn, const std::function<Status()>& fn);

// Brings the schema to the newest version; running it twice changes nothing.
// Returns the versions applied by this call.
Result<std::vector<int>> Migrate(Connection& conn);
int LatestSchemaVersion();

}  // namespace rota::db

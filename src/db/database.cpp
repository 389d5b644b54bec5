// The dialect-independent part of the data access layer: URL parsing, the
// statement counter, and helpers written on top of the Connection interface.
#include "db/database.hpp"

#include <libpq-fe.h>

#include "base/date.hpp"
#include "base/metrics.hpp"
#include "base/url.hpp"
#include "db/drivers.hpp"

namespace rota::db {
namespace {

constexpr std::string_view kSqliteScheme = "sqlite://";
constexpr std::string_view kPostgresScheme = "postgresql://";
constexpr std::string_view kUrlForms =
    "sqlite://relative/path.db, sqlite:///abs/path.db, sqlite://:memory: or "
    "postgresql://user:pass@host:port/db";

thread_local uint64_t statements_on_this_thread = 0;

Error BadUrl(const std::string& url, std::string_view why) {
  return Error::Invalid("bad database URL '" + RedactUrl(url) + "': " + std::string(why) + "; expected " +
                        std::string(kUrlForms));
}

// A URL taken apart: its dialect and what follows the scheme (a file path for
// SQLite, the whole URL for PostgreSQL, which libpq parses).
struct ParsedUrl {
  Dialect dialect;
  std::string target;
};

Result<ParsedUrl> ParseUrl(const std::string& url) {
  if (url.starts_with(kSqliteScheme)) {
    std::string path = url.substr(kSqliteScheme.size());
    if (path.empty()) return BadUrl(url, "no file path");
    return ParsedUrl{Dialect::kSqlite, std::move(path)};
  }
  if (url.starts_with(kPostgresScheme)) {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
    if (!opts) {
      std::string why = err ? err : "not a valid connection URL";
      PQfreemem(err);
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      return BadUrl(url, why);
    }
    PQconninfoFree(opts);
    return ParsedUrl{Dialect::kPostgres, url};
  }
  return BadUrl(url, "unknown scheme");
}

}  // namespace

std::string Row::Timestamp(int i) const { return NormalizeTimestamp(Text(i)); }

uint64_t StatementCounter::Now() { return statements_on_this_thread; }
void StatementCounter::Add(uint64_t n) { statements_on_this_thread += n; }

namespace internal {
namespace {

// The metric series of one dialect, resolved once (on its first statement), so
// a statement never looks a series up.
struct StatementSeries {
  static constexpr int kKinds = 3;
  metrics::Counter* count[kKinds];
  metrics::Histogram* duration[kKinds];

  explicit StatementSeries(const char* dialect) {
    static constexpr const char* kKindNames[kKinds] = {"query", "exec", "transaction"};
    auto& registry = metrics::DefaultRegistry();
    for (int k = 0; k < kKinds; ++k) {
      count[k] = &registry.GetCounter(
          "rota_db_statements_total",
          "SQL statements executed, by dialect and operation (query: rows read, exec: rows changed, "
          "transaction: BEGIN/COMMIT/ROLLBACK)",
          {"dialect", "operation"}, {dialect, kKindNames[k]});
      duration[k] = &registry.GetHistogram(
          "rota_db_statement_duration_seconds", "Time to execute one SQL statement and read its rows, in seconds",
          {"dialect", "operation"}, {dialect, kKindNames[k]}, metrics::LatencyBuckets());
    }
  }
};

StatementSeries& SeriesOf(Dialect d) {
  if (d == Dialect::kSqlite) {
    static StatementSeries sqlite("sqlite");
    return sqlite;
  }
  static StatementSeries postgres("postgresql");
  return postgres;
}

}  // namespace

StatementTimer::StatementTimer(Dialect dialect, StatementKind kind)
    : dialect_(dialect), kind_(kind), start_(std::chrono::steady_clock::now()) {
  StatementCounter::Add();
}

StatementTimer::~StatementTimer() {
  auto elapsed = std::chrono::steady_clock::now() - start_;
  StatementSeries& s = SeriesOf(dialect_);
  int k = static_cast<int>(kind_);
  s.count[k]->Inc();
  s.duration[k]->ObserveDuration(elapsed);
}

}  // namespace internal

Result<std::optional<int64_t>> Connection::QueryInt(std::string_view sql, const Params& params) {
  std::optional<int64_t> first;
  bool seen = false;
  Status s = Query(sql, params, [&](const Row& row) {
    if (seen) return;
    seen = true;
    first = row.OptInt(0);
  });
  if (!s) return s;
  return first;
}

Result<std::unique_ptr<Connection>> Connect(const std::string& url, const ConnectOptions& options) {
  auto parsed = ParseUrl(url);
  if (!parsed) return parsed.status();
  if (parsed->dialect == Dialect::kSqlite) return internal::OpenSqlite(parsed->target);
  return internal::OpenPostgres(parsed->target, options);
}

Status ValidateUrl(const std::string& url) { return ParseUrl(url).status(); }

std::vector<std::string> DeployProblems(const std::string& url) {
  std::vector<std::string> problems;
  if (!url.starts_with(kPostgresScheme)) return problems;
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (!opts) {
    PQfreemem(err);
    return problems;  // ValidateUrl reports it
  }
  std::string hosts, hostaddrs, sslmode;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    std::string_view k = o->keyword;
    if (!o->val) continue;
    if (k == "host")
      hosts = o->val;
    else if (k == "hostaddr")
      hostaddrs = o->val;
    else if (k == "sslmode")
      sslmode = o->val;
  }
  PQconninfoFree(opts);
  // host may list several (a,b,c); a Unix socket is a path; none means the default socket.
  std::string exposed;
  std::string all = hosts.empty() ? hostaddrs : hosts;
  for (size_t b = 0; b <= all.size() && !all.empty();) {
    size_t e = all.find(',', b);
    if (e == std::string::npos) e = all.size();
    std::string h = all.substr(b, e - b);
    if (!h.empty() && h[0] != '/' && h[0] != '@' && !IsLoopbackHost(h)) exposed += (exposed.empty() ? "" : ", ") + h;
    b = e + 1;
  }
  if (!exposed.empty() && sslmode != "verify-full" && sslmode != "verify-ca")
    problems.push_back("ROTA_DATABASE_URL reaches " + exposed +
                       " with sslmode=" + (sslmode.empty() ? "prefer" : sslmode) +
                       ": add sslmode=verify-full and sslrootcert=<the server's CA> so that the password and the data "
                       "cannot be read or redirected on the network");
  return problems;
}

Result<Dialect> DialectOf(const std::string& url) {
  auto parsed = ParseUrl(url);
  if (!parsed) return parsed.status();
  return parsed->dialect;
}

Status InTransaction(Connection& conn, const std::function<Status()>& fn) {
  ROTA_TRY(conn.Begin());
  Status s = fn();
  if (!s) {
    (void)conn.Rollback();  // the caller's error is the one to report
    return s;
  }
  Status committed = conn.Commit();
  if (!committed) (void)conn.Rollback();  // SQLite keeps the transaction open after a failed COMMIT
  return committed;
}

}  // namespace rota::db

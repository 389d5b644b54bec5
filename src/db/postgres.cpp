// PostgresConnection: the Connection interface over libpq.
//
// SQL arrives with `?` placeholders. The first time a connection sees a SQL
// text it rewrites the placeholders to $1..$n and, with prepared_statements
// (the default), PQprepare()s it under a name of its own (s1, s2, ...) without
// parameter types, so the server infers them from the columns (a 'YYYY-MM-DD'
// text becomes a DATE, 0/1 a BOOLEAN). Without prepared_statements (behind
// PgBouncer in transaction pooling mode) the rewritten text is kept and sent
// each time as an unnamed statement with PQexecParams: the same types are
// inferred, the values are still bound, and nothing outlives the statement on
// the server connection. Values travel as text and results come back as text;
// Row parses them on demand.
//
// Each session runs with TimeZone UTC and DateStyle ISO, so TIMESTAMPTZ values
// read as `YYYY-MM-DD HH:MM:SS+00` (Row::Timestamp normalises them) and DATEs as
// `YYYY-MM-DD`.
//
// Failure: once the server goes away every call answers `unavailable` and
// Healthy() turns false, so the pool drops the connection. A failover (the
// primary dies, a replica is promoted; the URL lists both hosts with
// target_session_attrs=read-write) would otherwise cost one failed request per
// idle pooled connection, so a statement that failed because the connection is
// gone is retried once on a fresh connection (PQreset: libpq picks the
// writable host again) when that is safe: a BEGIN, or a SELECT outside a
// transaction, which change nothing. Never an INSERT/UPDATE/DELETE or a
// COMMIT, which may have been applied before the connection broke: those
// answer `unavailable` and the client decides.
#include <libpq-fe.h>

#include <charconv>
#include <cstring>
#include <string>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "db/drivers.hpp"

namespace rota::db::internal {
namespace {

// Owns a PGresult.
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// `?` -> `$1`, `$2`, ... (SQL text never contains a literal '?').
std::string RewritePlaceholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  for (char c : sql) {
    if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  *count = n;
  return out;
}

std::string Trimmed(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void IgnoreNotice(void*, const char*) {}

// Session settings; not counted as statements. PgBouncer tracks these three
// (client_encoding, DateStyle, TimeZone) per client and sets them on whichever
// server connection a transaction gets, so they hold in transaction pooling too.
constexpr const char* kSessionSetupSql =
    "SET TIME ZONE 'UTC'; SET client_encoding TO 'UTF8'; SET DateStyle TO 'ISO, YMD'";

class PgRow final : public Row {
 public:
  PgRow(const PGresult* r, int row) : r_(r), row_(row) {}
  int columns() const override { return PQnfields(r_); }
  bool IsNull(int i) const override { return PQgetisnull(r_, row_, i) != 0; }
  int64_t Int(int i) const override {
    std::string_view t = Text(i);
    int64_t v = 0;
    std::from_chars(t.data(), t.data() + t.size(), v);
    return v;
  }
  double Real(int i) const override {
    std::string_view t = Text(i);
    double v = 0.0;
    std::from_chars(t.data(), t.data() + t.size(), v);
    return v;
  }
  std::string_view Text(int i) const override {
    if (IsNull(i)) return {};
    return {PQgetvalue(r_, row_, i), static_cast<size_t>(PQgetlength(r_, row_, i))};
  }
  bool Bool(int i) const override {
    std::string_view t = Text(i);
    return t == "t" || t == "true" || t == "1";
  }

 private:
  const PGresult* r_;
  int row_;
};

class PostgresConnection final : public Connection {
 public:
  // Takes ownership of `conn`, which is connected and configured.
  PostgresConnection(PGconn* conn, ConnectOptions options) : conn_(conn), options_(options) {}
  ~PostgresConnection() override { PQfinish(conn_); }
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  Dialect dialect() const override { return Dialect::kPostgres; }

  Status Query(std::string_view sql, const Params& params, const RowFn& fn) override {
    StatementTimer timer(Dialect::kPostgres, StatementKind::kQuery);
    bool may_retry = IsRead(sql) && PQtransactionStatus(conn_) == PQTRANS_IDLE;
    auto r = Execute(sql, params);
    if (!r && may_retry && Reconnected()) r = Execute(sql, params);
    if (!r) return r.status();
    const PGresult* res = r->get();
    for (int i = 0, n = PQntuples(res); i < n; ++i) fn(PgRow(res, i));
    return Status::Ok();
  }

  Result<int64_t> Exec(std::string_view sql, const Params& params) override {
    StatementTimer timer(Dialect::kPostgres, StatementKind::kExec);
    auto r = Execute(sql, params);
    if (!r) return r.status();
    return Affected(r->get());
  }

  Status ExecScript(std::string_view sql) override { return Simple(std::string(sql)); }

  Status Begin() override {
    StatementTimer timer(Dialect::kPostgres, StatementKind::kTransaction);
    bool may_retry = PQtransactionStatus(conn_) == PQTRANS_IDLE;
    Status s = Simple("BEGIN");
    if (!s && may_retry && Reconnected()) s = Simple("BEGIN");
    return s;
  }
  Status Commit() override {
    StatementTimer timer(Dialect::kPostgres, StatementKind::kTransaction);
    return Simple("COMMIT");
  }
  Status Rollback() override {
    StatementTimer timer(Dialect::kPostgres, StatementKind::kTransaction);
    return Simple("ROLLBACK");
  }

  // False once the server has gone away, or while a transaction is left open
  // (a caller bug: the connection is not fit to be handed out again).
  bool Healthy() override { return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE; }

 private:
  struct Prepared {
    std::string name;  // empty: sent as an unnamed statement (text below)
    std::string text;  // the SQL with $n placeholders (unnamed statements only)
    int params;
  };

  // A statement that reads only; safe to send again after a broken connection.
  static bool IsRead(std::string_view sql) {
    size_t i = sql.find_first_not_of(" \t\r\n");
    return i != std::string_view::npos && sql.size() - i >= 6 &&
           (sql.substr(i, 6) == "SELECT" || sql.substr(i, 6) == "select");
  }

  // After a failure: true if the connection was broken and is now open again
  // (PQreset, with the session set up anew and no prepared statements).
  bool Reconnected() {
    if (PQstatus(conn_) == CONNECTION_OK) return false;  // the statement failed, not the connection
    PQreset(conn_);
    prepared_.clear();
    if (PQstatus(conn_) != CONNECTION_OK) return false;
    PgResult r(PQexec(conn_, kSessionSetupSql));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return false;
    spdlog::info("postgres: a broken connection was opened again; retrying a statement that changes nothing");
    return true;
  }

  // Runs `sql` through its prepared statement with `params` as text.
  Result<PgResult> Execute(std::string_view sql, const Params& params) {
    auto prepared = Prepare(sql);
    if (!prepared) return prepared.status();
    if (prepared.value()->params != static_cast<int>(params.size())) {
      return Error::Internal("postgres: statement takes " + std::to_string(prepared.value()->params) +
                             " parameters, got " + std::to_string(params.size()) + ": " + std::string(sql));
    }
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) values[i] = ToText(params[i], &text[i]);
    const Prepared& p = *prepared.value();
    PgResult r(p.name.empty() ? PQexecParams(conn_, p.text.c_str(), static_cast<int>(values.size()), nullptr,
                                             values.data(), nullptr, nullptr, 0)
                              : PQexecPrepared(conn_, p.name.c_str(), static_cast<int>(values.size()), values.data(),
                                               nullptr, nullptr, 0));
    if (!Succeeded(r.get())) return ErrorFor(r.get());
    return r;
  }

  // The prepared statement for `sql`, preparing it on first use.
  Result<const Prepared*> Prepare(std::string_view sql) {
    if (auto it = prepared_.find(sql); it != prepared_.end()) return &it->second;
    int count = 0;
    std::string text = RewritePlaceholders(sql, &count);
    if (!options_.prepared_statements) {
      auto it = prepared_.emplace(std::string(sql), Prepared{"", std::move(text), count}).first;
      return &it->second;
    }
    std::string name = "s" + std::to_string(prepared_.size() + 1);
    PgResult r(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
    if (!Succeeded(r.get())) return ErrorFor(r.get());
    auto it = prepared_.emplace(std::string(sql), Prepared{std::move(name), "", count}).first;
    return &it->second;
  }

  // Text for one parameter, or nullptr for NULL; `storage` holds the bytes.
  static const char* ToText(const Value& v, std::string* storage) {
    struct Printer {
      std::string* out;
      const char* operator()(std::nullptr_t) const { return nullptr; }
      const char* operator()(int64_t x) const {
        *out = std::to_string(x);
        return out->c_str();
      }
      const char* operator()(double x) const {
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
        out->assign(buf, end);
        return out->c_str();
      }
      const char* operator()(const std::string& x) const { return x.c_str(); }
      const char* operator()(std::string_view x) const {
        out->assign(x);
        return out->c_str();
      }
    };
    return std::visit(Printer{storage}, v);
  }

  Status Simple(const std::string& sql) {
    PgResult r(PQexec(conn_, sql.c_str()));
    if (!Succeeded(r.get())) return ErrorFor(r.get());
    return Status::Ok();
  }

  static bool Succeeded(const PGresult* r) {
    if (!r) return false;
    ExecStatusType s = PQresultStatus(r);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY;
  }

  static int64_t Affected(const PGresult* r) {
    const char* n = PQcmdTuples(const_cast<PGresult*>(r));
    int64_t v = 0;
    if (n && *n) std::from_chars(n, n + std::strlen(n), v);
    return v;
  }

  static Error Refused(Error e, std::string_view sqlstate, const std::string& detail) {
    spdlog::info("postgres refused a statement (SQLSTATE {}): {}", sqlstate, detail);
    return e;
  }

  // Maps a failed result (or none at all) to an Error by its SQLSTATE.
  Error ErrorFor(const PGresult* r) const {
    if (!r || PQstatus(conn_) != CONNECTION_OK) return Error::Unavailable("database unavailable");
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    std::string msg = Trimmed(PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
    if (msg.empty()) msg = Trimmed(PQerrorMessage(conn_));
    std::string_view code = state ? state : "";
    // Refusals a caller may see carry a plain message; the driver's (which
    // names constraints and values) goes to the log only.
    if (code == "23505") return Refused(Error::Conflict("the change conflicts with existing data"), code, msg);
    if (code == "23503" || code == "23514" || code == "23502" || code.starts_with("22"))
      return Refused(Error::Invalid("a value was refused by the database"), code, msg);
    if (code.starts_with("08")) return Error::Unavailable("database unavailable");
    return Error::Internal("postgres: " + msg);  // http/ answers a plain 500 and logs this
  }

  PGconn* conn_;
  const ConnectOptions options_;
  std::unordered_map<std::string, Prepared, SqlHash, SqlEq> prepared_;  // keyed by the caller's SQL text
};

std::string WithConnectTimeout(const std::string& url) {
  if (url.find("connect_timeout=") != std::string::npos) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=5";
}

}  // namespace

Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& url, const ConnectOptions& options) {
  PGconn* conn = PQconnectdb(WithConnectTimeout(url).c_str());
  if (!conn) return Error::Unavailable("database unavailable: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return Error::Unavailable("database unavailable: " + msg);
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  PgResult r(PQexec(conn, kSessionSetupSql));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    std::string msg = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return Error::Unavailable("database unavailable: " + msg);
  }
  return std::unique_ptr<Connection>(std::make_unique<PostgresConnection>(conn, options));
}

}  // namespace rota::db::internal

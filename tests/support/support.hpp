// Test support: temporary directories, free ports, and the databases a test may
// use. Integration and storage tests run once per database kind: a fresh SQLite
// file in a temporary directory, and a fresh database on the PostgreSQL server
// that the test command started (its URL in ROTA_TEST_PG_URL). When that
// variable is missing the PostgreSQL cases fail loudly: a suite that silently
// skipped its PostgreSQL half would prove nothing.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace rota::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

// "<pid>_<random>": unique to this process among all runs, for names that
// outlive it on the suite's shared servers (PostgreSQL databases, Redis key
// prefixes). A process id alone comes round again: the suite runs twice
// (ASan, then TSan) against the same servers.
const std::string& RunTag();

// The kinds of database a behaviour suite runs on.
enum class DbKind { kSqlite, kPostgres };
std::string DbKindName(DbKind k);
inline void PrintTo(DbKind k, std::ostream* os) { *os << DbKindName(k); }
std::vector<DbKind> AllDbKinds();

// A fresh, empty database of `kind`: a new SQLite file under `dir`, or a newly
// created PostgreSQL database (dropped by nobody: the server is thrown away
// after the run). Fails the current test if PostgreSQL is not configured.
std::string FreshDatabaseUrl(DbKind kind, const TempDir& dir);

// The Redis the test command started (ROTA_TEST_REDIS_URL); fails the current
// test if it is not configured.
std::string TestRedisUrl();

// Runs `redis-cli -u <url> <args>` and returns its output (trailing newlines
// removed); empty if it cannot run. `args` is passed through a shell.
std::string RedisCli(const std::string& url, const std::string& args);

// How a private redis-server runs: TLS only (on port()), more directives for its
// command line (requirepass, user ..., tls-* files), and what redis-cli then needs
// (--user/--pass, --tls --cacert ...). Arguments pass through a shell: quote them.
struct RedisOptions {
  bool tls = false;
  std::string server_args;
  std::string cli_args;
};

// A private redis-server of the test's own, on a fixed free port in a TempDir,
// that the test may stop and start again (outage tests).
class RedisProcess {
 public:
  explicit RedisProcess(RedisOptions options = {});
  ~RedisProcess();
  bool Start();  // blocks until it answers PING; false if it does not start
  void Stop();   // SIGKILL, like a crash; waits until the port is closed
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }
  int port() const { return port_; }
  // Runs redis-cli (with the options' cli_args) against it and returns its output
  // (trailing newline removed).
  std::string Cli(const std::string& args) const;
  const std::string& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  int port_;
  RedisOptions options_;
  bool running_ = false;
};

// A private PostgreSQL server of the test's own (initdb in a TempDir, a free
// port), which the test may stop and start again (outage tests). As root it
// runs as the `postgres` user, since initdb refuses root.
class PostgresProcess {
 public:
  PostgresProcess();
  ~PostgresProcess();
  bool Init();   // initdb; false if it fails
  bool Start();  // pg_ctl start -w; false if it does not start
  void Stop();   // pg_ctl stop -m fast: like a restart, every connection is closed
  std::string url() const { return "postgresql://rota@127.0.0.1:" + std::to_string(port_) + "/postgres"; }

 private:
  std::string Run(const std::string& command) const;  // as the right user
  TempDir dir_;
  int port_;
  bool running_ = false;
};

}  // namespace rota::testing

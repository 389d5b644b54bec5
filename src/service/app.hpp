// The service's object graph for one process: configuration, the connection
// pool and the use cases over it. Built once by the command line and shared by
// every handler thread (all members are thread-safe).
#pragma once

#include <memory>

#include "base/config.hpp"
#include "base/status.hpp"
#include "base/work_pool.hpp"
#include "cache/cache.hpp"
#include "db/database.hpp"
#include "service/auth.hpp"
#include "service/cache_admin.hpp"
#include "service/cached_reads.hpp"
#include "service/changes.hpp"
#include "service/login_throttle.hpp"
#include "service/owed_invalidations.hpp"
#include "service/reads.hpp"
#include "service/writes.hpp"

namespace rota::service {

// What /metrics shows of the engines under service/: http/ reads these figures
// and never reaches past service/ to the pool or the cache itself.
struct EngineFigures {
  std::string_view dialect;  // "sqlite" or "postgresql"
  int64_t pool_size = 0;
  int64_t pool_in_use = 0;
  cache::CacheStats cache;
};

// Statements this thread has sent to the database so far (X-Query-Count is the
// difference across one request; see db::StatementCounter).
uint64_t StatementsOnThisThread();

// `rota migrate`: brings the database of `config` to the schema of this build
// and returns the versions it applied (none when already up to date). A
// connection failure names ROTA_DATABASE_URL (without its password).
Result<std::vector<int>> MigrateDatabase(const Config& config);
// One connection (not a pool) to the database of `config`, for migrate and
// seed; a failure names ROTA_DATABASE_URL (without its password).
Result<std::unique_ptr<db::Connection>> ConnectDatabase(const Config& config);

// `rota check --deploy`: what is wrong with the database URL for production
// (db::DeployProblems), one message each.
std::vector<std::string> DatabaseUrlProblems(const std::string& url);

// PostgreSQL's connection budget against this server's pool (`check --deploy`).
struct ConnectionBudget {
  int64_t pool_size = 0;        // this server's [database] pool_size
  int64_t max_connections = 0;  // the server's setting
  int64_t reserved = 0;         // superuser_reserved_connections
  int64_t in_use = 0;           // client backends connected now
};
int LatestSchemaVersion();

class App {
 public:
  // Opens the pool (one connection at once, so a bad URL fails here). With
  // `require_schema`, refuses a database whose schema is older than this build.
  static Result<std::unique_ptr<App>> Open(const Config& config, bool require_schema);

  const Config& config() const { return config_; }
  EngineFigures Figures();
  // The engines themselves, for the tests that look under the service (seeding
  // rows, reading cache internals); production code goes through the services.
  db::Pool& pool() { return *pool_; }
  ReadService& reads() { return reads_; }
  CachedReads& cached() { return cached_; }
  cache::Cache& cache() { return *cache_; }
  CacheAdmin& cache_admin() { return cache_admin_; }
  // The outbox of a shared (redis://) cache; null with memory://.
  OwedInvalidations* owed() { return owed_.get(); }
  WriteService& writes() { return writes_; }
  AuthService& auth() { return auth_; }
  LoginThrottle& login_throttle() { return login_throttle_; }
  // Where logins verify passwords: `[auth] hash_threads` workers at a lower
  // priority (nice +10), `[auth] hash_queue` waiting at most (base/work_pool.hpp).
  // REQUIRES: shut down (login_pool().Shutdown()) before the HTTP server whose
  // replies its tasks hold is destroyed.
  WorkPool& login_pool() { return *login_pool_; }
  Date Today() const { return config_.Today(); }
  // "ok" when a connection answers a trivial statement.
  Status CheckDatabase();
  // nullopt on SQLite.
  Result<std::optional<ConnectionBudget>> DatabaseBudget();
  bool CacheHealthy();

 private:
  App(Config config, std::unique_ptr<db::Pool> pool, std::unique_ptr<cache::Cache> cache);

  Config config_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<cache::Cache> cache_;
  ReadService reads_;
  CachedReads cached_;                       // the writes' ChangeSink with memory://
  std::unique_ptr<OwedInvalidations> owed_;  // ... and with a shared cache, this in front of it
  WriteService writes_;
  AuthService auth_;
  LoginThrottle login_throttle_;
  CacheAdmin cache_admin_;
  std::unique_ptr<WorkPool> login_pool_;  // last: its tasks use the members above
};

}  // namespace rota::service

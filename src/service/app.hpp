// The service's object graph for one process: configuration, the connection
// pool and the use cases over it. Built once by the command line and shared by
// every handler thread (all members are thread-safe).
#pragma once

#include <memory>

#include "base/config.hpp"
#include "base/status.hpp"
#include "cache/cache.hpp"
#include "db/database.hpp"
#include "service/auth.hpp"
#include "service/cache_admin.hpp"
#include "service/cached_reads.hpp"
#include "service/changes.hpp"
#include "service/login_throttle.hpp"
#include "service/reads.hpp"
#include "service/writes.hpp"

namespace rota::service {

class App {
 public:
  // Opens the pool (one connection at once, so a bad URL fails here). With
  // `require_schema`, refuses a database whose schema is older than this build.
  static Result<std::unique_ptr<App>> Open(const Config& config, bool require_schema);

  const Config& config() const { return config_; }
  db::Pool& pool() { return *pool_; }
  ReadService& reads() { return reads_; }
  CachedReads& cached() { return cached_; }
  cache::Cache& cache() { return *cache_; }
  CacheAdmin& cache_admin() { return cache_admin_; }
  WriteService& writes() { return writes_; }
  AuthService& auth() { return auth_; }
  LoginThrottle& login_throttle() { return login_throttle_; }
  Date Today() const { return config_.Today(); }
  // "ok" when a connection answers a trivial statement.
  Status CheckDatabase();
  bool CacheHealthy();

 private:
  App(Config config, std::unique_ptr<db::Pool> pool, std::unique_ptr<cache::Cache> cache);

  Config config_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<cache::Cache> cache_;
  ReadService reads_;
  CachedReads cached_;  // also the writes' ChangeSink
  WriteService writes_;
  AuthService auth_;
  LoginThrottle login_throttle_;
  CacheAdmin cache_admin_;
};

}  // namespace rota::service

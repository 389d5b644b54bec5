#include "service/app.hpp"

#include <fmt/format.h>

#include "base/url.hpp"
#include "db/server_status.hpp"

namespace rota::service {
namespace {

// Password hashing runs this much nicer than the I/O threads (base/work_pool.hpp).
constexpr int kHashNice = 10;
// Background threads recomputing the answers a write retired (CachedReads::EnableRefresh).
constexpr int kRefreshThreads = 2;

// A failure to open the database, naming the setting and the URL without its password.
Error NamingDatabaseUrl(const Config& config, Error e) {
  e.message = fmt::format("ROTA_DATABASE_URL / [database] url {}: {}", RedactUrl(config.database_url), e.message);
  return e;
}

}  // namespace

App::App(Config config, std::unique_ptr<db::Pool> pool, std::unique_ptr<cache::Cache> cache)
    : config_(std::move(config)),
      pool_(std::move(pool)),
      cache_(std::move(cache)),
      reads_(*pool_),
      cached_(reads_, *cache_,
              CacheTimeouts{config_.alias_dashboard, config_.alias_default, config_.alias_template_fragments}),
      owed_(config_.cache_url != "memory://" ? std::make_unique<OwedInvalidations>(*pool_, cached_) : nullptr),
      writes_(*pool_, owed_ ? static_cast<ChangeSink&>(*owed_) : cached_),
      auth_(*pool_, static_cast<int>(config_.session_lifetime.count())),
      login_throttle_(ThrottleLimits{.per_username = config_.login_failures_per_username,
                                     .per_address = config_.login_failures_per_address,
                                     .successes_per_address = config_.login_successes_per_address,
                                     .window = config_.login_window},
                      {}, cache_.get()),
      cache_admin_(*cache_, cached_, *pool_, [this] { return Today(); }),
      login_pool_(
          std::make_unique<WorkPool>(config_.hash_threads, static_cast<size_t>(config_.hash_queue), kHashNice)) {
  if (config_.cache_refresh_after_write) cached_.EnableRefresh(kRefreshThreads);
  if (owed_) {
    // After an outage, the first server back replays what every server owes (owed_invalidations.hpp).
    cache_->SetOwedElsewhere([this]() -> std::optional<std::vector<std::string>> {
      auto owed = owed_->Owed();
      if (!owed) return std::nullopt;
      std::vector<std::string> counters;
      for (const ChangeSet& changes : *owed)
        for (auto& counter : CachedReads::CountersOf(changes)) counters.push_back(std::move(counter));
      return counters;
    });
    owed_->StartSweeping();
  }
}

Result<std::unique_ptr<App>> App::Open(const Config& config, bool require_schema) {
  auto pool = db::Pool::Open(config.database_url, config.EffectivePoolSize(), config.pool_wait,
                             db::ConnectOptions{.prepared_statements = config.prepared_statements});
  if (!pool) return NamingDatabaseUrl(config, std::move(pool).error());
  if (require_schema) {
    auto conn = (*pool)->Acquire();
    if (!conn) return std::move(conn).error();
    auto version = db::AppliedSchemaVersion(**conn);
    if (!version || !*version || **version < db::LatestSchemaVersion())
      return Error::Unavailable(fmt::format("the database at {} is not migrated to version {}: run `rota migrate`",
                                            RedactUrl(config.database_url), db::LatestSchemaVersion()));
  }
  cache::CacheOptions cache_options;
  cache_options.max_entries = config.cache_max_entries;
  cache_options.max_bytes = config.cache_max_bytes;
  cache_options.max_entries_per_home = config.cache_max_entries_per_home;
  cache_options.max_entries_per_prefix = config.cache_max_entries_per_prefix;
  cache_options.key_prefix = config.cache_key_prefix;
  cache_options.pool_size = config.cache_pool_size;
  cache_options.connect_timeout = cache_options.socket_timeout = config.cache_timeout;
  cache_options.retry_after = config.cache_retry_after;
  cache_options.near = config.cache_near;
  cache_options.near_max_entries = config.cache_near_max_entries;
  cache_options.near_ttl = config.cache_near_ttl;
  cache_options.near_ack_timeout = config.cache_near_ack_timeout;
  cache_options.tls_ca_file = config.cache_tls_ca_file;
  cache_options.tls_cert_file = config.cache_tls_cert_file;
  cache_options.tls_key_file = config.cache_tls_key_file;
  cache_options.sentinel_password = config.cache_sentinel_password;
  auto cache = cache::MakeCache(config.cache_url, cache_options);
  if (!cache) return std::move(cache).error();
  return std::unique_ptr<App>(new App(config, std::move(*pool), std::move(*cache)));
}

EngineFigures App::Figures() {
  return EngineFigures{.dialect = pool_->dialect() == db::Dialect::kSqlite ? "sqlite" : "postgresql",
                       .pool_size = int64_t{pool_->size()},
                       .pool_in_use = int64_t{pool_->in_use()},
                       .cache = cache_->Stats()};
}

uint64_t StatementsOnThisThread() { return db::StatementCounter::Now(); }

Result<std::unique_ptr<db::Connection>> ConnectDatabase(const Config& config) {
  auto conn = db::Connect(config.database_url, db::ConnectOptions{.prepared_statements = config.prepared_statements});
  if (!conn) return NamingDatabaseUrl(config, std::move(conn).error());
  return conn;
}

Result<std::vector<int>> MigrateDatabase(const Config& config) {
  auto conn = ConnectDatabase(config);
  if (!conn) return std::move(conn).error();
  return db::Migrate(**conn);
}

std::vector<std::string> DatabaseUrlProblems(const std::string& url) { return db::DeployProblems(url); }

Result<std::optional<ConnectionBudget>> App::DatabaseBudget() {
  if (pool_->dialect() != db::Dialect::kPostgres) return std::optional<ConnectionBudget>();
  auto conn = pool_->Acquire();
  if (!conn) return std::move(conn).error();
  db::ServerConnections server;
  ROTA_ASSIGN(server, db::LoadServerConnections(**conn));
  return std::optional<ConnectionBudget>(ConnectionBudget{.pool_size = pool_->size(),
                                                          .max_connections = server.max_connections,
                                                          .reserved = server.reserved,
                                                          .in_use = server.in_use});
}

int LatestSchemaVersion() { return db::LatestSchemaVersion(); }

Status App::CheckDatabase() {
  auto conn = pool_->Acquire();
  if (!conn) return std::move(conn).error();
  return db::Ping(**conn);
}

}  // namespace rota::service

namespace rota::service {

// Asks the backend (a generation read), so an unreachable Redis is noticed even
// before any request has used it.
bool App::CacheHealthy() {
  (void)cache_->Counter("gen:global");
  return cache_->health() == cache::Health::kHealthy;
}

}  // namespace rota::service

// Operating the cache: statistics, clearing and warming. One implementation
// serves `rota cache stats|clear`, `rota warm-cache`, GET /api/cache/stats,
// POST /cache/clear/ and POST /cache/warm/ (administrators only; callers check).
//
// Warming precomputes, for each home, the dashboards of 7 and 14 days from
// today and the current month's report, plus the global stats and the
// administrators' list of homes (GET /api/homes), through the same
// cached read path requests use (so keys and generations are the same), and
// whatever the warmers added by upper layers cache for a home (the pages' HTML
// fragments, web/). `warmed_keys` counts answers asked for: a page fragment is
// one, although the reads it is built from are stored with it.
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/mutex.hpp"
#include "base/status.hpp"
#include "cache/cache.hpp"
#include "db/database.hpp"
#include "domain/model.hpp"
#include "service/cached_reads.hpp"

namespace rota::service {

using WarmedHome = domain::IdName;

struct WarmReport {
  int64_t warmed_keys = 0;
  std::vector<WarmedHome> homes;
  std::string Json() const;  // {"warmed_keys": N, "homes": [ids]}
};

class CacheAdmin {
 public:
  CacheAdmin(cache::Cache& cache, CachedReads& reads, db::Pool& pool, std::function<Date()> today)
      : cache_(cache), reads_(reads), pool_(pool), today_(std::move(today)) {}

  // Something more to warm for each home, e.g. a page fragment (the layers above
  // service register theirs at start-up). Its answer counts as one warmed key.
  using Warmer = std::function<Result<CachedAnswer>(int64_t home, Date today)>;
  void AddWarmer(Warmer warmer);

  // The /api/cache/stats body (api.md), plus per-prefix hits and misses and the
  // last hour's history.
  std::string StatsJson();
  // Deletes cached answers matching `pattern` (all when absent); 422 field
  // `pattern` unless it is 1..128 characters of [A-Za-z0-9:_.*-]. Generation
  // counters are never deleted (cache.hpp), so clearing cannot resurrect stale data.
  Result<int64_t> Clear(std::optional<std::string_view> pattern);

  // Every home (or just `only`), ascending id: one statement.
  Result<std::vector<WarmedHome>> Homes(std::optional<int64_t> only = std::nullopt);
  // Warms one home (404 if unknown) or every home. `on_home` is told each home warmed.
  Result<WarmReport> Warm(std::optional<int64_t> home, const std::function<void(const WarmedHome&)>& on_home = {});

 private:
  cache::Cache& cache_;
  CachedReads& reads_;
  db::Pool& pool_;
  std::function<Date()> today_;
  std::vector<Warmer> Warmers() EXCLUDES(mu_);
  Mutex mu_;
  std::vector<Warmer> warmers_ GUARDED_BY(mu_);
};

// 1536 -> "1.50K", as Redis prints used_memory_human.
std::string HumanBytes(int64_t bytes);

}  // namespace rota::service

// Read-through caching of the cacheable reads, invalidated by generations.
//
// Every home has a generation counter (`gen:h<id>`) and the whole service one
// more (`gen:global`, for /api/stats). A cached answer's key embeds the
// generation read *before* the answer was computed. A committed write (this
// class is the WriteService's ChangeSink) increments the generation of every
// home it touched and the global one: O(1), whatever the number of cached keys.
//
// Why a slow reader cannot store stale rows: a reader reads generation g, then
// loads rows. If a writer commits and increments to g+1 in between, the reader
// stores its (possibly old) answer under g — a key no later reader builds, since
// they all read g+1 first. Old generations are left to expire or be evicted.
//
// Concurrent misses of one key are computed once (SingleFlight). Errors (an
// unknown home, a database failure) are never cached. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <vector>
#include <cstdint>
#include <functional>
#include <string>

#include "cache/cache.hpp"
#include "cache/keys.hpp"
#include "cache/single_flight.hpp"
#include "domain/range.hpp"
#include "service/cache_history.hpp"
#include "service/changes.hpp"
#include "service/reads.hpp"

namespace rota::service {

// How an answer was obtained (the X-Cache header):
//   kHit    — stored bytes, no database work;
//   kMiss   — computed from the database and stored;
//   kBypass — the caller asked not to use the cache; computed, not stored.
enum class CacheOutcome { kHit, kMiss, kBypass };
const char* OutcomeName(CacheOutcome o);

struct CachedAnswer {
  std::string body;
  CacheOutcome outcome;
  std::string etag;  // a strong validator of body: "\"<16 hex of XXH3>\""
};

struct PrefixCount {
  int64_t hits = 0;
  int64_t misses = 0;
};

struct CacheTimeouts {
  std::chrono::seconds dashboard{300};  // alias `dashboard`
  std::chrono::seconds other{300};      // alias `default`: lists, reports, compliance, stats
  std::chrono::seconds fragments{900};  // alias `template_fragments`: HTML the pages render
};

class CachedReads final : public ChangeSink {
 public:
  CachedReads(ReadService& reads, cache::Cache& cache, CacheTimeouts timeouts = {})
      : reads_(reads), cache_(cache), timeouts_(timeouts) {}

  Result<CachedAnswer> Dashboard(int64_t home, domain::DateRange range, bool bypass);
  Result<CachedAnswer> ShiftList(int64_t home, domain::DateRange range, bool bypass);
  Result<CachedAnswer> StaffList(int64_t home, bool bypass);
  Result<CachedAnswer> MonthlyReport(int64_t home, YearMonth month, bool bypass);
  Result<CachedAnswer> Compliance(int64_t home, domain::DateRange range, bool bypass);
  Result<CachedAnswer> Stats(Date today, bool bypass);

  // An HTML fragment of a page (web/) about `home` (0: about all homes), under
  // the same generation as the reads it shows, so it is invalidated with their
  // data. `args` must name everything the fragment depends on but the home's
  // data (e.g. the page and the date); `render` builds it, typically from the
  // cached reads above. Never put per-user content (names, CSRF tokens) in it.
  using Render = std::function<Result<std::string>()>;
  Result<CachedAnswer> Fragment(int64_t home, const std::string& args, bool bypass, const Render& render);

  // Increments the generations of the changed homes and the global one.
  void Committed(const ChangeSet& changes) override;

  // Hits and misses of each key prefix (cache/keys.hpp prefix::kAll order) since start.
  std::vector<std::pair<std::string_view, PrefixCount>> PrefixCounts() const;
  // The last hour of hits and misses, for the monitoring page's chart.
  const CacheHistory& history() const { return history_; }

 private:
  using Compute = std::function<Result<std::string>()>;
  Result<CachedAnswer> Through(std::string_view prefix, int64_t home, const std::string& args,
                               std::chrono::seconds ttl, bool bypass, const Compute& compute);

  ReadService& reads_;
  cache::Cache& cache_;
  CacheTimeouts timeouts_;
  cache::SingleFlight<Result<std::string>> flights_;
  struct Counts {
    std::atomic<int64_t> hits{0}, misses{0};
  };
  std::array<Counts, cache::prefix::kAll.size()> counts_;  // indexed like prefix::kAll
  CacheHistory history_;
};

}  // namespace rota::service

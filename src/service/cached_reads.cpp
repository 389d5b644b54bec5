#include "service/cached_reads.hpp"

#include <thread>

#include "cache/keys.hpp"

namespace rota::service {
namespace {

// How long another process may hold the fill lock of a key, and how often a
// waiter looks for the answer it is computing.
constexpr std::chrono::milliseconds kFillLock{2000};
constexpr std::chrono::milliseconds kFillPoll{10};

std::string GenerationKey(int64_t home) { return home ? "gen:h" + std::to_string(home) : "gen:global"; }

std::string RangeArgs(const domain::DateRange& r) { return r.from.ToString() + "/" + r.to.ToString(); }

std::string Etag(const std::string& body) { return "\"" + cache::HashHex(body) + "\""; }

size_t PrefixIndex(std::string_view prefix) {
  for (size_t i = 0; i < cache::prefix::kAll.size(); ++i)
    if (cache::prefix::kAll[i] == prefix) return i;
  return 0;
}

}  // namespace

const char* OutcomeName(CacheOutcome o) {
  switch (o) {
    case CacheOutcome::kHit: return "HIT";
    case CacheOutcome::kMiss: return "MISS";
    case CacheOutcome::kBypass: return "BYPASS";
  }
  return "BYPASS";
}

Result<CachedAnswer> CachedReads::Through(std::string_view prefix, int64_t home, const std::string& args,
                                          std::chrono::seconds ttl, bool bypass, const Compute& compute) {
  if (bypass) {
    auto body = compute();
    if (!body) return std::move(body).error();
    std::string etag = Etag(*body);
    return CachedAnswer{std::move(*body), CacheOutcome::kBypass, std::move(etag)};
  }
  Counts& counts = counts_[PrefixIndex(prefix)];
  // The generation is read before any row: see the header. No generation (the
  // backend is degraded): answer from the database without touching the cache.
  std::optional<int64_t> generation = cache_.Counter(GenerationKey(home));
  if (!generation) return Through(prefix, home, args, ttl, /*bypass=*/true, compute);
  std::string key = cache::Key(prefix, home, *generation, args);
  if (auto hit = cache_.Get(key)) {
    counts.hits.fetch_add(1, std::memory_order_relaxed);
    history_.Record(true);
    std::string etag = Etag(*hit);
    return CachedAnswer{std::move(*hit), CacheOutcome::kHit, std::move(etag)};
  }
  counts.misses.fetch_add(1, std::memory_order_relaxed);
  history_.Record(false);
  Result<std::string> body = flights_.Do(key, [&]() -> Result<std::string> {
    // A flight for this key may have finished between our Get and Do.
    if (auto filled = cache_.Get(key)) return std::move(*filled);
    // Across processes: one fills, the others wait briefly for its answer.
    bool locked = cache_.TryLock(key, kFillLock);
    if (!locked) {
      for (auto waited = std::chrono::milliseconds(0); waited < kFillLock; waited += kFillPoll) {
        std::this_thread::sleep_for(kFillPoll);
        if (auto filled = cache_.Get(key)) return std::move(*filled);
      }
    }
    auto computed = compute();
    if (computed) cache_.Set(key, *computed, ttl);
    if (locked) cache_.Unlock(key);
    return computed;
  });
  if (!body) return std::move(body).error();
  std::string etag = Etag(*body);
  return CachedAnswer{std::move(*body), CacheOutcome::kMiss, std::move(etag)};
}

std::vector<std::pair<std::string_view, PrefixCount>> CachedReads::PrefixCounts() const {
  std::vector<std::pair<std::string_view, PrefixCount>> out;
  for (size_t i = 0; i < counts_.size(); ++i)
    out.emplace_back(cache::prefix::kAll[i], PrefixCount{counts_[i].hits.load(), counts_[i].misses.load()});
  return out;
}

Result<CachedAnswer> CachedReads::Dashboard(int64_t home, domain::DateRange range, bool bypass) {
  return Through(cache::prefix::kDashboard, home, RangeArgs(range), timeouts_.dashboard, bypass,
                 [&] { return reads_.Dashboard(home, range); });
}

Result<CachedAnswer> CachedReads::ShiftList(int64_t home, domain::DateRange range, bool bypass) {
  return Through(cache::prefix::kShift, home, RangeArgs(range), timeouts_.other, bypass,
                 [&] { return reads_.ShiftList(home, range); });
}

Result<CachedAnswer> CachedReads::StaffList(int64_t home, bool bypass) {
  return Through(cache::prefix::kStaff, home, "", timeouts_.other, bypass, [&] { return reads_.StaffList(home); });
}

Result<CachedAnswer> CachedReads::MonthlyReport(int64_t home, YearMonth month, bool bypass) {
  return Through(cache::prefix::kReport, home, month.ToString(), timeouts_.other, bypass,
                 [&] { return reads_.MonthlyReport(home, month); });
}

Result<CachedAnswer> CachedReads::Compliance(int64_t home, domain::DateRange range, bool bypass) {
  return Through(cache::prefix::kCompliance, home, RangeArgs(range), timeouts_.other, bypass,
                 [&] { return reads_.Compliance(home, range); });
}

Result<CachedAnswer> CachedReads::Stats(Date today, bool bypass) {
  return Through(cache::prefix::kStats, 0, today.ToString(), timeouts_.other, bypass,
                 [&] { return reads_.Stats(today); });
}

Result<CachedAnswer> CachedReads::Fragment(int64_t home, const std::string& args, bool bypass,
                                           const Render& render) {
  return Through(cache::prefix::kPage, home, args, timeouts_.fragments, bypass, render);
}

void CachedReads::Committed(const ChangeSet& changes) {
  for (int64_t home : changes.homes) cache_.Incr(GenerationKey(home));
  if (!changes.empty()) cache_.Incr(GenerationKey(0));
}

}  // namespace rota::service

#include "cache/cache.hpp"

#include <algorithm>

#include "cache/memory_cache.hpp"
#include "cache/near_cache.hpp"
#include "cache/redis_cache.hpp"
#include "cache/stamp.hpp"

namespace rota::cache {

int64_t EntriesPerHome(const CacheOptions& options) {
  return options.max_entries_per_home > 0 ? options.max_entries_per_home
                                          : std::max<int64_t>(1, options.max_entries / 8);
}

int64_t EntriesPerPrefix(const CacheOptions& options) {
  return options.max_entries_per_prefix > 0 ? options.max_entries_per_prefix
                                            : std::max<int64_t>(1, EntriesPerHome(options) / 2);
}

std::vector<int64_t> Cache::Prepared::GenerationsAfter(std::span<const std::string> keys) const {
  std::vector<int64_t> after = generations;
  for (size_t i = 0; i < counters.size() && i < after.size(); ++i)
    after[i] += std::count(keys.begin(), keys.end(), counters[i]);
  return after;
}

// Not atomic: a write that increments between the check and the store leaves
// a value whose stamp readers refuse, which costs a miss, never a stale answer.
std::vector<std::optional<int64_t>> Cache::IncrMany(std::span<const std::string> keys, std::span<Prepared> prepared,
                                                    const AfterIncr& then) {
  std::vector<std::optional<int64_t>> out;
  out.reserve(keys.size());
  for (const auto& k : keys) out.push_back(Incr(k));
  const bool delivered = std::all_of(out.begin(), out.end(), [](const auto& v) { return v.has_value(); });
  for (Prepared& p : prepared) {
    if (!delivered || p.counters.size() != p.generations.size() || p.counters.size() > kMaxStampedGenerations) continue;
    const std::vector<int64_t> after = p.GenerationsAfter(keys);
    bool current = true;
    for (size_t i = 0; i < p.counters.size() && current; ++i) current = Counter(p.counters[i]) == after[i];
    if (!current) continue;
    SetCurrent(p.key, p.value, after, p.ttl);
    p.stored = true;
  }
  if (then) then(out);
  return out;
}

// Every backend stores a stamped value as plain bytes under the key.
void Cache::SetCurrent(std::string_view key, std::string value, std::span<const int64_t> generations,
                       std::chrono::seconds ttl) {
  Set(key, Stamp(std::move(value), generations), ttl);
}

Result<std::unique_ptr<Cache>> MakeCache(const std::string& url, const CacheOptions& options) {
  if (url == "memory://") return NewMemoryCache(options);
  // Both parse the URL (MakeRedisTarget): a malformed one is an `invalid` error naming cache_url.
  return options.near ? NewNearCache(url, options) : NewRedisCache(url, options);
}

}  // namespace rota::cache

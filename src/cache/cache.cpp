#include "cache/cache.hpp"

#include <algorithm>

#include "cache/memory_cache.hpp"
#include "cache/near_cache.hpp"
#include "cache/redis_cache.hpp"
#include "cache/stamp.hpp"

namespace rota::cache {

int64_t EntriesPerHome(const CacheOptions& options) {
  return options.max_entries_per_home > 0 ? options.max_entries_per_home : std::max<int64_t>(1, options.max_entries / 8);
}

// The plain composition: each counter, then the value. Backends that can do it
// in one step (and count a stale value as the miss it is) override it.
std::optional<Cache::Current> Cache::GetCurrent(std::span<const std::string> counters, std::string_view key) {
  Current out;
  out.generations.reserve(counters.size());
  for (const auto& c : counters) {
    auto g = Counter(c);
    if (!g) return std::nullopt;
    out.generations.push_back(*g);
  }
  if (auto stored = Get(key)) out.value = Unstamp(std::move(*stored), out.generations);
  return out;
}

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

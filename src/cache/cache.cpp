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

std::vector<std::optional<int64_t>> Cache::IncrMany(std::span<const std::string> keys, const AfterIncr& then) {
  std::vector<std::optional<int64_t>> out;
  out.reserve(keys.size());
  for (const auto& k : keys) out.push_back(Incr(k));
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

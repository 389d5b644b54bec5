#include "cache/cache.hpp"

#include "cache/memory_cache.hpp"
#include "cache/near_cache.hpp"
#include "cache/redis_cache.hpp"

namespace rota::cache {

Result<std::unique_ptr<Cache>> MakeCache(const std::string& url, const CacheOptions& options) {
  if (url == "memory://") return NewMemoryCache(options);
  // Both parse the URL (MakeRedisTarget): a malformed one is an `invalid` error naming cache_url.
  return options.near ? NewNearCache(url, options) : NewRedisCache(url, options);
}

}  // namespace rota::cache

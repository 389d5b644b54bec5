#include "cache/cache.hpp"

#include "cache/memory_cache.hpp"
#include "cache/near_cache.hpp"
#include "cache/redis_cache.hpp"

namespace rota::cache {

Result<std::unique_ptr<Cache>> MakeCache(const std::string& url, const CacheOptions& options) {
  if (url == "memory://") return NewMemoryCache(options);
  if (url.starts_with("redis://")) return options.near ? NewNearCache(url, options) : NewRedisCache(url, options);
  return Error::Invalid("cache URL must be memory:// or redis://host:port/db, not '" + url + "'",
                        "cache_url");
}

}  // namespace rota::cache

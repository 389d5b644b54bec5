#include "cache/cache.hpp"

#include "base/url.hpp"

#include "cache/memory_cache.hpp"
#include "cache/near_cache.hpp"
#include "cache/redis_cache.hpp"

namespace rota::cache {

Result<std::unique_ptr<Cache>> MakeCache(const std::string& url, const CacheOptions& options) {
  if (url == "memory://") return NewMemoryCache(options);
  auto parsed = ParseCacheUrl(url);
  if (!parsed) return Error::Invalid(parsed.error().message, "cache_url");
  return options.near ? NewNearCache(url, options) : NewRedisCache(url, options);
}

}  // namespace rota::cache

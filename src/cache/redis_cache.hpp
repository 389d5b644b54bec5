// The redis:// backend (see redis_cache.cpp). Internal: use MakeCache.
#pragma once

#include <memory>
#include <string>

#include "base/status.hpp"
#include "cache/cache.hpp"

namespace rota::cache {

// `redis://host:port/db` (port default 6379, db default 0). Does not connect:
// an unreachable Redis makes a degraded cache, not a start-up failure.
Result<std::unique_ptr<Cache>> NewRedisCache(const std::string& url, const CacheOptions& options);

}  // namespace rota::cache

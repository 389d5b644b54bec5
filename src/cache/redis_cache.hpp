// The redis:// and rediss:// backend (see redis_cache.cpp). Internal: use MakeCache.
#pragma once

#include <memory>
#include <string>

#include "base/status.hpp"
#include "base/url.hpp"
#include "cache/cache.hpp"
#include "cache/redis_conn.hpp"

namespace rota::cache {

// Where a Redis backend connects and how: the parsed URL, its one data node and
// the options of every new connection (AUTH, db, timeouts, TLS context).
struct RedisTarget {
  CacheUrl url;
  HostPort node;
  ConnectOptions connect;
};

// The target of a redis:// or rediss:// URL: an `invalid` error naming the
// setting for a malformed URL or an unusable TLS file. Does not connect.
Result<RedisTarget> MakeRedisTarget(const std::string& url, const CacheOptions& options);

// `redis://[[user]:password@]host[:port][/db]` or rediss://. Does not connect:
// an unreachable Redis makes a degraded cache, not a start-up failure.
Result<std::unique_ptr<Cache>> NewRedisCache(const std::string& url, const CacheOptions& options);

}  // namespace rota::cache

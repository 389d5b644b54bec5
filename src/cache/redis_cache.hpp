// The redis:// and rediss:// backend (see redis_cache.cpp). Internal: use MakeCache.
#pragma once

#include <memory>
#include <string>

#include "base/status.hpp"
#include "base/url.hpp"
#include "cache/cache.hpp"
#include "cache/redis_conn.hpp"

namespace rota::cache {

// Where a Redis backend connects and how: the parsed URL, its one data node (or
// its sentinels) and the options of every new connection (AUTH, db, timeouts, TLS).
struct RedisTarget {
  CacheUrl url;
  HostPort node;             // redis://, rediss://: the data node
  ConnectOptions connect;    // data nodes
  ConnectOptions sentinels;  // redis+sentinel://: the sentinels (their own password, no db)
  bool sentinel() const { return url.kind == CacheUrl::Kind::kSentinel; }
};

// A connection to the data node: for redis:// the URL's node; for redis+sentinel://
// the primary that a sentinel names (the sentinels are asked in turn at every new
// connection), and only if the node itself says ROLE master. `*ns` gets the key
// namespace of what this connection may read: "" for redis://, and for Sentinel
// the first 12 characters of the primary's replication id (INFO replication), which
// changes when a replica is promoted. nullptr and *error on failure; a Sentinel that
// knows no primary of that name is kRefused (a configuration error).
std::unique_ptr<Connection> OpenPrimary(const RedisTarget& target, const ConnectOptions& options, ConnectError* error,
                                        std::string* ns);

// The target of a redis:// or rediss:// URL: an `invalid` error naming the
// setting for a malformed URL or an unusable TLS file. Does not connect.
Result<RedisTarget> MakeRedisTarget(const std::string& url, const CacheOptions& options);

// `redis://[[user]:password@]host[:port][/db]` or rediss://. Does not connect:
// an unreachable Redis makes a degraded cache, not a start-up failure.
Result<std::unique_ptr<Cache>> NewRedisCache(const std::string& url, const CacheOptions& options);

}  // namespace rota::cache

// Shared by the Redis backends (redis_cache.cpp, near_cache.cpp): owning
// hiredis handles, redis:// URLs and opening one connection.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <string>

#include "base/status.hpp"

namespace rota::cache {

struct ReplyDeleter {
  void operator()(redisReply* r) const {
    if (r) freeReplyObject(r);
  }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* c) const {
    if (c) redisFree(c);
  }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

struct Endpoint {
  std::string host;
  int port = 6379;
  int db = 0;
};

// "redis://host[:port][/db]" (port 6379, db 0..15, 0 by default); else 422 field cache_url.
Result<Endpoint> ParseRedisUrl(const std::string& url);

timeval ToTimeval(std::chrono::milliseconds ms);

// A connection with TCP keep-alive, `socket_timeout` on every command (zero:
// none, for a subscriber that waits for messages), on the endpoint's db; or
// nullptr when Redis cannot be reached.
Context ConnectRedis(const Endpoint& endpoint, std::chrono::milliseconds connect_timeout,
                     std::chrono::milliseconds socket_timeout);

}  // namespace rota::cache

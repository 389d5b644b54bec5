#include "cache/redis_conn.hpp"

#include <charconv>
#include <string_view>

#include <fmt/format.h>

namespace rota::cache {

Result<Endpoint> ParseRedisUrl(const std::string& url) {
  auto bad = [&] {
    return Error::Invalid(fmt::format("cache URL '{}' must be redis://host:port/db", url), "cache_url");
  };
  constexpr std::string_view kScheme = "redis://";
  if (!url.starts_with(kScheme)) return bad();
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  Endpoint e;
  auto slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), e.db);
      if (ec != std::errc() || p != db.data() + db.size() || e.db < 0 || e.db > 15) return bad();
    }
  }
  auto colon = hostport.rfind(':');
  e.host = std::string(hostport.substr(0, colon));
  if (colon != std::string_view::npos) {
    std::string_view port = hostport.substr(colon + 1);
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), e.port);
    if (ec != std::errc() || p != port.data() + port.size() || e.port < 1 || e.port > 65535) return bad();
  }
  if (e.host.empty() || e.host.find_first_of("@/?# ") != std::string::npos) return bad();
  return e;
}

timeval ToTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

Context ConnectRedis(const Endpoint& endpoint, std::chrono::milliseconds connect_timeout,
                     std::chrono::milliseconds socket_timeout) {
  Context c(redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, ToTimeval(connect_timeout)));
  if (!c || c->err) return nullptr;
  if (socket_timeout.count() > 0 && redisSetTimeout(c.get(), ToTimeval(socket_timeout)) != REDIS_OK) return nullptr;
  redisEnableKeepAlive(c.get());
  if (endpoint.db != 0) {
    Reply r(static_cast<redisReply*>(redisCommand(c.get(), "SELECT %d", endpoint.db)));
    if (!r || r->type == REDIS_REPLY_ERROR) return nullptr;
  }
  return c;
}

}  // namespace rota::cache

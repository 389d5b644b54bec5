// Slows password guessing: failed logins are counted per username and per
// client address in a fixed window; once either count reaches its limit, every
// login for that username (or from that address) is refused with 429 until the
// window that started with the first failure is over — also with the right
// password, so that a guesser learns nothing from the answer.
//
// - Unknown usernames are counted exactly like known ones: the refusal says
//   nothing about whether a user exists.
// - A successful login clears the username's count (not the address's: one
//   valid account must not let an address go on guessing others).
// - Successful logins are counted per address too (`successes_per_address`
//   per window): each costs an Argon2 hash and a session row, so one address
//   logging in in a loop is refused like a guesser.
// - Bounded memory: at most `max_tracked` keys; when full, expired windows are
//   dropped first, then the oldest window.
// - Shared across servers: given a cache that keeps shared counts (redis://,
//   Cache::CountUp), the counts live there, so every server sharing the Redis
//   refuses once the servers together have seen `limit` failures. Each process
//   also counts in its own memory, and uses that when the cache cannot answer
//   (memory://, or Redis down): the limit is then per server.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.hpp"
#include "base/mutex.hpp"
#include "cache/cache.hpp"

namespace rota::service {

struct ThrottleLimits {
  int per_username = 5;              // failures per window before a username is refused
  int per_address = 20;              // failures per window before an address is refused
  int successes_per_address = 100;   // successful logins per window before an address is refused
  std::chrono::seconds window{900};  // 15 minutes
  size_t max_tracked = 100'000;
};

class LoginThrottle {
 public:
  // `shared`, when given, must outlive the throttle.
  explicit LoginThrottle(ThrottleLimits limits = {}, MonotonicClock clock = {}, cache::Cache* shared = nullptr);

  // nullopt: the attempt may go ahead; else how long to wait (>= 1 s).
  std::optional<std::chrono::seconds> Check(std::string_view username, std::string_view address);
  void Failed(std::string_view username, std::string_view address);
  void Succeeded(std::string_view username, std::string_view address = {});

 private:
  struct Window {
    std::chrono::steady_clock::time_point start;
    int failures = 0;
  };
  std::chrono::steady_clock::time_point Now() const;
  std::optional<std::chrono::seconds> Blocked(const std::string& key, int limit,
                                              std::chrono::steady_clock::time_point now) REQUIRES(mu_);
  void Count(std::string key, std::chrono::steady_clock::time_point now) REQUIRES(mu_);
  // The shared verdict for `key`: nullopt when the cache cannot say, else
  // whether it is blocked (and for how long).
  std::optional<std::optional<std::chrono::seconds>> SharedBlocked(const std::string& key, int limit);

  ThrottleLimits limits_;
  MonotonicClock clock_;
  cache::Cache* shared_;
  Mutex mu_;
  // "u:<name>", "a:<address>" (failures) or "s:<address>" (successes).
  std::unordered_map<std::string, Window> windows_ GUARDED_BY(mu_);
};

}  // namespace rota::service

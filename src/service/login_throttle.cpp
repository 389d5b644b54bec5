#include "service/login_throttle.hpp"

#include <algorithm>
#include <cctype>

#include "service/passwords.hpp"

namespace rota::service {
namespace {

std::string UserKey(std::string_view username) {
  std::string key = "u:";
  for (char c : username) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

std::string AddressKey(std::string_view address) { return "a:" + std::string(address); }
std::string SuccessKey(std::string_view address) { return "s:" + std::string(address); }

// The shared counter of a local key: "login:" + a hash (usernames may hold any
// character; the cache's keys may not).
std::string SharedKey(const std::string& key) { return "login:" + HashSecret(key).substr(0, 32); }

}  // namespace

LoginThrottle::LoginThrottle(ThrottleLimits limits, MonotonicClock clock, cache::Cache* shared)
    : limits_(limits), clock_(std::move(clock)), shared_(shared) {}

std::optional<std::optional<std::chrono::seconds>> LoginThrottle::SharedBlocked(const std::string& key, int limit) {
  if (!shared_) return std::nullopt;
  auto c = shared_->CountOf(SharedKey(key));
  if (!c) return std::nullopt;
  if (c->count < limit) return std::optional<std::chrono::seconds>();
  auto wait = std::chrono::ceil<std::chrono::seconds>(c->left);
  return std::optional<std::chrono::seconds>(std::max(wait, std::chrono::seconds(1)));
}

std::chrono::steady_clock::time_point LoginThrottle::Now() const { return MonotonicNow(clock_); }

std::optional<std::chrono::seconds> LoginThrottle::Blocked(const std::string& key, int limit,
                                                           std::chrono::steady_clock::time_point now) {
  auto it = windows_.find(key);
  if (it == windows_.end()) return std::nullopt;
  auto end = it->second.start + limits_.window;
  if (now >= end) {
    windows_.erase(it);
    return std::nullopt;
  }
  if (it->second.failures < limit) return std::nullopt;
  auto wait = std::chrono::ceil<std::chrono::seconds>(end - now);
  return std::max(wait, std::chrono::seconds(1));
}

std::optional<std::chrono::seconds> LoginThrottle::Check(std::string_view username, std::string_view address) {
  auto now = Now();
  std::string user_key = UserKey(username), address_key = AddressKey(address);
  // The cache first (outside our lock: it is a network round trip).
  auto shared_user = SharedBlocked(user_key, limits_.per_username);
  auto shared_address = address.empty() ? std::nullopt : SharedBlocked(address_key, limits_.per_address);
  MutexLock lock(mu_);
  auto by_user = shared_user ? *shared_user : Blocked(user_key, limits_.per_username, now);
  auto by_address = address.empty()  ? std::nullopt
                    : shared_address ? *shared_address
                                     : Blocked(address_key, limits_.per_address, now);
  auto by_successes = address.empty() ? std::nullopt : Blocked(SuccessKey(address), limits_.successes_per_address, now);
  std::optional<std::chrono::seconds> wait;
  for (const auto& w : {by_user, by_address, by_successes})
    if (w && (!wait || *w > *wait)) wait = w;
  return wait;
}

void LoginThrottle::Count(std::string key, std::chrono::steady_clock::time_point now) {
  auto it = windows_.find(key);
  if (it != windows_.end() && now >= it->second.start + limits_.window) {
    windows_.erase(it);
    it = windows_.end();
  }
  if (it == windows_.end()) {
    if (windows_.size() >= limits_.max_tracked) {
      std::erase_if(windows_, [&](const auto& kv) { return now >= kv.second.start + limits_.window; });
      if (windows_.size() >= limits_.max_tracked) {
        auto oldest = std::min_element(windows_.begin(), windows_.end(),
                                       [](const auto& a, const auto& b) { return a.second.start < b.second.start; });
        windows_.erase(oldest);
      }
    }
    it = windows_.emplace(std::move(key), Window{now, 0}).first;
  }
  ++it->second.failures;
}

void LoginThrottle::Failed(std::string_view username, std::string_view address) {
  auto now = Now();
  std::string user_key = UserKey(username), address_key = AddressKey(address);
  if (shared_) {
    auto window = std::chrono::duration_cast<std::chrono::milliseconds>(limits_.window);
    (void)shared_->CountUp(SharedKey(user_key), window);
    if (!address.empty()) (void)shared_->CountUp(SharedKey(address_key), window);
  }
  MutexLock lock(mu_);
  Count(user_key, now);
  if (!address.empty()) Count(address_key, now);
}

void LoginThrottle::Succeeded(std::string_view username, std::string_view address) {
  auto now = Now();
  std::string user_key = UserKey(username);
  if (shared_) shared_->ResetCount(SharedKey(user_key));
  MutexLock lock(mu_);
  windows_.erase(user_key);
  if (!address.empty()) Count(SuccessKey(address), now);
}

}  // namespace rota::service

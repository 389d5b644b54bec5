#include "service/login_throttle.hpp"

#include <algorithm>
#include <cctype>

namespace rota::service {
namespace {

std::string UserKey(std::string_view username) {
  std::string key = "u:";
  for (char c : username) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

std::string AddressKey(std::string_view address) { return "a:" + std::string(address); }
std::string SuccessKey(std::string_view address) { return "s:" + std::string(address); }

}  // namespace

LoginThrottle::LoginThrottle(ThrottleLimits limits, Clock clock) : limits_(limits), clock_(std::move(clock)) {}

std::chrono::steady_clock::time_point LoginThrottle::Now() const {
  return clock_ ? clock_() : std::chrono::steady_clock::now();
}

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
  std::lock_guard lock(mu_);
  auto by_user = Blocked(UserKey(username), limits_.per_username, now);
  auto by_address = address.empty() ? std::nullopt : Blocked(AddressKey(address), limits_.per_address, now);
  auto by_successes =
      address.empty() ? std::nullopt : Blocked(SuccessKey(address), limits_.successes_per_address, now);
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
  std::lock_guard lock(mu_);
  Count(UserKey(username), now);
  if (!address.empty()) Count(AddressKey(address), now);
}

void LoginThrottle::Succeeded(std::string_view username, std::string_view address) {
  auto now = Now();
  std::lock_guard lock(mu_);
  windows_.erase(UserKey(username));
  if (!address.empty()) Count(SuccessKey(address), now);
}

}  // namespace rota::service

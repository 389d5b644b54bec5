// Who is asking, and what they may see.
//
// A manager (is_admin false) sees exactly one home; an administrator sees every
// home, /api/stats and /cache/*. The HTTP layer builds a Principal from a bearer
// token or a session cookie (service/auth.hpp); the command line acts as
// Principal::System().
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.hpp"

namespace rota::service {

struct Principal {
  enum class Via { kToken, kSession, kSystem };  // how the request authenticated

  int64_t user_id = 0;  // 0 for the system
  std::string username;
  bool is_admin = false;
  std::optional<int64_t> home_id;  // a manager's home
  Via via = Via::kSystem;

  static Principal System() { return Principal{0, "system", true, std::nullopt, Via::kSystem}; }
  bool CanSeeHome(int64_t home) const { return is_admin || (home_id && *home_id == home); }
  // The user recorded as created_by/updated_by/author (none for the system).
  std::optional<int64_t> actor() const { return user_id ? std::optional<int64_t>(user_id) : std::nullopt; }
};

// 403 unless `p` may see `home`. Checked before the home's existence so a
// manager cannot probe which homes exist.
inline Status CheckHome(const Principal& p, int64_t home) {
  if (p.CanSeeHome(home)) return Status::Ok();
  return Error::Forbidden("you may not see home " + std::to_string(home));
}

inline Status CheckAdmin(const Principal& p) {
  if (p.is_admin) return Status::Ok();
  return Error::Forbidden("administrators only");
}

}  // namespace rota::service

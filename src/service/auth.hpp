// Authentication: users, API tokens and login sessions.
//
// - Users (app_user) have Argon2id password hashes (service/passwords.hpp).
// - API tokens are made by `rota create-token`; only their hash is stored
//   (api_token.token_hash). A request presents `Authorization: Bearer <token>`.
// - Sessions come from POST /api/login: a random session id in an HttpOnly
//   cookie (stored hashed in user_session) and a CSRF token that cookie-
//   authenticated writes must echo in X-CSRF-Token (checked by the HTTP layer
//   with SecretsEqual). Sessions expire after `session_hours`; Login deletes
//   expired ones, at most once a minute.
// - Tokens and sessions are separate credentials: each is looked up only in
//   its own table and its own part of the memory below.
// - Inactive users cannot log in and their tokens and sessions stop working.
// - A wrong username and a wrong password give the same answer, and take about
//   the same time (a dummy hash is verified for unknown users).
// - The hot path needs no database: a verified token or session is remembered
//   in this process for `kRememberFor` (30 s), keyed by the secret's hash, so a
//   cached dashboard is served with X-Query-Count 0. Logout forgets the session
//   here at once; another server may accept it until its memory of it lapses
//   (at most 30 s) — the same bound applies to a user deactivated in the
//   database. Session expiry is always honoured exactly.
// Thread-safe: each call leases its own connection; the memory has its own mutex.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.hpp"
#include "db/database.hpp"
#include "service/principal.hpp"

namespace rota::service {

struct SessionPrincipal {
  Principal principal;
  std::string csrf_token;
};

struct LoginResult {
  std::string session_id;  // cookie value; never stored in clear
  std::string csrf_token;
  std::string user_json;   // {"id","username","is_staff","home_id"}
};

class AuthService {
 public:
  AuthService(db::Pool& pool, int session_hours) : pool_(pool), session_hours_(session_hours) {}

  // 401 unless the token belongs to an active user.
  Result<Principal> AuthenticateToken(std::string_view token);
  // 401 unless the session exists, has not expired and its user is active.
  Result<SessionPrincipal> AuthenticateSession(std::string_view session_id);

  // 401 "invalid username or password" for any wrong pair.
  Result<LoginResult> Login(std::string_view username, std::string_view password);
  Status Logout(std::string_view session_id);

  // Command line. `home_id` for a manager, nullopt for an administrator.
  Result<int64_t> CreateUser(std::string_view username, std::string_view password, bool admin,
                             std::optional<int64_t> home_id);
  // Returns the new token (printed once; only its hash is kept).
  Result<std::string> CreateToken(std::string_view username);

 static constexpr std::chrono::seconds kRememberFor{30};

 private:
  struct Remembered {
    SessionPrincipal who;  // csrf_token empty for tokens
    std::chrono::steady_clock::time_point until;
  };
  // The memory keeps tokens and sessions apart: a token's hash is never
  // looked up as a session's, nor the reverse.
  static constexpr std::string_view kTokenKey = "t:";
  static constexpr std::string_view kSessionKey = "s:";
  std::optional<SessionPrincipal> Recall(std::string_view kind, const std::string& hash);
  void Remember(std::string_view kind, const std::string& hash, const SessionPrincipal& who,
                std::chrono::seconds for_at_most);

  db::Pool& pool_;
  int session_hours_;
  std::mutex mu_;
  std::unordered_map<std::string, Remembered> remembered_;  // GUARDED_BY(mu_); key: kind + secret hash
  std::atomic<int64_t> last_purge_{0};  // when Login last deleted expired sessions (time_t)
};

}  // namespace rota::service

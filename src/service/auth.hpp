// Authentication: users, API tokens and login sessions.
//
// - Users (app_user) have Argon2id password hashes (service/passwords.hpp).
// - API tokens are made by `rota create-token`; only their hash is stored
//   (api_token.token_hash). A request presents `Authorization: Bearer <token>`.
//   A token may expire (api_token.expires_at; NULL: never) and is refused from
//   then on; `rota revoke-token ID` deletes it. last_used_at is written when a
//   server looks the token up and the stored time is over a minute old, so a
//   busy token costs at most one UPDATE a minute per server.
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
// - One truth for credentials, on every server within 1 s (api.md): a verified
//   token or session is remembered in this process for `kRememberFor` (750 ms;
//   the rest of the second is for the request in flight), counted from before
//   the database was asked, and keyed by a per-process keyed hash of the
//   secret (MemoryKey: SipHash, 128 bits, a random key drawn at start) rather
//   than the stored BLAKE2b hash, which is computed only for the database
//   lookup: a remembered credential costs one short hash per request. So
//   a credential deleted (logout, revoke-token) or a user deactivated in the
//   database is refused by every server sharing it within 1 s of the commit,
//   whatever the cache backend and even with Redis down, and no message has to
//   reach anyone. The price: one lookup per credential per server per 0.75 s
//   (concurrent requests share it; a busy dashboard is still served with
//   X-Query-Count 0 in between). Logout forgets the session in this process at
//   once. Session and token expiry are honoured exactly.
// - While the database cannot be asked (503), a credential this process
//   verified within the last kRememberWhenDown (30 s) is still accepted, so
//   cached reads go on being served through a database outage (writes fail
//   anyway). A revocation committed just before such an outage is therefore
//   honoured within 1 s, or when the database answers again.
// Thread-safe: each call leases its own connection; the memory has its own mutex.
// REQUIRES: InitCrypto() (service/passwords.hpp) has run before the constructor (it draws a random key).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/mutex.hpp"
#include "base/status.hpp"
#include "cache/single_flight.hpp"
#include "db/credential_repository.hpp"
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
  std::string user_json;  // {"id","username","is_staff","home_id"}
};

class AuthService {
 public:
  AuthService(db::Pool& pool, int session_hours);

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
  // Returns the new token (printed once; only its hash is kept). With
  // `expires_days` (1..36500) it is refused from that many days on.
  Result<std::string> CreateToken(std::string_view username, std::optional<int> expires_days = std::nullopt);

  // One api_token row, never its secret. Timestamps 'YYYY-MM-DDTHH:MM:SSZ'.
  using TokenInfo = db::ApiToken;
  // Every token (of `username` only, when given; 404 for an unknown user), by id.
  Result<std::vector<TokenInfo>> ListTokens(std::optional<std::string_view> username);
  // Deletes token `id` (404 when there is none): refused everywhere within 1 s.
  Status RevokeToken(int64_t id);

  static constexpr std::chrono::milliseconds kRememberFor{750};
  static constexpr std::chrono::seconds kRememberWhenDown{30};

 private:
  struct Remembered {
    SessionPrincipal who;                              // csrf_token empty for tokens
    std::chrono::steady_clock::time_point until;       // answered from memory until then
    std::chrono::steady_clock::time_point until_down;  // and while the database is down until then
  };
  // The memory keeps tokens and sessions apart: a token is never looked up as
  // a session, nor the reverse. Memory keys are kind + MemoryKey's 16 bytes.
  static constexpr std::string_view kTokenKey = "t:";
  static constexpr std::string_view kSessionKey = "s:";
  // `kind` + SipHash-2-4 (128-bit output) of `secret` under memory_key_: unforgeable without the
  // key, which never leaves the process, and ~10x cheaper than HashSecret's BLAKE2b + hex.
  std::string MemoryKey(std::string_view kind, std::string_view secret) const;
  // `who` for `key` if remembered; with `database_down`, within kRememberWhenDown.
  std::optional<SessionPrincipal> Recall(const std::string& key, bool database_down = false);
  // The database lookups behind AuthenticateToken/Session, run once per key
  // in flight (lookups_) and remembered when they verify the credential.
  Result<SessionPrincipal> LookUpToken(const std::string& hash, const std::string& key);
  Result<SessionPrincipal> LookUpSession(const std::string& hash, const std::string& key);
  // The error of a failed lookup, or the remembered caller when it is only that the database is down.
  Result<SessionPrincipal> Fallback(const std::string& hash, Error e);
  // How long a credential expiring at `expires` may be remembered from `now` (Unix seconds).
  static std::chrono::steady_clock::duration Until(int64_t expires, int64_t now);
  // Remembers `who` until `asked` (when the database was asked) + kRememberFor,
  // or `asked` + `for_at_most` if that is sooner.
  void Remember(const std::string& hash, const SessionPrincipal& who, std::chrono::steady_clock::time_point asked,
                std::chrono::steady_clock::duration for_at_most = kRememberFor);

  db::Pool& pool_;
  int session_hours_;
  std::array<unsigned char, 16> memory_key_;  // random, drawn by the constructor
  Mutex mu_;
  std::unordered_map<std::string, Remembered> remembered_ GUARDED_BY(mu_);  // key: MemoryKey
  // Concurrent requests with one credential whose lease has lapsed share one
  // lookup: at most one query per credential per lease, however busy it is.
  cache::SingleFlight<Result<SessionPrincipal>> lookups_;
  std::atomic<int64_t> last_purge_{0};  // when Login last deleted expired sessions (time_t)
};

}  // namespace rota::service

// Users, login sessions and API tokens as service/auth.hpp looks them up and
// changes them. Secrets are never stored: sessions and tokens are found by the
// hash of their secret. Timestamps are 'YYYY-MM-DDTHH:MM:SSZ' text.
//
// Statement budget: one statement per function.
//
// REQUIRES: `c` is the caller's connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.hpp"
#include "db/database.hpp"

namespace rota::db {

// An app_user as the service authorises it.
struct UserAccount {
  int64_t id = 0;
  std::string username;
  bool is_admin = false;           // app_user.is_staff
  std::optional<int64_t> home_id;  // a manager's home
};

// ---- tokens ---------------------------------------------------------------------

// The active user of an unexpired token (expires_at after `now`), with the
// token's id and its expires_at and last_used_at as stored.
struct TokenOwner {
  UserAccount user;
  int64_t token_id = 0;
  std::optional<std::string> expires_at, last_used_at;
};
Result<std::optional<TokenOwner>> FindTokenOwner(Connection& c, std::string_view token_hash, std::string_view now);
// Records that token `token_id` was used at `now`.
Status TouchToken(Connection& c, int64_t token_id, std::string_view now);
Status InsertToken(Connection& c, int64_t user_id, std::string_view token_hash, std::string_view now,
                   std::optional<std::string> expires_at);

// One api_token row, never its secret.
struct ApiToken {
  int64_t id = 0;
  std::string username;
  std::string created;
  std::optional<std::string> last_used;  // never used: nullopt
  std::optional<std::string> expires;    // never expires: nullopt
};
// Every token (of user `user_id` only, when given), by id.
Result<std::vector<ApiToken>> ListTokens(Connection& c, std::optional<int64_t> user_id);
// Deletes token `id`; returns how many rows went (0 or 1).
Result<int64_t> DeleteToken(Connection& c, int64_t id);

// ---- sessions -----------------------------------------------------------------------

// The active user of an unexpired session (expires_at after `now`), its CSRF
// token and its expires_at as stored.
struct SessionOwner {
  UserAccount user;
  std::string csrf_token;
  std::string expires_at;
};
Result<std::optional<SessionOwner>> FindSessionOwner(Connection& c, std::string_view session_hash,
                                                     std::string_view now);
Status InsertSession(Connection& c, int64_t user_id, std::string_view session_hash, std::string_view csrf_token,
                     std::string_view created_at, std::string_view expires_at);
Status DeleteSession(Connection& c, std::string_view session_hash);
// Deletes the sessions expired at `now`.
Status DeleteExpiredSessions(Connection& c, std::string_view now);

// ---- users ---------------------------------------------------------------------------

// A user by name, with what a login checks: the stored password hash and whether
// the account is active.
struct LoginAccount {
  UserAccount user;
  std::string password_hash;
  bool active = false;
};
Result<std::optional<LoginAccount>> FindLoginAccount(Connection& c, std::string_view username);
// The id of user `username`; nullopt when there is none.
Result<std::optional<int64_t>> UserId(Connection& c, std::string_view username);
// Inserts an active user; returns its id (a conflict when the name is taken).
Result<int64_t> InsertUser(Connection& c, std::string_view username, std::string_view password_hash, bool admin,
                           std::optional<int64_t> home_id);

}  // namespace rota::db

#include "service/auth.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>
#include <sodium.h>

#include "base/date.hpp"
#include "db/credential_repository.hpp"
#include "db/home_repository.hpp"
#include "service/json_writer.hpp"
#include "service/passwords.hpp"

namespace rota::service {
namespace {

constexpr std::string_view kBadLogin = "invalid username or password";

Principal FromAccount(db::UserAccount u, Principal::Via via) {
  return Principal{u.id, std::move(u.username), u.is_admin, u.home_id, via};
}

std::string UserJson(const Principal& p) {
  JsonWriter w;
  w.BeginObject();
  w.Field("id", p.user_id);
  w.Field("username", p.username);
  w.Field("is_staff", p.is_admin);
  w.Field("home_id", p.home_id);
  w.EndObject();
  return std::move(w).Take();
}

// A hash verified for unknown usernames so both wrong answers cost the same.
const std::string& DummyHash() {
  static const std::string h = HashPassword("not a password of anyone");
  return h;
}

}  // namespace

AuthService::AuthService(db::Pool& pool, int session_hours) : pool_(pool), session_hours_(session_hours) {
  static_assert(sizeof memory_key_ == crypto_shorthash_siphashx24_KEYBYTES);
  randombytes_buf(memory_key_.data(), memory_key_.size());
}

std::string AuthService::MemoryKey(std::string_view kind, std::string_view secret) const {
  std::string key(kind);
  unsigned char digest[crypto_shorthash_siphashx24_BYTES];
  crypto_shorthash_siphashx24(digest, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                              memory_key_.data());
  key.append(reinterpret_cast<const char*>(digest), sizeof digest);
  return key;
}

std::optional<SessionPrincipal> AuthService::Recall(const std::string& key, bool database_down) {
  auto now = std::chrono::steady_clock::now();
  MutexLock lock(mu_);
  auto it = remembered_.find(key);
  if (it == remembered_.end()) return std::nullopt;
  if (it->second.until_down <= now) {
    remembered_.erase(it);
    return std::nullopt;
  }
  if (database_down || now < it->second.until) return it->second.who;
  return std::nullopt;
}

Result<SessionPrincipal> AuthService::Fallback(const std::string& key, Error e) {
  if (e.code == ErrorCode::kUnavailable)
    if (auto known = Recall(key, /*database_down=*/true)) return *known;
  return e;
}

// How long a credential that expires at `expires` (Unix seconds) may be
// remembered from `now`: never past its expiry, and never longer than
// kRememberWhenDown, so that any timestamp the database holds (year 9999
// included) converts to a steady_clock duration without overflow.
std::chrono::steady_clock::duration AuthService::Until(int64_t expires, int64_t now) {
  return std::chrono::seconds(std::clamp<int64_t>(expires - now, 0, kRememberWhenDown.count()));
}

void AuthService::Remember(const std::string& hash, const SessionPrincipal& who,
                           std::chrono::steady_clock::time_point asked,
                           std::chrono::steady_clock::duration for_at_most) {
  constexpr size_t kMaxRemembered = 100000;  // a flood of distinct secrets cannot grow memory without bound
  std::chrono::steady_clock::duration lease = kRememberFor, when_down = kRememberWhenDown;
  MutexLock lock(mu_);
  if (remembered_.size() >= kMaxRemembered) remembered_.clear();
  remembered_[hash] = Remembered{who, asked + std::min(for_at_most, lease), asked + std::min(for_at_most, when_down)};
}

Result<Principal> AuthService::AuthenticateToken(std::string_view token) {
  if (token.empty() || token.size() > 256) return Error::Unauthorized("invalid token");
  const std::string key = MemoryKey(kTokenKey, token);
  if (auto known = Recall(key)) return known->principal;
  auto looked = lookups_.Do(key, [&] { return LookUpToken(HashSecret(token), key); });
  if (!looked) return std::move(looked).error();
  return looked->principal;
}

Result<SessionPrincipal> AuthService::LookUpToken(const std::string& hash, const std::string& key) {
  auto asked = std::chrono::steady_clock::now();
  auto conn = pool_.Acquire();
  if (!conn) return Fallback(key, std::move(conn).error());
  std::time_t now = std::time(nullptr);
  std::string now_text = FormatTimestamp(now);
  auto looked = db::FindTokenOwner(**conn, hash, now_text);
  if (!looked) return Fallback(key, std::move(looked).error());
  if (!*looked) return Error::Unauthorized("invalid token");
  db::TokenOwner& found = **looked;
  std::optional<int64_t> expires, last_used;
  if (found.expires_at) expires = ParseTimestamp(*found.expires_at);
  if (found.last_used_at) last_used = ParseTimestamp(*found.last_used_at);
  if (!last_used || *last_used < now - 60) {
    // Best effort: a failed bookkeeping write must not refuse a valid token.
    (void)db::TouchToken(**conn, found.token_id, now_text);
  }
  SessionPrincipal who{FromAccount(std::move(found.user), Principal::Via::kToken), ""};
  Remember(key, who, asked, expires ? Until(*expires, now) : kRememberWhenDown);
  return who;
}

Result<SessionPrincipal> AuthService::AuthenticateSession(std::string_view session_id) {
  if (session_id.empty() || session_id.size() > 256) return Error::Unauthorized("not logged in");
  const std::string key = MemoryKey(kSessionKey, session_id);
  if (auto known = Recall(key)) return *known;
  return lookups_.Do(key, [&] { return LookUpSession(HashSecret(session_id), key); });
}

Result<SessionPrincipal> AuthService::LookUpSession(const std::string& hash, const std::string& key) {
  auto asked = std::chrono::steady_clock::now();
  auto conn = pool_.Acquire();
  if (!conn) return Fallback(key, std::move(conn).error());
  std::time_t now = std::time(nullptr);
  std::string now_text = FormatTimestamp(now);
  auto looked = db::FindSessionOwner(**conn, hash, now_text);
  if (!looked) return Fallback(key, std::move(looked).error());
  if (!*looked) return Error::Unauthorized("not logged in or the session has expired");
  db::SessionOwner& owner = **looked;
  SessionPrincipal found{FromAccount(std::move(owner.user), Principal::Via::kSession), std::move(owner.csrf_token)};
  // Remembered no longer than the session has left.
  Remember(key, found, asked, Until(ParseTimestamp(owner.expires_at).value_or(now), now));
  return found;
}

Result<LoginResult> AuthService::Login(std::string_view username, std::string_view password) {
  if (username.empty() || username.size() > 150 || password.size() > 1024) {
    VerifyPassword(DummyHash(), password);
    return Error::Unauthorized(std::string(kBadLogin));
  }
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  std::optional<db::LoginAccount> account;
  ROTA_ASSIGN(account, db::FindLoginAccount(**conn, username));
  bool ok = VerifyPassword(account ? account->password_hash : DummyHash(), password);
  if (!account || !ok || !account->active) return Error::Unauthorized(std::string(kBadLogin));
  const Principal user = FromAccount(std::move(account->user), Principal::Via::kSession);

  LoginResult out{NewSecret(), NewSecret(), UserJson(user)};
  std::string hash = HashSecret(out.session_id);
  std::time_t now = std::time(nullptr);
  // Expired sessions are deleted here, at most once a minute per process.
  if (int64_t last = last_purge_.load(); now - last >= 60 && last_purge_.compare_exchange_strong(last, now)) {
    ROTA_TRY(db::DeleteExpiredSessions(**conn, FormatTimestamp(now)));
  }
  ROTA_TRY(db::InsertSession(**conn, user.user_id, hash, out.csrf_token, FormatTimestamp(now),
                             FormatTimestamp(now + int64_t{session_hours_} * 3600)));
  return out;
}

Status AuthService::Logout(std::string_view session_id) {
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  std::string hash = HashSecret(session_id);
  Status s = db::DeleteSession(**conn, hash);
  // After the DELETE, so that no request of ours can remember it again meanwhile.
  MutexLock lock(mu_);
  remembered_.erase(MemoryKey(kSessionKey, session_id));
  return s;
}

Result<int64_t> AuthService::CreateUser(std::string_view username, std::string_view password, bool admin,
                                        std::optional<int64_t> home_id) {
  if (username.empty() || username.size() > 150)
    return Error::Invalid("username must be 1..150 characters", "username");
  if (password.size() < 8) return Error::Invalid("password must be at least 8 characters", "password");
  if (admin == home_id.has_value()) return Error::Invalid("a user is either an administrator or a manager of one home");
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  if (home_id) {
    auto home = db::HomeExists(**conn, *home_id);
    if (!home) return std::move(home).error();
    if (!*home) return Error::NotFound(fmt::format("home {} does not exist", *home_id));
  }
  std::string hash = HashPassword(password);
  if (hash.empty()) return Error::Internal("password hashing failed");
  auto id = db::InsertUser(**conn, username, hash, admin, home_id);
  if (!id && id.error().code == ErrorCode::kConflict)
    return Error::Conflict(fmt::format("user {} already exists", username), "username");
  return id;
}

Result<std::string> AuthService::CreateToken(std::string_view username, std::optional<int> expires_days) {
  if (expires_days && (*expires_days < 1 || *expires_days > 36500))
    return Error::Invalid("--expires-days must be 1..36500", "expires_days");
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  auto user = db::UserId(**conn, username);
  if (!user) return std::move(user).error();
  if (!*user) return Error::NotFound(fmt::format("user {} does not exist", username));
  std::string token = NewSecret();
  std::string hash = HashSecret(token);
  std::time_t now = std::time(nullptr);
  std::optional<std::string> expires;
  if (expires_days) expires = FormatTimestamp(now + int64_t{*expires_days} * 86400);
  ROTA_TRY(db::InsertToken(**conn, **user, hash, FormatTimestamp(now), std::move(expires)));
  return token;
}

Result<std::vector<AuthService::TokenInfo>> AuthService::ListTokens(std::optional<std::string_view> username) {
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  if (!username) return db::ListTokens(**conn, std::nullopt);
  auto user = db::UserId(**conn, *username);
  if (!user) return std::move(user).error();
  if (!*user) return Error::NotFound(fmt::format("user {} does not exist", *username));
  return db::ListTokens(**conn, **user);
}

Status AuthService::RevokeToken(int64_t id) {
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  auto deleted = db::DeleteToken(**conn, id);
  if (!deleted) return std::move(deleted).error();
  if (*deleted == 0) return Error::NotFound(fmt::format("token {} does not exist", id));
  return Status::Ok();
}

}  // namespace rota::service

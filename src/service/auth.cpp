#include "service/auth.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "base/date.hpp"
#include "service/passwords.hpp"

namespace rota::service {
namespace {

constexpr std::string_view kBadLogin = "invalid username or password";

// Reads app_user columns id, username, is_staff, home_id.
Principal FromRow(const db::Row& r, Principal::Via via) {
  return Principal{r.Int(0), std::string(r.Text(1)), r.Bool(2), r.OptInt(3), via};
}

std::string UserJson(const Principal& p) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("id");
  w.Int64(p.user_id);
  w.Key("username");
  w.String(p.username.data(), static_cast<rapidjson::SizeType>(p.username.size()));
  w.Key("is_staff");
  w.Bool(p.is_admin);
  w.Key("home_id");
  if (p.home_id) w.Int64(*p.home_id); else w.Null();
  w.EndObject();
  return sb.GetString();
}

// A hash verified for unknown usernames so both wrong answers cost the same.
const std::string& DummyHash() {
  static const std::string h = HashPassword("not a password of anyone");
  return h;
}

}  // namespace

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
                           std::chrono::steady_clock::time_point asked, std::chrono::steady_clock::duration for_at_most) {
  constexpr size_t kMaxRemembered = 100000;  // a flood of distinct secrets cannot grow memory without bound
  std::chrono::steady_clock::duration lease = kRememberFor, when_down = kRememberWhenDown;
  MutexLock lock(mu_);
  if (remembered_.size() >= kMaxRemembered) remembered_.clear();
  remembered_[hash] = Remembered{who, asked + std::min(for_at_most, lease), asked + std::min(for_at_most, when_down)};
}

Result<Principal> AuthService::AuthenticateToken(std::string_view token) {
  if (token.empty() || token.size() > 256) return Error::Unauthorized("invalid token");
  std::string hash = HashSecret(token);
  const std::string key = std::string(kTokenKey) + hash;
  if (auto known = Recall(key)) return known->principal;
  auto looked = lookups_.Do(key, [&] { return LookUpToken(hash, key); });
  if (!looked) return std::move(looked).error();
  return looked->principal;
}

Result<SessionPrincipal> AuthService::LookUpToken(const std::string& hash, const std::string& key) {
  auto asked = std::chrono::steady_clock::now();
  auto conn = pool_.Acquire();
  if (!conn) return Fallback(key, std::move(conn).error());
  std::optional<Principal> found;
  int64_t id = 0;
  std::optional<int64_t> expires, last_used;
  std::time_t now = std::time(nullptr);
  std::string now_text = FormatTimestamp(now);
  Status looked = (*conn)->Query(
      "SELECT u.id, u.username, u.is_staff, u.home_id, t.id, t.expires_at, t.last_used_at FROM api_token t "
      "JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = ? AND u.is_active "
      "AND (t.expires_at IS NULL OR t.expires_at > ?)",
      {std::string_view(hash), std::string_view(now_text)}, [&](const db::Row& r) {
        found = FromRow(r, Principal::Via::kToken);
        id = r.Int(4);
        if (!r.IsNull(5)) expires = ParseTimestamp(r.Timestamp(5));
        if (!r.IsNull(6)) last_used = ParseTimestamp(r.Timestamp(6));
      });
  if (!looked) return Fallback(key, std::move(looked).error());
  if (!found) return Error::Unauthorized("invalid token");
  if (!last_used || *last_used < now - 60) {
    // Best effort: a failed bookkeeping write must not refuse a valid token.
    (void)(*conn)->Exec("UPDATE api_token SET last_used_at = ? WHERE id = ?", {std::string_view(now_text), id});
  }
  SessionPrincipal who{*found, ""};
  Remember(key, who, asked, expires ? Until(*expires, now) : kRememberWhenDown);
  return who;
}

Result<SessionPrincipal> AuthService::AuthenticateSession(std::string_view session_id) {
  if (session_id.empty() || session_id.size() > 256) return Error::Unauthorized("not logged in");
  std::string hash = HashSecret(session_id);
  const std::string key = std::string(kSessionKey) + hash;
  if (auto known = Recall(key)) return *known;
  return lookups_.Do(key, [&] { return LookUpSession(hash, key); });
}

Result<SessionPrincipal> AuthService::LookUpSession(const std::string& hash, const std::string& key) {
  auto asked = std::chrono::steady_clock::now();
  auto conn = pool_.Acquire();
  if (!conn) return Fallback(key, std::move(conn).error());
  std::optional<SessionPrincipal> found;
  std::time_t now = std::time(nullptr);
  std::string now_text = FormatTimestamp(now);
  std::string expires;
  Status looked = (*conn)->Query(
      "SELECT u.id, u.username, u.is_staff, u.home_id, s.csrf_token, s.expires_at FROM user_session s "
      "JOIN app_user u ON u.id = s.user_id WHERE s.session_hash = ? AND s.expires_at > ? AND u.is_active",
      {std::string_view(hash), std::string_view(now_text)}, [&](const db::Row& r) {
        found = SessionPrincipal{FromRow(r, Principal::Via::kSession), std::string(r.Text(4))};
        expires = r.Timestamp(5);
      });
  if (!looked) return Fallback(key, std::move(looked).error());
  if (!found) return Error::Unauthorized("not logged in or the session has expired");
  // Remembered no longer than the session has left.
  Remember(key, *found, asked, Until(ParseTimestamp(expires).value_or(now), now));
  return *found;
}

Result<LoginResult> AuthService::Login(std::string_view username, std::string_view password) {
  if (username.empty() || username.size() > 150 || password.size() > 1024) {
    VerifyPassword(DummyHash(), password);
    return Error::Unauthorized(std::string(kBadLogin));
  }
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  std::optional<Principal> user;
  std::string stored;
  bool active = false;
  ROTA_TRY((*conn)->Query("SELECT id, username, is_staff, home_id, password_hash, is_active FROM app_user "
                          "WHERE username = ?",
                          {username}, [&](const db::Row& r) {
                            user = FromRow(r, Principal::Via::kSession);
                            stored = std::string(r.Text(4));
                            active = r.Bool(5);
                          }));
  bool ok = VerifyPassword(user ? stored : DummyHash(), password);
  if (!user || !ok || !active) return Error::Unauthorized(std::string(kBadLogin));

  LoginResult out{NewSecret(), NewSecret(), UserJson(*user)};
  std::string hash = HashSecret(out.session_id);
  std::time_t now = std::time(nullptr);
  // Expired sessions are deleted here, at most once a minute per process.
  if (int64_t last = last_purge_.load(); now - last >= 60 && last_purge_.compare_exchange_strong(last, now)) {
    auto purged = (*conn)->Exec("DELETE FROM user_session WHERE expires_at <= ?", {FormatTimestamp(now)});
    if (!purged) return std::move(purged).error();
  }
  ROTA_TRY((*conn)->Exec(
                     "INSERT INTO user_session (user_id, session_hash, csrf_token, created_at, expires_at) "
                     "VALUES (?, ?, ?, ?, ?)",
                     {user->user_id, std::string_view(hash), std::string_view(out.csrf_token),
                      FormatTimestamp(now), FormatTimestamp(now + int64_t{session_hours_} * 3600)})
               .status());
  return out;
}

Status AuthService::Logout(std::string_view session_id) {
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  std::string hash = HashSecret(session_id);
  Status s = (*conn)->Exec("DELETE FROM user_session WHERE session_hash = ?", {std::string_view(hash)}).status();
  // After the DELETE, so that no request of ours can remember it again meanwhile.
  MutexLock lock(mu_);
  remembered_.erase(std::string(kSessionKey) + hash);
  return s;
}

Result<int64_t> AuthService::CreateUser(std::string_view username, std::string_view password, bool admin,
                                        std::optional<int64_t> home_id) {
  if (username.empty() || username.size() > 150) return Error::Invalid("username must be 1..150 characters", "username");
  if (password.size() < 8) return Error::Invalid("password must be at least 8 characters", "password");
  if (admin == home_id.has_value()) return Error::Invalid("a user is either an administrator or a manager of one home");
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  if (home_id) {
    auto home = (*conn)->QueryInt("SELECT id FROM care_home WHERE id = ?", {*home_id});
    if (!home) return std::move(home).error();
    if (!*home) return Error::NotFound(fmt::format("home {} does not exist", *home_id));
  }
  std::string hash = HashPassword(password);
  if (hash.empty()) return Error::Internal("password hashing failed");
  std::optional<int64_t> id;
  Status s = (*conn)->Query(
      "INSERT INTO app_user (username, password_hash, is_staff, home_id, is_active) VALUES (?, ?, ?, ?, TRUE) "
      "RETURNING id",
      {username, std::string_view(hash), int64_t{admin}, db::Nullable(home_id)},
      [&](const db::Row& r) { id = r.Int(0); });
  if (!s) {
    if (s.error().code == ErrorCode::kConflict)
      return Error::Conflict(fmt::format("user {} already exists", username), "username");
    return s;
  }
  return *id;
}

Result<std::string> AuthService::CreateToken(std::string_view username, std::optional<int> expires_days) {
  if (expires_days && (*expires_days < 1 || *expires_days > 36500))
    return Error::Invalid("--expires-days must be 1..36500", "expires_days");
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  auto user = (*conn)->QueryInt("SELECT id FROM app_user WHERE username = ?", {username});
  if (!user) return std::move(user).error();
  if (!*user) return Error::NotFound(fmt::format("user {} does not exist", username));
  std::string token = NewSecret();
  std::string hash = HashSecret(token);
  std::time_t now = std::time(nullptr);
  db::Value expires = expires_days ? db::Value(FormatTimestamp(now + int64_t{*expires_days} * 86400)) : db::Value(nullptr);
  ROTA_TRY((*conn)->Exec("INSERT INTO api_token (user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
                         {**user, std::string_view(hash), FormatTimestamp(now), expires})
               .status());
  return token;
}

Result<std::vector<AuthService::TokenInfo>> AuthService::ListTokens(std::optional<std::string_view> username) {
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  std::vector<TokenInfo> out;
  auto row = [&](const db::Row& r) {
    out.push_back(TokenInfo{r.Int(0), std::string(r.Text(1)), r.Timestamp(2),
                            r.IsNull(3) ? std::nullopt : std::optional<std::string>(r.Timestamp(3)),
                            r.IsNull(4) ? std::nullopt : std::optional<std::string>(r.Timestamp(4))});
  };
  constexpr std::string_view kColumns =
      "SELECT t.id, u.username, t.created_at, t.last_used_at, t.expires_at FROM api_token t "
      "JOIN app_user u ON u.id = t.user_id";
  if (!username) {
    ROTA_TRY((*conn)->Query(std::string(kColumns) + " ORDER BY t.id", {}, row));
    return out;
  }
  auto user = (*conn)->QueryInt("SELECT id FROM app_user WHERE username = ?", {*username});
  if (!user) return std::move(user).error();
  if (!*user) return Error::NotFound(fmt::format("user {} does not exist", *username));
  ROTA_TRY((*conn)->Query(std::string(kColumns) + " WHERE t.user_id = ? ORDER BY t.id", {**user}, row));
  return out;
}

Status AuthService::RevokeToken(int64_t id) {
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  auto deleted = (*conn)->Exec("DELETE FROM api_token WHERE id = ?", {id});
  if (!deleted) return std::move(deleted).error();
  if (*deleted == 0) return Error::NotFound(fmt::format("token {} does not exist", id));
  return Status::Ok();
}

}  // namespace rota::service

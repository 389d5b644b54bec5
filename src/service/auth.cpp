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

std::optional<SessionPrincipal> AuthService::Recall(std::string_view kind, const std::string& hash) {
  std::string key = std::string(kind) + hash;
  std::lock_guard lock(mu_);
  auto it = remembered_.find(key);
  if (it == remembered_.end()) return std::nullopt;
  if (it->second.until <= std::chrono::steady_clock::now()) {
    remembered_.erase(it);
    return std::nullopt;
  }
  return it->second.who;
}

void AuthService::Remember(std::string_view kind, const std::string& hash, const SessionPrincipal& who,
                           std::chrono::seconds for_at_most) {
  constexpr size_t kMaxRemembered = 100000;  // a flood of distinct secrets cannot grow memory without bound
  std::string key = std::string(kind) + hash;
  std::lock_guard lock(mu_);
  if (remembered_.size() >= kMaxRemembered) remembered_.clear();
  remembered_[key] = Remembered{who, std::chrono::steady_clock::now() + std::min(for_at_most, kRememberFor)};
}

Result<Principal> AuthService::AuthenticateToken(std::string_view token) {
  if (token.empty() || token.size() > 256) return Error::Unauthorized("invalid token");
  std::string hash = HashSecret(token);
  if (auto known = Recall(kTokenKey, hash)) return known->principal;
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  std::optional<Principal> found;
  ROTA_TRY((*conn)->Query(
      "SELECT u.id, u.username, u.is_staff, u.home_id FROM api_token t JOIN app_user u ON u.id = t.user_id "
      "WHERE t.token_hash = ? AND u.is_active",
      {std::string_view(hash)}, [&](const db::Row& r) { found = FromRow(r, Principal::Via::kToken); }));
  if (!found) return Error::Unauthorized("invalid token");
  Remember(kTokenKey, hash, SessionPrincipal{*found, ""}, kRememberFor);
  return *found;
}

Result<SessionPrincipal> AuthService::AuthenticateSession(std::string_view session_id) {
  if (session_id.empty() || session_id.size() > 256) return Error::Unauthorized("not logged in");
  std::string hash = HashSecret(session_id);
  if (auto known = Recall(kSessionKey, hash)) return *known;
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  std::optional<SessionPrincipal> found;
  std::time_t now = std::time(nullptr);
  std::string now_text = FormatTimestamp(now);
  std::string expires;
  ROTA_TRY((*conn)->Query(
      "SELECT u.id, u.username, u.is_staff, u.home_id, s.csrf_token, s.expires_at FROM user_session s "
      "JOIN app_user u ON u.id = s.user_id WHERE s.session_hash = ? AND s.expires_at > ? AND u.is_active",
      {std::string_view(hash), std::string_view(now_text)}, [&](const db::Row& r) {
        found = SessionPrincipal{FromRow(r, Principal::Via::kSession), std::string(r.Text(4))};
        expires = r.Timestamp(5);
      }));
  if (!found) return Error::Unauthorized("not logged in or the session has expired");
  // Remembered no longer than the session has left.
  int64_t left = ParseTimestamp(expires).value_or(now) - now;
  Remember(kSessionKey, hash, *found, std::chrono::seconds(std::max<int64_t>(0, left)));
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
  {
    std::lock_guard lock(mu_);
    remembered_.erase(std::string(kSessionKey) + hash);
  }
  return (*conn)->Exec("DELETE FROM user_session WHERE session_hash = ?", {std::string_view(hash)}).status();
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

Result<std::string> AuthService::CreateToken(std::string_view username) {
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  auto user = (*conn)->QueryInt("SELECT id FROM app_user WHERE username = ?", {username});
  if (!user) return std::move(user).error();
  if (!*user) return Error::NotFound(fmt::format("user {} does not exist", username));
  std::string token = NewSecret();
  std::string hash = HashSecret(token);
  ROTA_TRY((*conn)->Exec("INSERT INTO api_token (user_id, token_hash, created_at) VALUES (?, ?, ?)",
                         {**user, std::string_view(hash), NowTimestamp()})
               .status());
  return token;
}

}  // namespace rota::service

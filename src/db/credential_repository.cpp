#include "db/credential_repository.hpp"

#include "db/writing.hpp"

namespace rota::db {
namespace {

// Reads app_user columns id, username, is_staff, home_id from column 0.
UserAccount UserFrom(const Row& r) { return UserAccount{r.Int(0), std::string(r.Text(1)), r.Bool(2), r.OptInt(3)}; }

std::optional<std::string> OptTimestamp(const Row& r, int i) {
  return r.IsNull(i) ? std::nullopt : std::optional<std::string>(r.Timestamp(i));
}

}  // namespace

Result<std::optional<TokenOwner>> FindTokenOwner(Connection& c, std::string_view token_hash, std::string_view now) {
  std::optional<TokenOwner> found;
  ROTA_TRY(
      c.Query("SELECT u.id, u.username, u.is_staff, u.home_id, t.id, t.expires_at, t.last_used_at FROM api_token t "
              "JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = ? AND u.is_active "
              "AND (t.expires_at IS NULL OR t.expires_at > ?)",
              {token_hash, now}, [&](const Row& r) {
                found = TokenOwner{UserFrom(r), r.Int(4), OptTimestamp(r, 5), OptTimestamp(r, 6)};
              }));
  return found;
}

Status TouchToken(Connection& c, int64_t token_id, std::string_view now) {
  return c.Exec("UPDATE api_token SET last_used_at = ? WHERE id = ?", {now, token_id}).status();
}

Status InsertToken(Connection& c, int64_t user_id, std::string_view token_hash, std::string_view now,
                   std::optional<std::string> expires_at) {
  return c
      .Exec("INSERT INTO api_token (user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
            {user_id, token_hash, now, expires_at ? Value(std::move(*expires_at)) : Value(nullptr)})
      .status();
}

Result<std::vector<ApiToken>> ListTokens(Connection& c, std::optional<int64_t> user_id) {
  std::vector<ApiToken> out;
  auto row = [&](const Row& r) {
    out.push_back(ApiToken{r.Int(0), std::string(r.Text(1)), r.Timestamp(2), OptTimestamp(r, 3), OptTimestamp(r, 4)});
  };
  constexpr std::string_view kColumns =
      "SELECT t.id, u.username, t.created_at, t.last_used_at, t.expires_at FROM api_token t "
      "JOIN app_user u ON u.id = t.user_id";
  if (!user_id)
    ROTA_TRY(c.Query(std::string(kColumns) + " ORDER BY t.id", {}, row));
  else
    ROTA_TRY(c.Query(std::string(kColumns) + " WHERE t.user_id = ? ORDER BY t.id", {*user_id}, row));
  return out;
}

Result<int64_t> DeleteToken(Connection& c, int64_t id) { return c.Exec("DELETE FROM api_token WHERE id = ?", {id}); }

Result<std::optional<SessionOwner>> FindSessionOwner(Connection& c, std::string_view session_hash,
                                                     std::string_view now) {
  std::optional<SessionOwner> found;
  ROTA_TRY(
      c.Query("SELECT u.id, u.username, u.is_staff, u.home_id, s.csrf_token, s.expires_at FROM user_session s "
              "JOIN app_user u ON u.id = s.user_id WHERE s.session_hash = ? AND s.expires_at > ? AND u.is_active",
              {session_hash, now}, [&](const Row& r) {
                found = SessionOwner{UserFrom(r), std::string(r.Text(4)), r.Timestamp(5)};
              }));
  return found;
}

Status InsertSession(Connection& c, int64_t user_id, std::string_view session_hash, std::string_view csrf_token,
                     std::string_view created_at, std::string_view expires_at) {
  return c
      .Exec(
          "INSERT INTO user_session (user_id, session_hash, csrf_token, created_at, expires_at) "
          "VALUES (?, ?, ?, ?, ?)",
          {user_id, session_hash, csrf_token, created_at, expires_at})
      .status();
}

Status DeleteSession(Connection& c, std::string_view session_hash) {
  return c.Exec("DELETE FROM user_session WHERE session_hash = ?", {session_hash}).status();
}

Status DeleteExpiredSessions(Connection& c, std::string_view now) {
  return c.Exec("DELETE FROM user_session WHERE expires_at <= ?", {now}).status();
}

Result<std::optional<LoginAccount>> FindLoginAccount(Connection& c, std::string_view username) {
  std::optional<LoginAccount> found;
  ROTA_TRY(
      c.Query("SELECT id, username, is_staff, home_id, password_hash, is_active FROM app_user "
              "WHERE username = ?",
              {username}, [&](const Row& r) {
                found = LoginAccount{UserFrom(r), std::string(r.Text(4)), r.Bool(5)};
              }));
  return found;
}

Result<std::optional<int64_t>> UserId(Connection& c, std::string_view username) {
  return c.QueryInt("SELECT id FROM app_user WHERE username = ?", {username});
}

Result<int64_t> InsertUser(Connection& c, std::string_view username, std::string_view password_hash, bool admin,
                           std::optional<int64_t> home_id) {
  return InsertReturningId(
      c,
      "INSERT INTO app_user (username, password_hash, is_staff, home_id, is_active) VALUES (?, ?, ?, ?, TRUE) "
      "RETURNING id",
      {username, password_hash, int64_t{admin}, Nullable(home_id)});
}

}  // namespace rota::db

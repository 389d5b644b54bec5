// Internal to src/db: the two drivers behind Connect(). Callers outside db/ use
// Connect() or Pool, never these.
#pragma once

#include <functional>
#include <string_view>

#include <memory>
#include <string>

#include "db/database.hpp"

namespace rota::db::internal {

// Hash and equality that accept std::string_view, so a driver's prepared-statement
// cache is looked up by the caller's SQL text without building a std::string.
struct SqlHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
struct SqlEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

// Opens a SQLite database file (created if missing), or an in-memory database
// for ":memory:". Fails with `unavailable` if the file cannot be opened.
Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path);

// Connects to PostgreSQL with a libpq URL `postgresql://...`. Fails with
// `unavailable` when the server cannot be reached or refuses the login.
Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& url);

}  // namespace rota::db::internal

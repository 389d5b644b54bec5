// Internal to src/db: the two drivers behind Connect(). Callers outside db/ use
// Connect() or Pool, never these.
#pragma once

#include <memory>
#include <string>

#include "db/database.hpp"

namespace rota::db::internal {

// Opens a SQLite database file (created if missing), or an in-memory database
// for ":memory:". Fails with `unavailable` if the file cannot be opened.
Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path);

// Connects to PostgreSQL with a libpq URL `postgresql://...`. Fails with
// `unavailable` when the server cannot be reached or refuses the login.
Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& url);

}  // namespace rota::db::internal

// Helpers of the write repositories (db/*_writes.cpp, home_repository.cpp,
// credential_repository.cpp), not an interface of db/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.hpp"
#include "db/database.hpp"

namespace rota::db {

// `sql` + " FOR UPDATE" on PostgreSQL, so the rows a rule reads stay as read
// until COMMIT; `sql` unchanged on SQLite, whose writer already holds the
// database's lock (BEGIN IMMEDIATE).
inline std::string Locked(const Connection& c, std::string_view sql) {
  std::string s(sql);
  if (c.dialect() == Dialect::kPostgres) s += " FOR UPDATE";
  return s;
}

// The id an `INSERT ... RETURNING id` returns. One statement.
inline Result<int64_t> InsertReturningId(Connection& c, std::string_view sql, const Params& params) {
  auto id = c.QueryInt(sql, params);
  if (!id) return std::move(id).error();
  if (!*id) return Error::Internal("insert returned no id");
  return **id;
}

}  // namespace rota::db

// What the service asks the database server about itself rather than about
// the rota: whether it answers, the schema version it holds, and PostgreSQL's
// connection budget (`rota check --deploy`).
//
// Statement budget: one statement per function.
#pragma once

#include <cstdint>
#include <optional>

#include "base/status.hpp"
#include "db/database.hpp"

namespace rota::db {

// Asks the server a trivial question: an error when it does not answer.
Status Ping(Connection& c);

// The newest schema version applied (schema_migrations); nullopt when none is.
Result<std::optional<int64_t>> AppliedSchemaVersion(Connection& c);

// PostgreSQL's connection budget. REQUIRES: c.dialect() == Dialect::kPostgres.
struct ServerConnections {
  int64_t max_connections = 0;  // the server's setting
  int64_t reserved = 0;         // superuser_reserved_connections
  int64_t in_use = 0;           // client backends connected now
};
Result<ServerConnections> LoadServerConnections(Connection& c);

}  // namespace rota::db

#include "db/server_status.hpp"

namespace rota::db {

Status Ping(Connection& c) { return c.QueryInt("SELECT 1", {}).status(); }

Result<std::optional<int64_t>> AppliedSchemaVersion(Connection& c) {
  return c.QueryInt("SELECT MAX(version) FROM schema_migrations", {});
}

Result<ServerConnections> LoadServerConnections(Connection& c) {
  ServerConnections b;
  ROTA_TRY(
      c.Query("SELECT current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int, "
              "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')",
              {}, [&](const Row& r) {
                b.max_connections = r.Int(0);
                b.reserved = r.Int(1);
                b.in_use = r.Int(2);
              }));
  return b;
}

}  // namespace rota::db

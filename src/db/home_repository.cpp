#include "db/home_repository.hpp"

#include "db/writing.hpp"

namespace rota::db {

Result<bool> HomeExists(Connection& c, int64_t home_id) {
  std::optional<int64_t> found;
  ROTA_ASSIGN(found, c.QueryInt("SELECT id FROM care_home WHERE id = ?", {home_id}));
  return found.has_value();
}

Result<int64_t> CountHomes(Connection& c) {
  std::optional<int64_t> n;
  ROTA_ASSIGN(n, c.QueryInt("SELECT COUNT(*) FROM care_home", {}));
  return n.value_or(0);
}

Result<std::vector<domain::IdName>> ListHomes(Connection& c, std::optional<int64_t> only) {
  std::vector<domain::IdName> homes;
  ROTA_TRY(c.Query("SELECT id, name FROM care_home WHERE ? = 0 OR id = ? ORDER BY id",
                   {only.value_or(0), only.value_or(0)}, [&](const Row& r) {
                     homes.push_back({r.Int(0), std::string(r.Text(1))});
                   }));
  return homes;
}

Result<std::set<int64_t>> UnitIdsOfHome(Connection& c, int64_t home_id) {
  std::set<int64_t> units;
  ROTA_TRY(c.Query("SELECT id FROM unit WHERE home_id = ?", {home_id}, [&](const Row& r) { units.insert(r.Int(0)); }));
  return units;
}

Result<std::optional<std::string>> LoadHomeNameForUpdate(Connection& c, int64_t home_id) {
  std::optional<std::string> name;
  ROTA_TRY(c.Query(Locked(c, "SELECT name FROM care_home WHERE id = ?"), {home_id},
                   [&](const Row& r) { name = std::string(r.Text(0)); }));
  return name;
}

Result<bool> HomeNameTaken(Connection& c, std::string_view name, int64_t home_id) {
  std::optional<int64_t> other;
  ROTA_ASSIGN(other, c.QueryInt("SELECT id FROM care_home WHERE name = ? AND id <> ?", {name, home_id}));
  return other.has_value();
}

Status RenameHome(Connection& c, int64_t home_id, std::string_view name) {
  return c.Exec("UPDATE care_home SET name = ? WHERE id = ?", {name, home_id}).status();
}

}  // namespace rota::db

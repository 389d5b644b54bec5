#include "db/unit_repository.hpp"

#include <string>

namespace rota::db {

Result<std::optional<domain::HomeUnits>> LoadHomeUnits(Connection& c, int64_t home_id) {
  std::optional<domain::HomeUnits> found;
  ROTA_TRY(
      c.Query("SELECT h.name, u.id, u.name FROM care_home h LEFT JOIN unit u ON u.home_id = h.id "
              "WHERE h.id = ? ORDER BY u.id",
              {home_id}, [&](const Row& r) {
                if (!found) found = domain::HomeUnits{{home_id, std::string(r.Text(0))}, {}};
                if (!r.IsNull(1)) found->units.push_back({r.Int(1), std::string(r.Text(2))});
              }));
  return found;
}

}  // namespace rota::db

// A home's units, as forms offer them (the staff page's unit checkboxes and
// filter). The dashboard counts shifts per unit too (report_repository.hpp);
// this is the list alone.
//
// REQUIRES: `c` is the caller's connection.
#pragma once

#include <cstdint>
#include <optional>

#include "base/status.hpp"
#include "db/database.hpp"
#include "domain/model.hpp"

namespace rota::db {

// The home's name and its units ascending id; nullopt for an unknown home.
// One statement (the home LEFT JOIN its units).
Result<std::optional<domain::HomeUnits>> LoadHomeUnits(Connection& c, int64_t home_id);

}  // namespace rota::db

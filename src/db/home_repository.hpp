// Homes as the write path, the command line and the cache warmer ask about
// them: whether one exists, its units, its name (read to change it), and the
// list of homes to warm. The homes' figures are db/home_overview_repository.hpp's.
//
// Statement budget: one statement per function.
//
// REQUIRES: `c` is the caller's connection (a write passes its transaction's).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.hpp"
#include "db/database.hpp"
#include "domain/model.hpp"

namespace rota::db {

Result<bool> HomeExists(Connection& c, int64_t home_id);
// How many homes there are.
Result<int64_t> CountHomes(Connection& c);
// Every home by id, or only `only` (an empty list when it does not exist).
Result<std::vector<domain::IdName>> ListHomes(Connection& c, std::optional<int64_t> only = std::nullopt);

// The ids of the units of `home_id`.
Result<std::set<int64_t>> UnitIdsOfHome(Connection& c, int64_t home_id);

// The name of home `home_id`, locked FOR UPDATE on PostgreSQL; nullopt when
// there is no such home. REQUIRES: inside the caller's transaction.
Result<std::optional<std::string>> LoadHomeNameForUpdate(Connection& c, int64_t home_id);
// Whether a home other than `home_id` is called `name`.
Result<bool> HomeNameTaken(Connection& c, std::string_view name, int64_t home_id);
// Renames home `home_id`; a conflict when another home took `name` meanwhile
// (the UNIQUE constraint).
Status RenameHome(Connection& c, int64_t home_id, std::string_view name);

}  // namespace rota::db

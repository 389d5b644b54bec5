// Every home at a glance (GET /api/homes, the /homes/ page): each home's
// dashboard figures for today .. today + 6 (shifts, staffed, pending leave,
// certifications expiring within 30 days and expired), for all homes or one.
//
// Budget: ONE statement, whatever the number of homes. The figures are
// aggregated per home in SQL — three derived tables, each one GROUP BY home_id
// over its own table (shifts of the week; pending leave requests; certifications
// of active staff), LEFT JOINed to care_home — so a home with nothing to count
// still has its line, with zeros, and no figure is ever computed per home by a
// loop of queries. The conditions are those of LoadDashboard
// (report_repository.hpp) word for word, so /api/homes and each home's
// dashboard?days=7 agree by construction; an integration test holds them equal.
//
// LoadHomeLabels names a home's units and the shift types for the pages that
// show ids (compliance): one statement.
//
// REQUIRES: `c` is the caller's connection.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/date.hpp"
#include "base/status.hpp"
#include "db/database.hpp"
#include "domain/model.hpp"

namespace rota::db {

// The figures of every home (`only` unset) or of the home `only` (none if it
// does not exist), ascending home id. One statement.
Result<std::vector<domain::HomeOverview>> LoadHomeOverviews(Connection& c, Date today, std::optional<int64_t> only);

// The home's name, its units and every shift type; nullopt for an unknown home.
// One statement (a UNION ALL of the three, tagged by kind).
Result<std::optional<domain::HomeLabels>> LoadHomeLabels(Connection& c, int64_t home_id);

}  // namespace rota::db

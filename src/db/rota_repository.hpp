// One week of a home's rota (domain::RotaWeek) for the rota page: the units,
// the week's shifts with their notes, and the staff as the eligibility rule
// needs them.
//
// Statement budget: three, whatever the number of units, shifts or staff —
//   1. the home LEFT JOIN its units (the anchor column tells whether the home exists);
//   2. the week's shifts joined with unit, shift type, assignee, LEFT JOIN their
//      notes and the notes' authors: one row per (shift, note), the rows of a
//      shift adjacent, folded into one Shift in a forward pass;
//   3. the home's staff LEFT JOIN their qualified units LEFT JOIN their approved
//      leave overlapping the week: one row per (member, unit, leave), folded
//      the same way. The product is small (a member has a few units and rarely
//      more than one approved leave in a week).
// The shift list and staff list reads (shift_repository.hpp, staff_repository.hpp)
// would cost seven and load what the page does not show.
//
// REQUIRES: `c` is the caller's connection.
#pragma once

#include <cstdint>
#include <optional>

#include "base/status.hpp"
#include "db/database.hpp"
#include "domain/range.hpp"
#include "domain/rota_week.hpp"

namespace rota::db {

// The week `range` of home `home_id`; nullopt when the home does not exist
// (then one statement).
Result<std::optional<domain::RotaWeek>> LoadRotaWeek(Connection& c, int64_t home_id, domain::DateRange range);

}  // namespace rota::db

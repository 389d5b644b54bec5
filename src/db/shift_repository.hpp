// Shifts as the shift list shows them (domain::Shift), for the list read and
// for a write's answer ("the shift as in the list", api.md).
//
// Statement budget: three, whatever the number of shifts — the notes and the
// links of every selected shift (one query each, ordered like the shifts),
// then the shifts joined with unit, type, staff and users; the children are
// merged in one forward pass. A list and one shift run the same statements but
// for their WHERE clause.
//
// REQUIRES: `c` is the caller's connection (a write passes its transaction's).
#pragma once

#include <cstdint>
#include <vector>

#include "base/date.hpp"
#include "base/status.hpp"
#include "db/database.hpp"
#include "domain/model.hpp"

namespace rota::db {

// Which shifts: those of a home dated in [from, to], or one shift.
struct ShiftSelection {
  static ShiftSelection Range(int64_t home, Date from, Date to) { return {false, home, from, to}; }
  static ShiftSelection One(int64_t shift_id) { return {true, shift_id, {}, {}}; }
  bool one;
  int64_t id;  // home id (Range) or shift id (One)
  Date from, to;
};

// The selected shifts ordered by (date, unit_id, shift_type_id, id); empty
// when none (an unknown home is the caller's to tell). Three statements.
Result<std::vector<domain::Shift>> LoadShifts(Connection& c, const ShiftSelection& selection);

// Every shift of `home` dated `from` or later that someone is assigned to,
// ordered by (staff, date, unit, shift type, id): what deleting each member of
// staff would leave vacant. One statement.
Result<std::vector<domain::AssignedShift>> LoadAssignedShifts(Connection& c, int64_t home, Date from);

}  // namespace rota::db

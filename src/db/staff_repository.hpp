// Members of staff as the staff list shows them (domain::StaffMember), for the
// list read and for a write's answer ("the member of staff as in the staff
// list", api.md).
//
// Statement budget: four, whatever the number of staff — the home (or the
// member) with its staff and primary units (one LEFT JOIN, whose anchor column
// tells whether the home or member exists), then the qualified units, the
// certifications and the leave requests of every selected member (one query
// each, ordered by staff id), merged in one forward pass.
//
// REQUIRES: `c` is the caller's connection (a write passes its transaction's).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/status.hpp"
#include "db/database.hpp"
#include "domain/model.hpp"

namespace rota::db {

// Which staff: all of a home, or one member of staff.
struct StaffSelection {
  static StaffSelection Home(int64_t home) { return {false, home}; }
  static StaffSelection One(int64_t staff_id) { return {true, staff_id}; }
  bool one;
  int64_t id;  // home id or staff id
};

// The selected members ordered by id; nullopt when the home (Home) or the
// member of staff (One) does not exist. Four statements (one when it does not).
Result<std::optional<std::vector<domain::StaffMember>>> LoadStaff(Connection& c, const StaffSelection& selection);

}  // namespace rota::db

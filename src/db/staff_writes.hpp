// What the write path (service/writes.cpp) reads and changes of members of
// staff and what hangs off them: their own columns (domain::StaffRecord),
// qualified units, certifications and leave requests (domain::LeaveRequest).
// The answer of a staff write is rendered from db/staff_repository.hpp.
//
// Statement budget: one statement per function, except ReplaceQualifiedUnits
// (one per unit added or removed). Rows a rule reads are locked FOR UPDATE on
// PostgreSQL (LoadStaffRecord, StaffHome, LoadLeaveForUpdate): the rules that
// follow read the member's shifts and leave, and a leave approval must not
// race an assignment, which locks the member of staff too (db/shift_writes.hpp).
//
// REQUIRES: `c` is inside the caller's transaction (db::InTransaction); `now`
// is a 'YYYY-MM-DDTHH:MM:SSZ' timestamp.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/date.hpp"
#include "base/status.hpp"
#include "db/database.hpp"
#include "domain/model.hpp"

namespace rota::db {

// ---- staff ------------------------------------------------------------------

// Staff member `id`, locked; nullopt when there is none.
Result<std::optional<domain::StaffRecord>> LoadStaffRecord(Connection& c, int64_t id);
// The home of staff member `id`, locked; nullopt when there is none.
Result<std::optional<int64_t>> StaffHome(Connection& c, int64_t id);

// Inserts `s` (its id ignored); returns the new id.
Result<int64_t> InsertStaff(Connection& c, const domain::StaffRecord& s);
// Writes the names, role, hours, primary unit and active flag of `s.id`.
Status UpdateStaff(Connection& c, const domain::StaffRecord& s);
// Deletes staff member `id`; qualifications, certifications and leave go with
// them (ON DELETE CASCADE). Their shifts are the caller's (VacateShiftsOf).
Status DeleteStaff(Connection& c, int64_t id);

// The units staff member `staff_id` is qualified for, ascending.
Result<std::vector<int64_t>> QualifiedUnitIds(Connection& c, int64_t staff_id);
// Makes staff member `staff_id` qualified for exactly `want` (ascending),
// given `have` (ascending): one DELETE per unit gone, one INSERT per unit
// added. Returns whether anything changed.
Result<bool> ReplaceQualifiedUnits(Connection& c, int64_t staff_id, const std::vector<int64_t>& have,
                                   const std::vector<int64_t>& want);

// ---- certifications -----------------------------------------------------------

// Inserts `cert` of staff member `staff_id` (its id ignored); returns the new id.
Result<int64_t> InsertCertification(Connection& c, int64_t staff_id, const domain::Certification& cert);
// The home of certification `id` (through its member of staff); nullopt when there is none.
Result<std::optional<int64_t>> CertificationHome(Connection& c, int64_t id);
Status DeleteCertification(Connection& c, int64_t id);

// ---- leave --------------------------------------------------------------------

// Inserts `leave` (its id ignored) asked at `now`; returns the new id.
Result<int64_t> InsertLeaveRequest(Connection& c, const domain::LeaveRequest& leave, std::string_view now);

// A leave request with the home of its member of staff.
struct LeaveOfHome {
  domain::LeaveRequest leave;
  int64_t home_id = 0;
};
// Leave request `id` and its member of staff, both locked; nullopt when there is none.
Result<std::optional<LeaveOfHome>> LoadLeaveForUpdate(Connection& c, int64_t id);
Status UpdateLeaveStatus(Connection& c, int64_t id, domain::LeaveStatus status);

}  // namespace rota::db

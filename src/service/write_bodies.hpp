// The request bodies of the write use cases (api.md "Writes"), read and checked
// without the database: JSON shape (400 bad_request: not JSON, not an object,
// unknown or duplicate field) and each field's type and value (422 invalid with
// `field`: missing, null where not allowed, wrong type, bad date, and the rules
// of domain/rules.hpp that need no stored data: names, roles, hours, note and
// reason lengths, leave dates and statuses). Anything that needs rows (does the
// home, unit or staff member exist, is the assignment allowed) is checked by
// service/writes.cpp inside its transaction.
//
// Every reader answers either its value or a 400/422 Error, for any input.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/date.hpp"
#include "base/status.hpp"
#include "domain/rules.hpp"

namespace rota::service {

// POST /api/shifts {"home_id","unit_id","shift_type_id","date","staff_id"?}
struct NewShiftBody {
  int64_t home_id = 0;
  int64_t unit_id = 0;
  int64_t shift_type_id = 0;
  Date date;
  std::optional<int64_t> staff_id;  // absent or null: vacant
};
Result<NewShiftBody> ReadNewShift(std::string_view text);

// PATCH /api/shifts/{id} {"staff_id"?,"date"?,"unit_id"?,"shift_type_id"?}: absent fields are nullopt.
struct ShiftPatchBody {
  std::optional<std::optional<int64_t>> staff_id;  // set to an id or to null
  std::optional<Date> date;
  std::optional<int64_t> unit_id;
  std::optional<int64_t> shift_type_id;
};
Result<ShiftPatchBody> ReadShiftPatch(std::string_view text);

// POST /api/shifts/{id}/notes {"body"}: the note's text.
Result<std::string> ReadNoteBody(std::string_view text);

// POST /api/staff (`creating`: home_id, first_name, last_name and role required)
// and PATCH /api/staff/{id} (no home_id; every field optional).
struct StaffBody {
  std::optional<int64_t> home_id;  // POST only
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> role;
  std::optional<double> contracted_hours;
  std::optional<std::optional<int64_t>> primary_unit_id;   // set to a unit or to null
  std::optional<std::vector<int64_t>> qualified_unit_ids;  // ascending, distinct
  std::optional<bool> active;
};
Result<StaffBody> ReadStaff(std::string_view text, bool creating);

// POST /api/certifications {"staff_id","name","expires_on"}
struct NewCertificationBody {
  int64_t staff_id = 0;
  std::string name;
  Date expires_on;
};
Result<NewCertificationBody> ReadNewCertification(std::string_view text);

// POST /api/leave-requests {"staff_id","start_date","end_date","reason"?}
struct NewLeaveBody {
  int64_t staff_id = 0;
  Date start;
  Date end;            // >= start
  std::string reason;  // "" when absent
};
Result<NewLeaveBody> ReadNewLeaveRequest(std::string_view text);

// PATCH /api/leave-requests/{id} {"status"}
Result<domain::LeaveStatus> ReadLeaveStatus(std::string_view text);

// PATCH /api/homes/{id} {"name"}: the new name.
Result<std::string> ReadHomeName(std::string_view text);

}  // namespace rota::service

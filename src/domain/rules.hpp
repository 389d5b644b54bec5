// The rota's validation rules (api.md "Writes"), as pure functions over plain
// facts: no I/O, no clock. The write use cases (service/writes.cpp) load the
// facts a rule needs with a few queries, then ask these functions.
//
// Every function returns Status::Ok() or an Error with api.md's code and the
// offending `field`:
//   422 invalid   a value out of range or a reference that breaks a rule
//                 (unit of another home, staff of another home / inactive / not
//                 qualified, end_date before start_date, unknown role, ...);
//   409 conflict  the value is fine but clashes with existing data (a second
//                 shift on one date, a shift on approved leave, approving leave
//                 over assigned shifts, a home name already taken).
//
// Which field is blamed when a PATCH breaks an assignment rule (the peer's
// contract answer): `staff_id` when the request set a new staff_id, else the
// field whose change broke the rule (`unit_id` for qualification, `date` for
// double booking and leave). Facts about the staff member's home and active
// flag always blame `staff_id`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "base/date.hpp"
#include "base/status.hpp"

namespace rota::domain {

inline constexpr size_t kMaxNameChars = 200;        // names of people, homes, certifications
inline constexpr size_t kMaxNoteChars = 10000;      // a shift note's body
inline constexpr size_t kMaxReasonChars = 2000;     // a leave request's reason (may be empty)
inline constexpr double kMaxContractedHours = 168;  // hours in a week

// Characters (Unicode code points) of UTF-8 text. REQUIRES: valid UTF-8.
size_t Utf8Length(std::string_view text);

// ---- shifts -----------------------------------------------------------------

// What a write changed about a shift's assignment; a new shift changes all.
struct AssignmentChange {
  bool staff = false;
  bool unit = false;
  bool date = false;
  bool shift_type = false;
  static AssignmentChange All() { return {true, true, true, true}; }
};

// The member of staff a shift would be assigned to, as the database knows them.
struct AssigneeFacts {
  int64_t home_id = 0;
  bool active = false;
  bool qualified_for_unit = false;         // a staff_qualified_unit row for the shift's unit
  bool has_other_shift_that_date = false;  // another shift (not this one) on the shift's date
  bool on_approved_leave = false;          // an approved leave request covers the shift's date
};

// A shift as it would be after the write, with the facts its rules need.
struct ShiftFacts {
  int64_t home_id = 0;  // the shift's home (never changes)
  int64_t unit_id = 0;
  std::optional<int64_t> unit_home_id;  // the unit's home; nullopt: no such unit
  int64_t shift_type_id = 0;
  bool shift_type_exists = true;
  Date date;
  std::optional<int64_t> staff_id;     // nullopt: vacant
  std::optional<AssigneeFacts> staff;  // nullopt when staff_id names no one
  AssignmentChange changed;
};

// The rules for a shift: the unit belongs to the home (422 unit_id); the shift
// type exists (422 shift_type_id); the staff member exists, belongs to the home
// and is active (422 staff_id), is qualified for the unit (422), has no other
// shift that date (409) and no approved leave that date (409). Only what the
// write changed is re-checked: the unit and type when they changed, the
// assignee when staff, unit or date changed.
Status CheckShift(const ShiftFacts& facts);

// A note's body: 1..10,000 characters, not only whitespace (422 body).
Status CheckNoteBody(std::string_view body);

// ---- staff, homes, certifications -------------------------------------------

// A name (first_name, last_name, a home's or a certification's name): 1..200
// characters, not only whitespace (422 `field`).
Status CheckName(std::string_view value, std::string_view field);

// One of nurse, senior_carer, carer (422 role).
Status CheckRole(std::string_view role);

// 0..168 (422 contracted_hours).
Status CheckContractedHours(double hours);

// Each of `unit_ids` is one of `home_units`, the units of home `home_id`
// (422 `field`).
Status CheckUnitsOfHome(const std::vector<int64_t>& unit_ids, const std::set<int64_t>& home_units, int64_t home_id,
                        std::string_view field);

// A home's new name is not the name of another home (409 name).
Status CheckHomeNameFree(std::string_view name, bool taken_by_another_home);

// ---- leave ------------------------------------------------------------------

enum class LeaveStatus { kPending, kApproved, kRejected };
std::optional<LeaveStatus> ParseLeaveStatus(std::string_view text);
std::string_view LeaveStatusName(LeaveStatus s);

// One of pending, approved, rejected (422 status).
Status CheckLeaveStatus(std::string_view status);

// end_date >= start_date (422 end_date).
Status CheckDateRange(Date start, Date end);

// A reason of at most 2,000 characters; empty is allowed (422 reason).
Status CheckLeaveReason(std::string_view reason);

// Approving leave (a change of status to approved) is refused while the staff
// member is assigned to shifts within it: 409 status, naming those shifts and
// asking to reassign them first. `assigned_shift_ids` are the staff member's
// shifts dated within the leave.
Status CheckLeaveApproval(LeaveStatus from, LeaveStatus to, const std::vector<int64_t>& assigned_shift_ids);

}  // namespace rota::domain

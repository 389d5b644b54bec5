// The rota's value types: what the repositories (db/) load, the services turn
// into api.md's JSON (service/json_writer.hpp) and the pages render as HTML
// (web/). Plain aggregates without I/O, copied and compared freely; one type
// per thing the API shows, with api.md's field names, so that a reader of a
// JSON answer finds its struct by name.
//
// Names of people are held as shown ("First Last"); dates as Date; a leave
// request's status as LeaveStatus. Derived figures (vacant, coverage) are
// functions, not stored, so they can never disagree with what they derive from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/date.hpp"
#include "domain/range.hpp"
#include "domain/rules.hpp"

namespace rota::domain {

// The dashboard and compliance look this many days ahead for certifications.
inline constexpr int kCertWindowDays = 30;

// The last day of a window of `n` days from `from`, kept inside the calendar.
Date WindowLast(Date from, int n);

// staffed/total x 100 rounded half up to one decimal (api.md's formula); 0.0 when total is 0.
double CoveragePct(int64_t staffed, int64_t total);

// {"id", "name"}: a home, a unit, a shift type's short form.
struct IdName {
  int64_t id = 0;
  std::string name;
  friend bool operator==(const IdName&, const IdName&) = default;
};

// ---- shifts -----------------------------------------------------------------

struct ShiftType {
  int64_t id = 0;
  std::string name;
  std::string start, end;  // 'HH:MM' as stored
  double hours = 0;
};

struct Assignee {
  int64_t id = 0;
  std::string name;
  std::string role;
};

struct ShiftNote {
  int64_t id = 0;
  std::optional<std::string> author;  // nullopt: the author's account is gone
  std::string body;
  std::string created_at;  // 'YYYY-MM-DDTHH:MM:SSZ'
};

// A shift as the shift list shows it.
struct Shift {
  int64_t id = 0;
  Date date;
  IdName unit;
  ShiftType shift_type;
  std::optional<Assignee> staff;                      // nullopt: vacant
  std::vector<ShiftNote> notes;                       // by id
  std::vector<int64_t> related_shift_ids;             // ascending
  std::optional<std::string> created_by, updated_by;  // usernames
};

// A shift's own columns: as a write loads it before changing it, and as it
// would leave it (id 0 for a shift not yet inserted).
struct ShiftRecord {
  int64_t id = 0;
  int64_t home_id = 0;
  int64_t unit_id = 0;
  int64_t shift_type_id = 0;
  Date date;
  std::optional<int64_t> staff_id;  // nullopt: vacant
};

// ---- staff ------------------------------------------------------------------

struct Certification {
  int64_t id = 0;
  std::string name;
  Date expires_on;
};

// A leave request. The staff list shows id, dates and status; a write's answer
// (api.md "Leave requests") all of it. The staff list does not load `reason`
// (left empty there).
struct LeaveRequest {
  int64_t id = 0;
  Date start_date, end_date;  // inclusive
  LeaveStatus status = LeaveStatus::kPending;
  int64_t staff_id = 0;
  std::string reason;
};

// A member of staff as the staff list shows them, children ordered by id.
struct StaffMember {
  int64_t id = 0;
  std::string name;                   // first_name + " " + last_name, as api.md shows it
  std::string first_name, last_name;  // as stored: what an edit form starts from
  std::string role;
  double contracted_hours = 0;
  bool active = false;
  std::optional<IdName> primary_unit;
  std::vector<IdName> qualified_units;
  std::vector<Certification> certifications;
  std::vector<LeaveRequest> leave_requests;
};

// A member of staff's own columns, as a write loads them before changing them
// (the staff list's StaffMember adds names of units and the children).
struct StaffRecord {
  int64_t id = 0;
  int64_t home_id = 0;
  std::optional<int64_t> primary_unit_id;
  std::string first_name, last_name;
  std::string role;
  double contracted_hours = 0;
  bool active = true;
};

// A home and its units, ascending id (what a form offers as units).
struct HomeUnits {
  IdName home;
  std::vector<IdName> units;
};

// A shift someone is assigned to, in short: what deleting them would leave vacant.
struct AssignedShift {
  int64_t shift_id = 0;
  int64_t staff_id = 0;
  Date date;
  IdName unit;
  ShiftType shift_type;
};

// ---- reports ----------------------------------------------------------------

struct Coverage {
  int64_t total = 0;
  int64_t staffed = 0;
  int64_t vacant() const { return total - staffed; }
};

struct UnitCoverage {
  IdName unit;
  Coverage shifts;
};

struct DayCoverage {
  Date date;
  Coverage shifts;
};

// A home's dashboard over a range (api.md "Dashboard").
struct DashboardFigures {
  IdName home;
  DateRange range;
  Coverage shifts;
  std::vector<UnitCoverage> by_unit;  // every unit of the home, by id
  std::vector<DayCoverage> by_day;    // every day of the range
  int64_t pending_leave_requests = 0;
  int64_t staff_on_leave_today = 0;         // active staff on approved leave on range.from
  int64_t certifications_expiring_30d = 0;  // of active staff, from .. from + 29
  int64_t certifications_expired = 0;       // of active staff, before from
};

struct StaffHours {
  int64_t staff_id = 0;
  std::string name;
  int64_t shifts = 0;
  double hours = 0;
};

struct ShiftTypeCount {
  int64_t shift_type_id = 0;
  std::string name;
  int64_t total = 0;
  int64_t vacant = 0;
};

// A home's month (api.md "Monthly report").
struct MonthlyReport {
  YearMonth month;
  int64_t total_shifts = 0;
  int64_t vacant_shifts = 0;
  std::vector<StaffHours> hours_by_staff;      // staff with shifts, by id
  std::vector<ShiftTypeCount> shifts_by_type;  // every shift type, by id
};

struct Understaffed {
  Date date;
  int64_t unit_id = 0;
  int64_t shift_type_id = 0;
  int64_t required = 0;
  int64_t assigned = 0;
};

struct ExpiringCertification {
  int64_t staff_id = 0;
  std::string name;  // the member of staff's
  std::string certification;
  Date expires_on;
};

// A home's compliance over a range (api.md "Compliance").
struct ComplianceReport {
  std::vector<Understaffed> understaffed;                      // by date, unit, shift type
  std::vector<ExpiringCertification> expiring_certifications;  // by expiry, staff, name
};

// One home's line of GET /api/homes: the dashboard's figures for today ..
// today + 6, without the per-unit and per-day breakdowns.
struct HomeOverview {
  IdName home;
  Coverage shifts;
  int64_t pending_leave_requests = 0;
  int64_t certifications_expiring_30d = 0;  // of active staff, today .. today + 29
  int64_t certifications_expired = 0;       // of active staff, before today
};

// What a page needs to name a home's rows: the home, its units and the shift
// types (each by id), e.g. to show a compliance entry's unit_id as its name.
struct HomeLabels {
  IdName home;
  std::vector<IdName> units;        // of the home, by id
  std::vector<IdName> shift_types;  // every shift type, by id
};

// Figures over all homes (api.md "Stats").
struct ServiceStats {
  int64_t homes = 0;
  int64_t staff = 0;
  int64_t active_staff = 0;
  int64_t shifts_next_7_days = 0;
  int64_t vacant_next_7_days = 0;
  int64_t pending_leave_requests = 0;
};

}  // namespace rota::domain

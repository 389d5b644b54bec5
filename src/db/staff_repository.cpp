#include "db/staff_repository.hpp"

#include <string>

#include "db/statement_variant.hpp"
#include "db/stored_dates.hpp"

namespace rota::db {
namespace {

// The anchor column (home id, or the staff id again) tells whether the home or member exists.
const StatementVariant kStaff{
    "SELECT h.id, s.id, s.first_name, s.last_name, s.role, s.contracted_hours, s.active, p.id, p.name "
    "FROM care_home h LEFT JOIN staff s ON s.home_id = h.id LEFT JOIN unit p ON p.id = s.primary_unit_id "
    "WHERE h.id = ? ORDER BY s.id",
    "SELECT s.id, s.id, s.first_name, s.last_name, s.role, s.contracted_hours, s.active, p.id, p.name "
    "FROM staff s LEFT JOIN unit p ON p.id = s.primary_unit_id WHERE s.id = ? ORDER BY s.id"};
const StatementVariant kStaffUnits = StatementVariant::Where(
    "SELECT q.staff_id, u.id, u.name FROM staff_qualified_unit q JOIN staff s ON s.id = q.staff_id "
    "JOIN unit u ON u.id = q.unit_id",
    "s.home_id = ?", "s.id = ?", "ORDER BY q.staff_id, u.id");
const StatementVariant kStaffCerts = StatementVariant::Where(
    "SELECT c.staff_id, c.id, c.name, c.expires_on FROM certification c JOIN staff s ON s.id = c.staff_id",
    "s.home_id = ?", "s.id = ?", "ORDER BY c.staff_id, c.id");
const StatementVariant kStaffLeave = StatementVariant::Where(
    "SELECT l.staff_id, l.id, l.start_date, l.end_date, l.status FROM leave_request l "
    "JOIN staff s ON s.id = l.staff_id",
    "s.home_id = ?", "s.id = ?", "ORDER BY l.staff_id, l.id");

}  // namespace

Result<std::optional<std::vector<domain::StaffMember>>> LoadStaff(Connection& c, const StaffSelection& sel) {
  bool anchor_found = false;
  std::vector<domain::StaffMember> staff;
  const Params params{sel.id};
  ROTA_TRY(c.Query(kStaff.For(sel.one), params, [&](const Row& r) {
    anchor_found = true;
    if (r.IsNull(1)) return;  // a home without staff
    domain::StaffMember& m = staff.emplace_back();
    m.id = r.Int(1);
    m.first_name = std::string(r.Text(2));
    m.last_name = std::string(r.Text(3));
    m.name = FullName(m.first_name, m.last_name);
    m.role = std::string(r.Text(4));
    m.contracted_hours = r.Real(5);
    m.active = r.Bool(6);
    if (!r.IsNull(7)) m.primary_unit = domain::IdName{r.Int(7), std::string(r.Text(8))};
  }));
  if (!anchor_found) return std::optional<std::vector<domain::StaffMember>>();

  StoredDates dates;
  std::vector<Owned<domain::IdName>> units;
  ROTA_TRY(c.Query(kStaffUnits.For(sel.one), params, [&](const Row& r) {
    units.push_back({r.Int(0), {r.Int(1), std::string(r.Text(2))}});
  }));
  std::vector<Owned<domain::Certification>> certs;
  ROTA_TRY(c.Query(kStaffCerts.For(sel.one), params, [&](const Row& r) {
    certs.push_back({r.Int(0), {r.Int(1), std::string(r.Text(2)), dates(r.Text(3))}});
  }));
  std::vector<Owned<domain::LeaveRequest>> leave;
  std::string bad_status;
  ROTA_TRY(c.Query(kStaffLeave.For(sel.one), params, [&](const Row& r) {
    auto status = domain::ParseLeaveStatus(r.Text(4));
    if (!status) bad_status = r.Text(4);
    leave.push_back(
        {r.Int(0),
         {r.Int(1), dates(r.Text(2)), dates(r.Text(3)), status.value_or(domain::LeaveStatus::kPending), r.Int(0), {}}});
  }));
  ROTA_TRY(dates.status());
  if (!bad_status.empty()) return Error::Internal("a stored leave status is not one: " + bad_status);

  size_t next_unit = 0, next_cert = 0, next_leave = 0;
  for (domain::StaffMember& m : staff) {
    TakeChildren(units, next_unit, m.id, m.qualified_units);
    TakeChildren(certs, next_cert, m.id, m.certifications);
    TakeChildren(leave, next_leave, m.id, m.leave_requests);
  }
  return std::optional<std::vector<domain::StaffMember>>(std::move(staff));
}

}  // namespace rota::db

#include "db/staff_writes.hpp"

#include <algorithm>
#include <iterator>
#include <string>

#include "db/stored_dates.hpp"
#include "db/writing.hpp"

namespace rota::db {
namespace {

int64_t Bool(bool b) { return b ? 1 : 0; }  // BOOLEAN as bound on both dialects

}  // namespace

Result<std::optional<domain::StaffRecord>> LoadStaffRecord(Connection& c, int64_t id) {
  std::optional<domain::StaffRecord> row;
  ROTA_TRY(c.Query(
      Locked(c,
             "SELECT home_id, primary_unit_id, first_name, last_name, role, contracted_hours, active "
             "FROM staff WHERE id = ?"),
      {id}, [&](const Row& r) {
        row = domain::StaffRecord{
            id,        r.Int(0), r.OptInt(1), std::string(r.Text(2)), std::string(r.Text(3)), std::string(r.Text(4)),
            r.Real(5), r.Bool(6)};
      }));
  return row;
}

Result<std::optional<int64_t>> StaffHome(Connection& c, int64_t id) {
  return c.QueryInt(Locked(c, "SELECT home_id FROM staff WHERE id = ?"), {id});
}

Result<int64_t> InsertStaff(Connection& c, const domain::StaffRecord& s) {
  return InsertReturningId(
      c,
      "INSERT INTO staff (home_id, primary_unit_id, first_name, last_name, role, "
      "contracted_hours, active) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {s.home_id, Nullable(s.primary_unit_id), std::string_view(s.first_name), std::string_view(s.last_name),
       std::string_view(s.role), s.contracted_hours, Bool(s.active)});
}

Status UpdateStaff(Connection& c, const domain::StaffRecord& s) {
  return c
      .Exec(
          "UPDATE staff SET first_name = ?, last_name = ?, role = ?, contracted_hours = ?, "
          "primary_unit_id = ?, active = ? WHERE id = ?",
          {std::string_view(s.first_name), std::string_view(s.last_name), std::string_view(s.role), s.contracted_hours,
           Nullable(s.primary_unit_id), Bool(s.active), s.id})
      .status();
}

Status DeleteStaff(Connection& c, int64_t id) { return c.Exec("DELETE FROM staff WHERE id = ?", {id}).status(); }

Result<std::vector<int64_t>> QualifiedUnitIds(Connection& c, int64_t staff_id) {
  std::vector<int64_t> units;
  ROTA_TRY(c.Query("SELECT unit_id FROM staff_qualified_unit WHERE staff_id = ? ORDER BY unit_id", {staff_id},
                   [&](const Row& r) { units.push_back(r.Int(0)); }));
  return units;
}

Result<bool> ReplaceQualifiedUnits(Connection& c, int64_t staff_id, const std::vector<int64_t>& have,
                                   const std::vector<int64_t>& want) {
  std::vector<int64_t> gone, added;
  std::set_difference(have.begin(), have.end(), want.begin(), want.end(), std::back_inserter(gone));
  std::set_difference(want.begin(), want.end(), have.begin(), have.end(), std::back_inserter(added));
  for (int64_t unit : gone)
    ROTA_TRY(c.Exec("DELETE FROM staff_qualified_unit WHERE staff_id = ? AND unit_id = ?", {staff_id, unit}).status());
  for (int64_t unit : added)
    ROTA_TRY(c.Exec("INSERT INTO staff_qualified_unit (staff_id, unit_id) VALUES (?, ?)", {staff_id, unit}).status());
  return !gone.empty() || !added.empty();
}

Result<int64_t> InsertCertification(Connection& c, int64_t staff_id, const domain::Certification& cert) {
  return InsertReturningId(c, "INSERT INTO certification (staff_id, name, expires_on) VALUES (?, ?, ?) RETURNING id",
                           {staff_id, std::string_view(cert.name), cert.expires_on.ToString()});
}

Result<std::optional<int64_t>> CertificationHome(Connection& c, int64_t id) {
  return c.QueryInt("SELECT f.home_id FROM certification x JOIN staff f ON f.id = x.staff_id WHERE x.id = ?", {id});
}

Status DeleteCertification(Connection& c, int64_t id) {
  return c.Exec("DELETE FROM certification WHERE id = ?", {id}).status();
}

Result<int64_t> InsertLeaveRequest(Connection& c, const domain::LeaveRequest& leave, std::string_view now) {
  return InsertReturningId(c,
                           "INSERT INTO leave_request (staff_id, start_date, end_date, status, reason, "
                           "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                           {leave.staff_id, leave.start_date.ToString(), leave.end_date.ToString(),
                            domain::LeaveStatusName(leave.status), std::string_view(leave.reason), now});
}

Result<std::optional<LeaveOfHome>> LoadLeaveForUpdate(Connection& c, int64_t id) {
  std::optional<LeaveOfHome> row;
  StoredDates dates;
  std::string bad_status;
  ROTA_TRY(c.Query(Locked(c,
                          "SELECT l.id, l.staff_id, l.start_date, l.end_date, l.status, l.reason, f.home_id "
                          "FROM leave_request l JOIN staff f ON f.id = l.staff_id WHERE l.id = ?"),
                   {id}, [&](const Row& r) {
                     auto status = domain::ParseLeaveStatus(r.Text(4));
                     if (!status) bad_status = r.Text(4);
                     row = LeaveOfHome{
                         domain::LeaveRequest{r.Int(0), dates(r.Text(2).substr(0, 10)), dates(r.Text(3).substr(0, 10)),
                                              status.value_or(domain::LeaveStatus::kPending), r.Int(1),
                                              std::string(r.Text(5))},
                         r.Int(6)};
                   }));
  ROTA_TRY(dates.status());
  if (!bad_status.empty()) return Error::Internal("a stored leave status is not one: " + bad_status);
  return row;
}

Status UpdateLeaveStatus(Connection& c, int64_t id, domain::LeaveStatus status) {
  return c.Exec("UPDATE leave_request SET status = ? WHERE id = ?", {domain::LeaveStatusName(status), id}).status();
}

}  // namespace rota::db

#include "db/rota_repository.hpp"

#include <string>

#include "db/statement_variant.hpp"
#include "db/stored_dates.hpp"

namespace rota::db {
namespace {

constexpr const char* kHomeUnits =
    "SELECT h.id, h.name, u.id, u.name FROM care_home h LEFT JOIN unit u ON u.home_id = h.id "
    "WHERE h.id = ? ORDER BY u.id";

constexpr const char* kWeekShifts =
    "SELECT s.id, s.date, u.id, u.name, t.id, t.name, t.start_time, t.end_time, t.hours, "
    "st.id, st.first_name, st.last_name, st.role, n.id, a.username, n.body, n.created_at "
    "FROM shift s JOIN unit u ON u.id = s.unit_id JOIN shift_type t ON t.id = s.shift_type_id "
    "LEFT JOIN staff st ON st.id = s.staff_id LEFT JOIN shift_note n ON n.shift_id = s.id "
    "LEFT JOIN app_user a ON a.id = n.author_id "
    "WHERE s.home_id = ? AND s.date >= ? AND s.date <= ? "
    "ORDER BY s.date, s.unit_id, s.shift_type_id, s.id, n.id";

constexpr const char* kWeekStaff =
    "SELECT s.id, s.first_name, s.last_name, s.role, s.active, u.id, u.name, l.id, l.start_date, l.end_date "
    "FROM staff s LEFT JOIN staff_qualified_unit q ON q.staff_id = s.id LEFT JOIN unit u ON u.id = q.unit_id "
    "LEFT JOIN leave_request l ON l.staff_id = s.id AND l.status = 'approved' AND l.start_date <= ? "
    "AND l.end_date >= ? "
    "WHERE s.home_id = ? ORDER BY s.id, u.id, l.id";

// Appends `item` unless one with its id is there already (the rows of the join
// repeat each child once per row of the other kind of child; a member has few).
template <class T>
void AppendOnce(std::vector<T>& out, T item) {
  for (const T& have : out)
    if (have.id == item.id) return;
  out.push_back(std::move(item));
}

Status LoadShifts(Connection& c, int64_t home_id, domain::DateRange range, std::vector<domain::Shift>& shifts) {
  const std::string from = range.from.ToString(), to = range.to.ToString();
  StoredDates dates;
  ROTA_TRY(c.Query(kWeekShifts, {home_id, from, to}, [&](const Row& r) {
    const int64_t id = r.Int(0);
    if (shifts.empty() || shifts.back().id != id) {
      domain::Shift& s = shifts.emplace_back();
      s.id = id;
      s.date = dates(r.Text(1));
      s.unit = {r.Int(2), std::string(r.Text(3))};
      s.shift_type = {r.Int(4), std::string(r.Text(5)), std::string(r.Text(6)), std::string(r.Text(7)), r.Real(8)};
      if (!r.IsNull(9)) s.staff = domain::Assignee{r.Int(9), FullName(r.Text(10), r.Text(11)), std::string(r.Text(12))};
    }
    if (!r.IsNull(13))
      shifts.back().notes.push_back({r.Int(13), r.OptText(14), std::string(r.Text(15)), r.Timestamp(16)});
  }));
  return dates.status();
}

Status LoadStaff(Connection& c, int64_t home_id, domain::DateRange range, std::vector<domain::StaffMember>& staff) {
  const std::string from = range.from.ToString(), to = range.to.ToString();
  StoredDates dates;
  ROTA_TRY(c.Query(kWeekStaff, {to, from, home_id}, [&](const Row& r) {
    const int64_t id = r.Int(0);
    if (staff.empty() || staff.back().id != id) {
      domain::StaffMember& m = staff.emplace_back();
      m.id = id;
      m.name = FullName(r.Text(1), r.Text(2));
      m.role = std::string(r.Text(3));
      m.active = r.Bool(4);
    }
    domain::StaffMember& m = staff.back();
    if (!r.IsNull(5)) AppendOnce(m.qualified_units, domain::IdName{r.Int(5), std::string(r.Text(6))});
    if (!r.IsNull(7)) {
      domain::LeaveRequest l;
      l.id = r.Int(7);
      l.start_date = dates(r.Text(8));
      l.end_date = dates(r.Text(9));
      l.status = domain::LeaveStatus::kApproved;
      AppendOnce(m.leave_requests, std::move(l));
    }
  }));
  return dates.status();
}

}  // namespace

Result<std::optional<domain::RotaWeek>> LoadRotaWeek(Connection& c, int64_t home_id, domain::DateRange range) {
  domain::RotaWeek week;
  week.range = range;
  bool home_found = false;
  ROTA_TRY(c.Query(kHomeUnits, {home_id}, [&](const Row& r) {
    home_found = true;
    week.home = {r.Int(0), std::string(r.Text(1))};
    if (!r.IsNull(2)) week.units.push_back({r.Int(2), std::string(r.Text(3))});
  }));
  if (!home_found) return std::optional<domain::RotaWeek>();
  ROTA_TRY(LoadShifts(c, home_id, range, week.shifts));
  ROTA_TRY(LoadStaff(c, home_id, range, week.staff));
  return std::optional<domain::RotaWeek>(std::move(week));
}

}  // namespace rota::db

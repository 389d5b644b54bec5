#include "db/shift_repository.hpp"

#include <string>
#include <string_view>

#include "db/statement_variant.hpp"
#include "db/stored_dates.hpp"

namespace rota::db {
namespace {

constexpr std::string_view kShiftRange = "s.home_id = ? AND s.date >= ? AND s.date <= ?";
constexpr std::string_view kShiftOne = "s.id = ?";
constexpr std::string_view kShiftOrder = "ORDER BY s.date, s.unit_id, s.shift_type_id, s.id";

const StatementVariant kShifts = StatementVariant::Where(
    "SELECT s.id, s.date, u.id, u.name, t.id, t.name, t.start_time, t.end_time, t.hours, "
    "st.id, st.first_name, st.last_name, st.role, cb.username, ub.username "
    "FROM shift s JOIN unit u ON u.id = s.unit_id JOIN shift_type t ON t.id = s.shift_type_id "
    "LEFT JOIN staff st ON st.id = s.staff_id LEFT JOIN app_user cb ON cb.id = s.created_by "
    "LEFT JOIN app_user ub ON ub.id = s.updated_by",
    kShiftRange, kShiftOne, kShiftOrder);
const StatementVariant kShiftNotes = StatementVariant::Where(
    "SELECT n.shift_id, n.id, a.username, n.body, n.created_at "
    "FROM shift_note n JOIN shift s ON s.id = n.shift_id LEFT JOIN app_user a ON a.id = n.author_id",
    kShiftRange, kShiftOne, std::string(kShiftOrder) + ", n.id");
const StatementVariant kShiftLinks =
    StatementVariant::Where("SELECT l.shift_id, l.related_shift_id FROM shift_link l JOIN shift s ON s.id = l.shift_id",
                            kShiftRange, kShiftOne, std::string(kShiftOrder) + ", l.related_shift_id");

}  // namespace

Result<std::vector<domain::Shift>> LoadShifts(Connection& c, const ShiftSelection& sel) {
  const std::string from = sel.from.ToString(), to = sel.to.ToString();
  const Params params = sel.one ? Params{sel.id} : Params{sel.id, from, to};
  std::vector<Owned<domain::ShiftNote>> notes;
  ROTA_TRY(c.Query(kShiftNotes.For(sel.one), params, [&](const Row& r) {
    notes.push_back({r.Int(0), {r.Int(1), r.OptText(2), std::string(r.Text(3)), r.Timestamp(4)}});
  }));
  std::vector<Owned<int64_t>> links;  // the related shift
  ROTA_TRY(c.Query(kShiftLinks.For(sel.one), params, [&](const Row& r) { links.push_back({r.Int(0), r.Int(1)}); }));

  std::vector<domain::Shift> shifts;
  StoredDates dates;
  size_t next_note = 0, next_link = 0;
  ROTA_TRY(c.Query(kShifts.For(sel.one), params, [&](const Row& r) {
    domain::Shift& s = shifts.emplace_back();
    s.id = r.Int(0);
    s.date = dates(r.Text(1));
    s.unit = {r.Int(2), std::string(r.Text(3))};
    s.shift_type = {r.Int(4), std::string(r.Text(5)), std::string(r.Text(6)), std::string(r.Text(7)), r.Real(8)};
    if (!r.IsNull(9)) s.staff = domain::Assignee{r.Int(9), FullName(r.Text(10), r.Text(11)), std::string(r.Text(12))};
    TakeChildren(notes, next_note, s.id, s.notes);
    TakeChildren(links, next_link, s.id, s.related_shift_ids);
    s.created_by = r.OptText(13);
    s.updated_by = r.OptText(14);
  }));
  ROTA_TRY(dates.status());
  return shifts;
}

Result<std::vector<domain::AssignedShift>> LoadAssignedShifts(Connection& c, int64_t home, Date from) {
  std::vector<domain::AssignedShift> shifts;
  StoredDates dates;
  ROTA_TRY(
      c.Query("SELECT s.id, s.staff_id, s.date, u.id, u.name, t.id, t.name, t.start_time, t.end_time, t.hours "
              "FROM shift s JOIN unit u ON u.id = s.unit_id JOIN shift_type t ON t.id = s.shift_type_id "
              "WHERE s.home_id = ? AND s.date >= ? AND s.staff_id IS NOT NULL "
              "ORDER BY s.staff_id, s.date, s.unit_id, s.shift_type_id, s.id",
              {home, from.ToString()}, [&](const Row& r) {
                shifts.push_back(
                    {r.Int(0),
                     r.Int(1),
                     dates(r.Text(2)),
                     {r.Int(3), std::string(r.Text(4))},
                     {r.Int(5), std::string(r.Text(6)), std::string(r.Text(7)), std::string(r.Text(8)), r.Real(9)}});
              }));
  ROTA_TRY(dates.status());
  return shifts;
}

}  // namespace rota::db

#include "db/shift_writes.hpp"

#include <string>

#include "db/stored_dates.hpp"
#include "db/writing.hpp"

namespace rota::db {

Result<std::optional<domain::ShiftRecord>> LoadShiftRecord(Connection& c, int64_t id) {
  std::optional<domain::ShiftRecord> row;
  StoredDates dates;
  ROTA_TRY(c.Query(Locked(c, "SELECT id, home_id, unit_id, staff_id, shift_type_id, date FROM shift WHERE id = ?"),
                   {id}, [&](const Row& r) {
                     row = domain::ShiftRecord{r.Int(0),   r.Int(1), r.Int(2), r.Int(4), dates(r.Text(5).substr(0, 10)),
                                               r.OptInt(3)};
                   }));
  ROTA_TRY(dates.status());
  return row;
}

Result<domain::ShiftFacts> LoadShiftFacts(Connection& c, const domain::ShiftRecord& s,
                                          domain::AssignmentChange changed) {
  domain::ShiftFacts f;
  f.home_id = s.home_id;
  f.unit_id = s.unit_id;
  f.unit_home_id = s.home_id;
  f.shift_type_id = s.shift_type_id;
  f.date = s.date;
  f.staff_id = s.staff_id;
  f.changed = changed;
  if (changed.unit) ROTA_ASSIGN(f.unit_home_id, c.QueryInt("SELECT home_id FROM unit WHERE id = ?", {s.unit_id}));
  if (changed.shift_type) {
    std::optional<int64_t> type;
    ROTA_ASSIGN(type, c.QueryInt("SELECT id FROM shift_type WHERE id = ?", {s.shift_type_id}));
    f.shift_type_exists = type.has_value();
  }
  if (s.staff_id && (changed.staff || changed.unit || changed.date)) {
    const std::string date = s.date.ToString();
    ROTA_TRY(c.Query(Locked(c,
                            "SELECT f.home_id, f.active, "
                            "EXISTS (SELECT 1 FROM staff_qualified_unit q WHERE q.staff_id = f.id AND q.unit_id = ?), "
                            "EXISTS (SELECT 1 FROM shift o WHERE o.staff_id = f.id AND o.date = ? AND o.id <> ?), "
                            "EXISTS (SELECT 1 FROM leave_request l WHERE l.staff_id = f.id AND l.status = 'approved' "
                            "AND l.start_date <= ? AND l.end_date >= ?) "
                            "FROM staff f WHERE f.id = ?"),
                     {s.unit_id, date, s.id, date, date, *s.staff_id}, [&](const Row& r) {
                       f.staff = domain::AssigneeFacts{r.Int(0), r.Bool(1), r.Bool(2), r.Bool(3), r.Bool(4)};
                     }));
  }
  return f;
}

Result<int64_t> InsertShift(Connection& c, const domain::ShiftRecord& s, std::optional<int64_t> actor,
                            std::string_view now) {
  return InsertReturningId(c,
                           "INSERT INTO shift (home_id, unit_id, staff_id, shift_type_id, date, created_by, "
                           "updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                           {s.home_id, s.unit_id, Nullable(s.staff_id), s.shift_type_id, s.date.ToString(),
                            Nullable(actor), Nullable(actor), now, now});
}

Status UpdateShift(Connection& c, const domain::ShiftRecord& s, std::optional<int64_t> actor, std::string_view now) {
  return c
      .Exec(
          "UPDATE shift SET staff_id = ?, unit_id = ?, shift_type_id = ?, date = ?, updated_at = ?, "
          "updated_by = ? WHERE id = ?",
          {Nullable(s.staff_id), s.unit_id, s.shift_type_id, s.date.ToString(), now, Nullable(actor), s.id})
      .status();
}

Status DeleteShift(Connection& c, int64_t id) { return c.Exec("DELETE FROM shift WHERE id = ?", {id}).status(); }

Status VacateShiftsOf(Connection& c, int64_t staff_id, std::optional<int64_t> actor, std::string_view now) {
  return c
      .Exec("UPDATE shift SET staff_id = NULL, updated_at = ?, updated_by = ? WHERE staff_id = ?",
            {now, Nullable(actor), staff_id})
      .status();
}

Result<std::vector<int64_t>> ShiftIdsOfStaffBetween(Connection& c, int64_t staff_id, Date from, Date to) {
  std::vector<int64_t> ids;
  ROTA_TRY(c.Query("SELECT id FROM shift WHERE staff_id = ? AND date >= ? AND date <= ? ORDER BY id",
                   {staff_id, from.ToString(), to.ToString()}, [&](const Row& r) { ids.push_back(r.Int(0)); }));
  return ids;
}

Result<int64_t> InsertShiftNote(Connection& c, int64_t shift_id, std::optional<int64_t> actor, std::string_view body,
                                std::string_view now) {
  return InsertReturningId(
      c, "INSERT INTO shift_note (shift_id, author_id, body, created_at) VALUES (?, ?, ?, ?) RETURNING id",
      {shift_id, Nullable(actor), body, now});
}

Result<std::optional<domain::ShiftNote>> LoadShiftNote(Connection& c, int64_t id) {
  std::optional<domain::ShiftNote> note;
  ROTA_TRY(
      c.Query("SELECT n.id, a.username, n.body, n.created_at FROM shift_note n "
              "LEFT JOIN app_user a ON a.id = n.author_id WHERE n.id = ?",
              {id}, [&](const Row& r) {
                note = domain::ShiftNote{r.Int(0), r.OptText(1), std::string(r.Text(2)), r.Timestamp(3)};
              }));
  return note;
}

}  // namespace rota::db

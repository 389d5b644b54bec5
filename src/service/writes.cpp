// The write use cases of api.md ("Writes").
//
// Flow of every write: read the JSON body (service/write_bodies.hpp), lease one
// connection, and inside one transaction load the row and the facts the rules
// need, apply domain/rules.hpp, write, and render the response from the
// database; after COMMIT announce the ChangeSet to the sink. Any error rolls
// the transaction back, so a rejected write changes nothing and announces
// nothing. A PATCH whose values equal the current ones writes nothing,
// announces nothing and answers 200 with the row as it is.
//
// Order of checks (the first failing one answers):
//   PATCH/DELETE/POST on an existing row (/shifts/{id}, /shifts/{id}/notes,
//   /staff/{id}, /certifications/{id}, /leave-requests/{id}):
//       404 unknown id -> 403 another home -> 400 malformed body (not JSON, not
//       an object, unknown or duplicate field) -> 422 field types and values ->
//       422/409 rules against the data.
//     The body is parsed before any query, but its errors are reported only
//     after the row is found and access is granted.
//   PATCH /homes/{id}: 403 first (a manager cannot probe which homes exist, as
//       principal.hpp's CheckHome), then 404, 400, 422, 409.
//   POST of a new row (/shifts, /staff, /certifications, /leave-requests): the
//       home is named by the body, so 400 -> 422 body types and values -> 403
//       (the home named by home_id, or the home of the staff member named by
//       staff_id; an unknown staff_id is 422 before that) -> 422/409 rules.
//
// Concurrency: SQLite serialises writers (BEGIN IMMEDIATE). On PostgreSQL the
// rows a rule reads are locked FOR UPDATE — the shift, and the member of staff
// whose shifts and leave the rules look at — so two concurrent writes cannot
// both pass "no second shift that date" or approve leave over a fresh shift.
//
// Statement counts: each write issues a small constant number of statements
// (plus one per qualified unit added or removed on a staff write).
#include "service/writes.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "base/date.hpp"
#include "db/shift_repository.hpp"
#include "db/staff_repository.hpp"
#include "domain/rules.hpp"
#include "service/json_writer.hpp"
#include "service/model_json.hpp"
#include "service/write_bodies.hpp"

namespace rota::service {
namespace {

using db::Connection;
using db::Row;
using domain::AssignmentChange;

// ---- plumbing -----------------------------------------------------------------

// What a write's transaction produces: the response body and what changed.
struct Outcome {
  std::string body;
  ChangeSet changes;
};

using WriteFn = std::function<Status(Connection&, Outcome&)>;

// Leases a connection, runs `fn` in a transaction, and announces the changes
// after commit. Returns the response body.
Result<std::string> Transact(db::Pool& pool, ChangeSink& sink, const WriteFn& fn) {
  auto lease = pool.Acquire();
  if (!lease) return std::move(lease).error();
  Connection& conn = **lease;
  Outcome out;
  Status s = db::InTransaction(conn, [&] { return fn(conn, out); });
  if (!s) return std::move(s).error();
  if (!out.changes.empty()) sink.Committed(out.changes);
  return std::move(out.body);
}

// " FOR UPDATE" on PostgreSQL; nothing on SQLite, whose writer holds the lock.
std::string Locked(const Connection& c, std::string_view sql) {
  std::string s(sql);
  if (c.dialect() == db::Dialect::kPostgres) s += " FOR UPDATE";
  return s;
}

Result<Date> DbDate(std::string_view text) {
  auto d = Date::Parse(text.substr(0, 10));
  if (!d) return Error::Internal(fmt::format("the database holds a malformed date '{}'", text));
  return *d;
}

Error Missing(std::string_view what, int64_t id) {
  return Error::NotFound(fmt::format("{} {} does not exist", what, id));
}

db::Value Actor(const Principal& p) { return db::Nullable(p.actor()); }

// The id returned by an `INSERT ... RETURNING id`.
Result<int64_t> Insert(Connection& c, std::string_view sql, const db::Params& params) {
  auto id = c.QueryInt(sql, params);
  if (!id) return std::move(id).error();
  if (!*id) return Error::Internal("insert returned no id");
  return **id;
}

// ---- rows -----------------------------------------------------------------------

struct ShiftRow {
  int64_t id = 0;
  int64_t home_id = 0;
  int64_t unit_id = 0;
  std::optional<int64_t> staff_id;
  int64_t shift_type_id = 0;
  Date date;
};

Result<std::optional<ShiftRow>> LoadShift(Connection& c, int64_t id) {
  std::optional<ShiftRow> row;
  std::string date;
  ROTA_TRY(c.Query(Locked(c, "SELECT id, home_id, unit_id, staff_id, shift_type_id, date FROM shift WHERE id = ?"),
                   {id}, [&](const Row& r) {
                     row = ShiftRow{r.Int(0), r.Int(1), r.Int(2), r.OptInt(3), r.Int(4), Date()};
                     date = r.Text(5);
                   }));
  if (row) ROTA_ASSIGN(row->date, DbDate(date));
  return row;
}

// The shift `id` (of a home `p` may see), or 404/403.
Result<ShiftRow> AccessibleShift(Connection& c, const Principal& p, int64_t id) {
  std::optional<ShiftRow> row;
  ROTA_ASSIGN(row, LoadShift(c, id));
  if (!row) return Missing("shift", id);
  ROTA_TRY(CheckHome(p, row->home_id));
  return *row;
}

// The home of staff member `id`, if they exist. Locks the staff row on
// PostgreSQL: the rules that follow read their shifts and leave.
Result<std::optional<int64_t>> StaffHome(Connection& c, int64_t id) {
  return c.QueryInt(Locked(c, "SELECT home_id FROM staff WHERE id = ?"), {id});
}

// The home of staff member `id` named by a body field (422 when unknown, then 403).
Result<int64_t> AccessibleStaffRef(Connection& c, const Principal& p, int64_t id) {
  std::optional<int64_t> home;
  ROTA_ASSIGN(home, StaffHome(c, id));
  if (!home) return Error::Invalid(fmt::format("staff member {} does not exist", id), "staff_id");
  ROTA_TRY(CheckHome(p, *home));
  return *home;
}

Status CheckHomeExists(Connection& c, int64_t home_id) {
  std::optional<int64_t> found;
  ROTA_ASSIGN(found, c.QueryInt("SELECT id FROM care_home WHERE id = ?", {home_id}));
  if (!found) return Error::Invalid(fmt::format("home {} does not exist", home_id), "home_id");
  return Status::Ok();
}

Result<std::set<int64_t>> UnitsOfHome(Connection& c, int64_t home_id) {
  std::set<int64_t> units;
  ROTA_TRY(c.Query("SELECT id FROM unit WHERE home_id = ?", {home_id}, [&](const Row& r) { units.insert(r.Int(0)); }));
  return units;
}

// ---- responses ------------------------------------------------------------------

// A shift as GET /api/homes/{id}/shifts lists it. Three statements.
Result<std::string> ShiftJson(Connection& c, int64_t shift_id) {
  auto shifts = db::LoadShifts(c, db::ShiftSelection::One(shift_id));
  if (!shifts) return std::move(shifts).error();
  if (shifts->size() != 1) return Error::Internal(fmt::format("shift {} vanished while writing it", shift_id));
  return EntryJson(shifts->front());
}

// A member of staff as GET /api/homes/{id}/staff lists them. Four statements.
Result<std::string> StaffJson(Connection& c, int64_t staff_id) {
  auto staff = db::LoadStaff(c, db::StaffSelection::One(staff_id));
  if (!staff) return std::move(staff).error();
  if (!*staff || (*staff)->size() != 1)
    return Error::Internal(fmt::format("staff member {} vanished while writing them", staff_id));
  return EntryJson((*staff)->front());
}

struct LeaveRow {
  int64_t id = 0;
  int64_t staff_id = 0;
  Date start;
  Date end;
  std::string status;
  std::string reason;
};

std::string LeaveJson(const LeaveRow& l) {
  JsonWriter w;
  w.BeginObject();
  w.Field("id", l.id);
  w.Field("staff_id", l.staff_id);
  w.Field("start_date", l.start);
  w.Field("end_date", l.end);
  w.Field("status", l.status);
  w.Field("reason", l.reason);
  w.EndObject();
  return std::move(w).Take();
}

// ---- shift rules ------------------------------------------------------------------

// A shift as a write would leave it.
struct ShiftTarget {
  int64_t id = 0;  // 0 for a new shift
  int64_t home_id = 0;
  int64_t unit_id = 0;
  int64_t shift_type_id = 0;
  Date date;
  std::optional<int64_t> staff_id;
};

// Loads the facts the rules need about what `changed`, then applies them.
Status CheckShiftTarget(Connection& c, const ShiftTarget& t, AssignmentChange changed) {
  domain::ShiftFacts f;
  f.home_id = t.home_id;
  f.unit_id = t.unit_id;
  f.unit_home_id = t.home_id;
  f.shift_type_id = t.shift_type_id;
  f.date = t.date;
  f.staff_id = t.staff_id;
  f.changed = changed;
  if (changed.unit) ROTA_ASSIGN(f.unit_home_id, c.QueryInt("SELECT home_id FROM unit WHERE id = ?", {t.unit_id}));
  if (changed.shift_type) {
    std::optional<int64_t> type;
    ROTA_ASSIGN(type, c.QueryInt("SELECT id FROM shift_type WHERE id = ?", {t.shift_type_id}));
    f.shift_type_exists = type.has_value();
  }
  if (t.staff_id && (changed.staff || changed.unit || changed.date)) {
    const std::string date = t.date.ToString();
    ROTA_TRY(c.Query(
        Locked(c, "SELECT f.home_id, f.active, "
                  "EXISTS (SELECT 1 FROM staff_qualified_unit q WHERE q.staff_id = f.id AND q.unit_id = ?), "
                  "EXISTS (SELECT 1 FROM shift o WHERE o.staff_id = f.id AND o.date = ? AND o.id <> ?), "
                  "EXISTS (SELECT 1 FROM leave_request l WHERE l.staff_id = f.id AND l.status = 'approved' "
                  "AND l.start_date <= ? AND l.end_date >= ?) "
                  "FROM staff f WHERE f.id = ?"),
        {t.unit_id, date, t.id, date, date, *t.staff_id}, [&](const Row& r) {
          f.staff = domain::AssigneeFacts{r.Int(0), r.Bool(1), r.Bool(2), r.Bool(3), r.Bool(4)};
        }));
  }
  return domain::CheckShift(f);
}

// ---- bodies ---------------------------------------------------------------------
// Read and checked without the database by service/write_bodies.hpp.

using StaffInput = StaffBody;

// 422 unless the units the input names belong to `home_id`. One statement, only
// when the input names units.
Status CheckStaffUnits(Connection& c, const StaffInput& in, int64_t home_id) {
  const bool names_primary = in.primary_unit_id && *in.primary_unit_id;
  if (!names_primary && !in.qualified_unit_ids) return Status::Ok();
  std::set<int64_t> units;
  ROTA_ASSIGN(units, UnitsOfHome(c, home_id));
  if (names_primary) ROTA_TRY(domain::CheckUnitsOfHome({**in.primary_unit_id}, units, home_id, "primary_unit_id"));
  if (in.qualified_unit_ids)
    ROTA_TRY(domain::CheckUnitsOfHome(*in.qualified_unit_ids, units, home_id, "qualified_unit_ids"));
  return Status::Ok();
}

struct StaffRow {
  int64_t home_id = 0;
  std::optional<int64_t> primary_unit_id;
  std::string first_name;
  std::string last_name;
  std::string role;
  double contracted_hours = 0;
  bool active = true;
};

Result<std::optional<StaffRow>> LoadStaff(Connection& c, int64_t id) {
  std::optional<StaffRow> row;
  ROTA_TRY(c.Query(Locked(c, "SELECT home_id, primary_unit_id, first_name, last_name, role, contracted_hours, active "
                             "FROM staff WHERE id = ?"),
                   {id}, [&](const Row& r) {
                     row = StaffRow{r.Int(0), r.OptInt(1), std::string(r.Text(2)), std::string(r.Text(3)),
                                    std::string(r.Text(4)), r.Real(5), r.Bool(6)};
                   }));
  return row;
}

Result<std::vector<int64_t>> QualifiedUnits(Connection& c, int64_t staff_id) {
  std::vector<int64_t> units;
  ROTA_TRY(c.Query("SELECT unit_id FROM staff_qualified_unit WHERE staff_id = ? ORDER BY unit_id", {staff_id},
                   [&](const Row& r) { units.push_back(r.Int(0)); }));
  return units;
}

// Makes staff member `staff_id` qualified for exactly `want` (ascending), given
// `have` (ascending). Returns whether anything changed.
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

}  // namespace

// ---- shifts -----------------------------------------------------------------------

Result<std::string> WriteService::CreateShift(const Principal& p, std::string_view body) {
  NewShiftBody in;
  ROTA_ASSIGN(in, ReadNewShift(body));
  ROTA_TRY(CheckHome(p, in.home_id));
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    ROTA_TRY(CheckHomeExists(c, in.home_id));
    ShiftTarget t{0, in.home_id, in.unit_id, in.shift_type_id, in.date, in.staff_id};
    ROTA_TRY(CheckShiftTarget(c, t, AssignmentChange::All()));
    const std::string now = NowTimestamp();
    int64_t id = 0;
    ROTA_ASSIGN(id, Insert(c,
                             "INSERT INTO shift (home_id, unit_id, staff_id, shift_type_id, date, created_by, "
                             "updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             {in.home_id, in.unit_id, db::Nullable(in.staff_id), in.shift_type_id,
                              in.date.ToString(), Actor(p), Actor(p), now, now}));
    ROTA_ASSIGN(out.body, ShiftJson(c, id));
    out.changes.Add(in.home_id, kShifts);
    return Status::Ok();
  });
}

Result<std::string> WriteService::UpdateShift(const Principal& p, int64_t shift_id, std::string_view body) {
  const Result<ShiftPatchBody> patch = ReadShiftPatch(body);
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    ShiftRow row;
    ROTA_ASSIGN(row, AccessibleShift(c, p, shift_id));
    if (!patch) return patch.error();
    ShiftTarget t{row.id, row.home_id, row.unit_id, row.shift_type_id, row.date, row.staff_id};
    AssignmentChange changed;
    if (patch->staff_id && *patch->staff_id != row.staff_id) changed.staff = true, t.staff_id = *patch->staff_id;
    if (patch->unit_id && *patch->unit_id != row.unit_id) changed.unit = true, t.unit_id = *patch->unit_id;
    if (patch->date && *patch->date != row.date) changed.date = true, t.date = *patch->date;
    if (patch->shift_type_id && *patch->shift_type_id != row.shift_type_id)
      changed.shift_type = true, t.shift_type_id = *patch->shift_type_id;
    if (changed.staff || changed.unit || changed.date || changed.shift_type) {
      ROTA_TRY(CheckShiftTarget(c, t, changed));
      ROTA_TRY(c.Exec("UPDATE shift SET staff_id = ?, unit_id = ?, shift_type_id = ?, date = ?, updated_at = ?, "
                      "updated_by = ? WHERE id = ?",
                      {db::Nullable(t.staff_id), t.unit_id, t.shift_type_id, t.date.ToString(), NowTimestamp(),
                       Actor(p), t.id})
                   .status());
      out.changes.Add(row.home_id, kShifts);
    }
    ROTA_ASSIGN(out.body, ShiftJson(c, row.id));
    return Status::Ok();
  });
}

Status WriteService::DeleteShift(const Principal& p, int64_t shift_id) {
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
           ShiftRow row;
           ROTA_ASSIGN(row, AccessibleShift(c, p, shift_id));
           // Notes and links go with it (ON DELETE CASCADE).
           ROTA_TRY(c.Exec("DELETE FROM shift WHERE id = ?", {row.id}).status());
           out.changes.Add(row.home_id, kShifts | kNotes | kLinks);
           return Status::Ok();
         })
      .status();
}

Result<std::string> WriteService::AddShiftNote(const Principal& p, int64_t shift_id, std::string_view body) {
  const Result<std::string> note = ReadNoteBody(body);
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    ShiftRow row;
    ROTA_ASSIGN(row, AccessibleShift(c, p, shift_id));
    if (!note) return note.error();
    int64_t id = 0;
    ROTA_ASSIGN(id, Insert(c,
                             "INSERT INTO shift_note (shift_id, author_id, body, created_at) VALUES (?, ?, ?, ?) "
                             "RETURNING id",
                             {row.id, Actor(p), std::string_view(*note), NowTimestamp()}));
    JsonWriter w;
    ROTA_TRY(c.Query("SELECT n.id, a.username, n.body, n.created_at FROM shift_note n "
                     "LEFT JOIN app_user a ON a.id = n.author_id WHERE n.id = ?",
                     {id}, [&](const Row& r) {
                       w.BeginObject();
                       w.Field("id", r.Int(0));
                       w.Field("author", r.OptText(1));
                       w.Field("body", r.Text(2));
                       w.Field("created_at", r.Timestamp(3));
                       w.EndObject();
                     }));
    out.body = std::move(w).Take();
    out.changes.Add(row.home_id, kNotes);
    return Status::Ok();
  });
}

// ---- staff ------------------------------------------------------------------------

Result<std::string> WriteService::CreateStaff(const Principal& p, std::string_view body) {
  StaffInput in;
  ROTA_ASSIGN(in, ReadStaff(body, /*creating=*/true));
  const int64_t home = *in.home_id;
  ROTA_TRY(CheckHome(p, home));
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    ROTA_TRY(CheckHomeExists(c, home));
    ROTA_TRY(CheckStaffUnits(c, in, home));
    int64_t id = 0;
    ROTA_ASSIGN(id, Insert(c,
                             "INSERT INTO staff (home_id, primary_unit_id, first_name, last_name, role, "
                             "contracted_hours, active) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             {home, db::Nullable(in.primary_unit_id.value_or(std::nullopt)),
                              std::string_view(*in.first_name), std::string_view(*in.last_name),
                              std::string_view(*in.role), in.contracted_hours.value_or(0.0),
                              int64_t{in.active.value_or(true) ? 1 : 0}}));
    if (in.qualified_unit_ids) ROTA_TRY(ReplaceQualifiedUnits(c, id, {}, *in.qualified_unit_ids).status());
    ROTA_ASSIGN(out.body, StaffJson(c, id));
    out.changes.Add(home, kStaff | kQualifications);
    return Status::Ok();
  });
}

Result<std::string> WriteService::UpdateStaff(const Principal& p, int64_t staff_id, std::string_view body) {
  const Result<StaffInput> input = ReadStaff(body, /*creating=*/false);
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    std::optional<StaffRow> row;
    ROTA_ASSIGN(row, LoadStaff(c, staff_id));
    if (!row) return Missing("staff member", staff_id);
    ROTA_TRY(CheckHome(p, row->home_id));
    if (!input) return input.error();
    const StaffInput& in = *input;
    ROTA_TRY(CheckStaffUnits(c, in, row->home_id));

    StaffRow next = *row;
    if (in.first_name) next.first_name = *in.first_name;
    if (in.last_name) next.last_name = *in.last_name;
    if (in.role) next.role = *in.role;
    if (in.contracted_hours) next.contracted_hours = *in.contracted_hours;
    if (in.primary_unit_id) next.primary_unit_id = *in.primary_unit_id;
    if (in.active) next.active = *in.active;
    bool changed = false;
    if (next.first_name != row->first_name || next.last_name != row->last_name || next.role != row->role ||
        next.contracted_hours != row->contracted_hours || next.primary_unit_id != row->primary_unit_id ||
        next.active != row->active) {
      ROTA_TRY(c.Exec("UPDATE staff SET first_name = ?, last_name = ?, role = ?, contracted_hours = ?, "
                      "primary_unit_id = ?, active = ? WHERE id = ?",
                      {std::string_view(next.first_name), std::string_view(next.last_name),
                       std::string_view(next.role), next.contracted_hours, db::Nullable(next.primary_unit_id),
                       int64_t{next.active ? 1 : 0}, staff_id})
                   .status());
      changed = true;
    }
    if (in.qualified_unit_ids) {
      std::vector<int64_t> have;
      ROTA_ASSIGN(have, QualifiedUnits(c, staff_id));
      bool replaced = false;
      ROTA_ASSIGN(replaced, ReplaceQualifiedUnits(c, staff_id, have, *in.qualified_unit_ids));
      changed = changed || replaced;
    }
    if (changed) out.changes.Add(row->home_id, kStaff | kQualifications);
    ROTA_ASSIGN(out.body, StaffJson(c, staff_id));
    return Status::Ok();
  });
}

Status WriteService::DeleteStaff(const Principal& p, int64_t staff_id) {
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
           std::optional<int64_t> home;
           ROTA_ASSIGN(home, StaffHome(c, staff_id));
           if (!home) return Missing("staff member", staff_id);
           ROTA_TRY(CheckHome(p, *home));
           // Their shifts become vacant (explicitly, and recorded as an update);
           // qualifications, certifications and leave go with them (CASCADE).
           ROTA_TRY(c.Exec("UPDATE shift SET staff_id = NULL, updated_at = ?, updated_by = ? WHERE staff_id = ?",
                           {NowTimestamp(), Actor(p), staff_id})
                        .status());
           ROTA_TRY(c.Exec("DELETE FROM staff WHERE id = ?", {staff_id}).status());
           out.changes.Add(*home, kStaff | kQualifications | kShifts | kCertifications | kLeave);
           return Status::Ok();
         })
      .status();
}

// ---- certifications ------------------------------------------------------------------

Result<std::string> WriteService::CreateCertification(const Principal& p, std::string_view body) {
  NewCertificationBody in;
  ROTA_ASSIGN(in, ReadNewCertification(body));
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    int64_t home = 0;
    ROTA_ASSIGN(home, AccessibleStaffRef(c, p, in.staff_id));
    int64_t id = 0;
    ROTA_ASSIGN(id, Insert(c, "INSERT INTO certification (staff_id, name, expires_on) VALUES (?, ?, ?) RETURNING id",
                             {in.staff_id, std::string_view(in.name), in.expires_on.ToString()}));
    JsonWriter w;
    w.BeginObject();
    w.Field("id", id);
    w.Field("staff_id", in.staff_id);
    w.Field("name", in.name);
    w.Field("expires_on", in.expires_on);
    w.EndObject();
    out.body = std::move(w).Take();
    out.changes.Add(home, kCertifications);
    return Status::Ok();
  });
}

Status WriteService::DeleteCertification(const Principal& p, int64_t cert_id) {
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
           std::optional<int64_t> home;
           ROTA_ASSIGN(home, c.QueryInt("SELECT f.home_id FROM certification x JOIN staff f ON f.id = x.staff_id "
                                          "WHERE x.id = ?",
                                          {cert_id}));
           if (!home) return Missing("certification", cert_id);
           ROTA_TRY(CheckHome(p, *home));
           ROTA_TRY(c.Exec("DELETE FROM certification WHERE id = ?", {cert_id}).status());
           out.changes.Add(*home, kCertifications);
           return Status::Ok();
         })
      .status();
}

// ---- leave --------------------------------------------------------------------------

Result<std::string> WriteService::CreateLeaveRequest(const Principal& p, std::string_view body) {
  LeaveRow in;
  in.status = "pending";
  {
    NewLeaveBody b;
    ROTA_ASSIGN(b, ReadNewLeaveRequest(body));
    in.staff_id = b.staff_id;
    in.start = b.start;
    in.end = b.end;
    in.reason = std::move(b.reason);
  }
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    int64_t home = 0;
    ROTA_ASSIGN(home, AccessibleStaffRef(c, p, in.staff_id));
    LeaveRow row = in;
    ROTA_ASSIGN(row.id, Insert(c,
                                 "INSERT INTO leave_request (staff_id, start_date, end_date, status, reason, "
                                 "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                 {in.staff_id, in.start.ToString(), in.end.ToString(), std::string_view(in.status),
                                  std::string_view(in.reason), NowTimestamp()}));
    out.body = LeaveJson(row);
    out.changes.Add(home, kLeave);
    return Status::Ok();
  });
}

Result<std::string> WriteService::UpdateLeaveRequest(const Principal& p, int64_t leave_id, std::string_view body) {
  const Result<domain::LeaveStatus> status = ReadLeaveStatus(body);
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    // Locks the leave request and its staff member (PostgreSQL): approval must
    // not race an assignment, which locks the staff member too.
    std::optional<LeaveRow> row;
    int64_t home = 0;
    std::string start, end;
    ROTA_TRY(c.Query(Locked(c, "SELECT l.id, l.staff_id, l.start_date, l.end_date, l.status, l.reason, f.home_id "
                               "FROM leave_request l JOIN staff f ON f.id = l.staff_id WHERE l.id = ?"),
                     {leave_id}, [&](const Row& r) {
                       row = LeaveRow{r.Int(0), r.Int(1), Date(), Date(), std::string(r.Text(4)),
                                      std::string(r.Text(5))};
                       start = r.Text(2);
                       end = r.Text(3);
                       home = r.Int(6);
                     }));
    if (!row) return Missing("leave request", leave_id);
    ROTA_ASSIGN(row->start, DbDate(start));
    ROTA_ASSIGN(row->end, DbDate(end));
    ROTA_TRY(CheckHome(p, home));
    if (!status) return status.error();
    const auto from = domain::ParseLeaveStatus(row->status).value_or(domain::LeaveStatus::kPending);
    if (row->status != domain::LeaveStatusName(*status)) {
      std::vector<int64_t> assigned;
      if (*status == domain::LeaveStatus::kApproved) {
        ROTA_TRY(c.Query("SELECT id FROM shift WHERE staff_id = ? AND date >= ? AND date <= ? ORDER BY id",
                         {row->staff_id, row->start.ToString(), row->end.ToString()},
                         [&](const Row& r) { assigned.push_back(r.Int(0)); }));
      }
      ROTA_TRY(domain::CheckLeaveApproval(from, *status, assigned));
      row->status = std::string(domain::LeaveStatusName(*status));
      ROTA_TRY(c.Exec("UPDATE leave_request SET status = ? WHERE id = ?", {std::string_view(row->status), row->id})
                   .status());
      out.changes.Add(home, kLeave);
    }
    out.body = LeaveJson(*row);
    return Status::Ok();
  });
}

// ---- homes -------------------------------------------------------------------------

Result<std::string> WriteService::UpdateHome(const Principal& p, int64_t home_id, std::string_view body) {
  ROTA_TRY(CheckHome(p, home_id));
  const Result<std::string> name = ReadHomeName(body);
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    std::optional<std::string> current;
    ROTA_TRY(c.Query(Locked(c, "SELECT name FROM care_home WHERE id = ?"), {home_id},
                     [&](const Row& r) { current = std::string(r.Text(0)); }));
    if (!current) return Missing("home", home_id);
    if (!name) return name.error();
    if (*name != *current) {
      std::optional<int64_t> other;
      ROTA_ASSIGN(other, c.QueryInt("SELECT id FROM care_home WHERE name = ? AND id <> ?",
                                      {std::string_view(*name), home_id}));
      ROTA_TRY(domain::CheckHomeNameFree(*name, other.has_value()));
      auto updated = c.Exec("UPDATE care_home SET name = ? WHERE id = ?", {std::string_view(*name), home_id});
      if (!updated) {
        Error e = std::move(updated).error();
        if (e.code == ErrorCode::kConflict) e = domain::CheckHomeNameFree(*name, true).error();  // lost a race
        return e;
      }
      out.changes.Add(home_id, kHome);
    }
    JsonWriter w;
    w.BeginObject();
    w.Field("id", home_id);
    w.Field("name", *name);
    w.EndObject();
    out.body = std::move(w).Take();
    return Status::Ok();
  });
}

}  // namespace rota::service

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
// (plus one per qualified unit added or removed on a staff write). The SQL is
// db/'s: db/shift_writes.hpp, db/staff_writes.hpp and db/home_repository.hpp
// for what a write reads and changes, db/shift_repository.hpp and
// db/staff_repository.hpp for the answers; each says what it costs.
#include "service/writes.hpp"

#include <set>
#include <vector>

#include <fmt/format.h>

#include "base/date.hpp"
#include "db/home_repository.hpp"
#include "db/shift_repository.hpp"
#include "db/shift_writes.hpp"
#include "db/staff_repository.hpp"
#include "db/staff_writes.hpp"
#include "domain/rules.hpp"
#include "service/json_writer.hpp"
#include "service/model_json.hpp"
#include "service/write_bodies.hpp"

namespace rota::service {
namespace {

using db::Connection;
using domain::AssignmentChange;

// ---- plumbing -----------------------------------------------------------------

// What a write's transaction produces: the response body and what changed.
struct Outcome {
  std::string body;
  ChangeSet changes;
};

using WriteFn = std::function<Status(Connection&, Outcome&)>;

// Leases a connection, runs `fn` in a transaction, and announces the changes
// after commit, with the connection back in the pool (an announcement may wait
// for Redis, and the refresh after write and the cache's probe take
// connections of their own). Returns the response body.
Result<std::string> Transact(db::Pool& pool, ChangeSink& sink, const WriteFn& fn) {
  Outcome out;
  {
    auto lease = pool.Acquire();
    if (!lease) return std::move(lease).error();
    Connection& conn = **lease;
    Status s = db::InTransaction(conn, [&]() -> Status {
      ROTA_TRY(fn(conn, out));
      if (!out.changes.empty()) ROTA_TRY(sink.Prepare(conn, out.changes));
      return Status::Ok();
    });
    if (!s) return std::move(s).error();
  }
  if (!out.changes.empty()) sink.Committed(out.changes);
  return std::move(out.body);
}

Error Missing(std::string_view what, int64_t id) {
  return Error::NotFound(fmt::format("{} {} does not exist", what, id));
}

// ---- access ---------------------------------------------------------------------

// The shift `id` (of a home `p` may see), or 404/403. Locks it (PostgreSQL).
Result<domain::ShiftRecord> AccessibleShift(Connection& c, const Principal& p, int64_t id) {
  std::optional<domain::ShiftRecord> row;
  ROTA_ASSIGN(row, db::LoadShiftRecord(c, id));
  if (!row) return Missing("shift", id);
  ROTA_TRY(CheckHome(p, row->home_id));
  return *row;
}

// The home of staff member `id` named by a body field (422 when unknown, then
// 403). Locks the staff row (PostgreSQL): the rules that follow read their
// shifts and leave.
Result<int64_t> AccessibleStaffRef(Connection& c, const Principal& p, int64_t id) {
  std::optional<int64_t> home;
  ROTA_ASSIGN(home, db::StaffHome(c, id));
  if (!home) return Error::Invalid(fmt::format("staff member {} does not exist", id), "staff_id");
  ROTA_TRY(CheckHome(p, *home));
  return *home;
}

Status CheckHomeExists(Connection& c, int64_t home_id) {
  bool found = false;
  ROTA_ASSIGN(found, db::HomeExists(c, home_id));
  if (!found) return Error::Invalid(fmt::format("home {} does not exist", home_id), "home_id");
  return Status::Ok();
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

std::string LeaveJson(const domain::LeaveRequest& l) {
  JsonWriter w;
  w.BeginObject();
  w.Field("id", l.id);
  w.Field("staff_id", l.staff_id);
  w.Field("start_date", l.start_date);
  w.Field("end_date", l.end_date);
  w.Field("status", domain::LeaveStatusName(l.status));
  w.Field("reason", l.reason);
  w.EndObject();
  return std::move(w).Take();
}

// ---- rules --------------------------------------------------------------------------

// Loads the facts the rules need about what `changed` in shift `t` (as the
// write would leave it), then applies them.
Status CheckShiftTarget(Connection& c, const domain::ShiftRecord& t, AssignmentChange changed) {
  domain::ShiftFacts facts;
  ROTA_ASSIGN(facts, db::LoadShiftFacts(c, t, changed));
  return domain::CheckShift(facts);
}

// Read and checked without the database by service/write_bodies.hpp.
using StaffInput = StaffBody;

// 422 unless the units the input names belong to `home_id`. One statement, only
// when the input names units.
Status CheckStaffUnits(Connection& c, const StaffInput& in, int64_t home_id) {
  const bool names_primary = in.primary_unit_id && *in.primary_unit_id;
  if (!names_primary && !in.qualified_unit_ids) return Status::Ok();
  std::set<int64_t> units;
  ROTA_ASSIGN(units, db::UnitIdsOfHome(c, home_id));
  if (names_primary) ROTA_TRY(domain::CheckUnitsOfHome({**in.primary_unit_id}, units, home_id, "primary_unit_id"));
  if (in.qualified_unit_ids)
    ROTA_TRY(domain::CheckUnitsOfHome(*in.qualified_unit_ids, units, home_id, "qualified_unit_ids"));
  return Status::Ok();
}

}  // namespace

// ---- shifts -----------------------------------------------------------------------

Result<std::string> WriteService::CreateShift(const Principal& p, std::string_view body) {
  NewShiftBody in;
  ROTA_ASSIGN(in, ReadNewShift(body));
  ROTA_TRY(CheckHome(p, in.home_id));
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    ROTA_TRY(CheckHomeExists(c, in.home_id));
    const domain::ShiftRecord t{0, in.home_id, in.unit_id, in.shift_type_id, in.date, in.staff_id};
    ROTA_TRY(CheckShiftTarget(c, t, AssignmentChange::All()));
    int64_t id = 0;
    ROTA_ASSIGN(id, db::InsertShift(c, t, p.actor(), NowTimestamp()));
    ROTA_ASSIGN(out.body, ShiftJson(c, id));
    out.changes.Add(in.home_id, kShifts);
    return Status::Ok();
  });
}

Result<std::string> WriteService::UpdateShift(const Principal& p, int64_t shift_id, std::string_view body) {
  const Result<ShiftPatchBody> patch = ReadShiftPatch(body);
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    domain::ShiftRecord row;
    ROTA_ASSIGN(row, AccessibleShift(c, p, shift_id));
    if (!patch) return patch.error();
    domain::ShiftRecord t = row;
    AssignmentChange changed;
    if (patch->staff_id && *patch->staff_id != row.staff_id) changed.staff = true, t.staff_id = *patch->staff_id;
    if (patch->unit_id && *patch->unit_id != row.unit_id) changed.unit = true, t.unit_id = *patch->unit_id;
    if (patch->date && *patch->date != row.date) changed.date = true, t.date = *patch->date;
    if (patch->shift_type_id && *patch->shift_type_id != row.shift_type_id)
      changed.shift_type = true, t.shift_type_id = *patch->shift_type_id;
    if (changed.staff || changed.unit || changed.date || changed.shift_type) {
      ROTA_TRY(CheckShiftTarget(c, t, changed));
      ROTA_TRY(db::UpdateShift(c, t, p.actor(), NowTimestamp()));
      out.changes.Add(row.home_id, kShifts);
    }
    ROTA_ASSIGN(out.body, ShiftJson(c, row.id));
    return Status::Ok();
  });
}

Status WriteService::DeleteShift(const Principal& p, int64_t shift_id) {
  return Transact(pool_, sink_,
                  [&](Connection& c, Outcome& out) -> Status {
                    domain::ShiftRecord row;
                    ROTA_ASSIGN(row, AccessibleShift(c, p, shift_id));
                    // Notes and links go with it (ON DELETE CASCADE).
                    ROTA_TRY(db::DeleteShift(c, row.id));
                    out.changes.Add(row.home_id, kShifts | kNotes | kLinks);
                    return Status::Ok();
                  })
      .status();
}

Result<std::string> WriteService::AddShiftNote(const Principal& p, int64_t shift_id, std::string_view body) {
  const Result<std::string> note = ReadNoteBody(body);
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    domain::ShiftRecord row;
    ROTA_ASSIGN(row, AccessibleShift(c, p, shift_id));
    if (!note) return note.error();
    int64_t id = 0;
    ROTA_ASSIGN(id, db::InsertShiftNote(c, row.id, p.actor(), *note, NowTimestamp()));
    std::optional<domain::ShiftNote> added;
    ROTA_ASSIGN(added, db::LoadShiftNote(c, id));
    if (!added) return Error::Internal(fmt::format("note {} vanished while writing it", id));
    JsonWriter w;
    w.BeginObject();
    w.Field("id", added->id);
    w.Field("author", added->author);
    w.Field("body", added->body);
    w.Field("created_at", added->created_at);
    w.EndObject();
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
    const domain::StaffRecord record{0,
                                     home,
                                     in.primary_unit_id.value_or(std::nullopt),
                                     *in.first_name,
                                     *in.last_name,
                                     *in.role,
                                     in.contracted_hours.value_or(0.0),
                                     in.active.value_or(true)};
    int64_t id = 0;
    ROTA_ASSIGN(id, db::InsertStaff(c, record));
    if (in.qualified_unit_ids) ROTA_TRY(db::ReplaceQualifiedUnits(c, id, {}, *in.qualified_unit_ids).status());
    ROTA_ASSIGN(out.body, StaffJson(c, id));
    out.changes.Add(home, kStaff | kQualifications);
    return Status::Ok();
  });
}

Result<std::string> WriteService::UpdateStaff(const Principal& p, int64_t staff_id, std::string_view body) {
  const Result<StaffInput> input = ReadStaff(body, /*creating=*/false);
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    std::optional<domain::StaffRecord> row;
    ROTA_ASSIGN(row, db::LoadStaffRecord(c, staff_id));
    if (!row) return Missing("staff member", staff_id);
    ROTA_TRY(CheckHome(p, row->home_id));
    if (!input) return input.error();
    const StaffInput& in = *input;
    ROTA_TRY(CheckStaffUnits(c, in, row->home_id));

    domain::StaffRecord next = *row;
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
      ROTA_TRY(db::UpdateStaff(c, next));
      changed = true;
    }
    if (in.qualified_unit_ids) {
      std::vector<int64_t> have;
      ROTA_ASSIGN(have, db::QualifiedUnitIds(c, staff_id));
      bool replaced = false;
      ROTA_ASSIGN(replaced, db::ReplaceQualifiedUnits(c, staff_id, have, *in.qualified_unit_ids));
      changed = changed || replaced;
    }
    if (changed) out.changes.Add(row->home_id, kStaff | kQualifications);
    ROTA_ASSIGN(out.body, StaffJson(c, staff_id));
    return Status::Ok();
  });
}

Status WriteService::DeleteStaff(const Principal& p, int64_t staff_id) {
  return Transact(pool_, sink_,
                  [&](Connection& c, Outcome& out) -> Status {
                    std::optional<int64_t> home;
                    ROTA_ASSIGN(home, db::StaffHome(c, staff_id));
                    if (!home) return Missing("staff member", staff_id);
                    ROTA_TRY(CheckHome(p, *home));
                    // Their shifts become vacant (explicitly, and recorded as an update);
                    // qualifications, certifications and leave go with them (CASCADE).
                    ROTA_TRY(db::VacateShiftsOf(c, staff_id, p.actor(), NowTimestamp()));
                    ROTA_TRY(db::DeleteStaff(c, staff_id));
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
    domain::Certification cert{0, in.name, in.expires_on};
    ROTA_ASSIGN(cert.id, db::InsertCertification(c, in.staff_id, cert));
    JsonWriter w;
    w.BeginObject();
    w.Field("id", cert.id);
    w.Field("staff_id", in.staff_id);
    w.Field("name", cert.name);
    w.Field("expires_on", cert.expires_on);
    w.EndObject();
    out.body = std::move(w).Take();
    out.changes.Add(home, kCertifications);
    return Status::Ok();
  });
}

Status WriteService::DeleteCertification(const Principal& p, int64_t cert_id) {
  return Transact(pool_, sink_,
                  [&](Connection& c, Outcome& out) -> Status {
                    std::optional<int64_t> home;
                    ROTA_ASSIGN(home, db::CertificationHome(c, cert_id));
                    if (!home) return Missing("certification", cert_id);
                    ROTA_TRY(CheckHome(p, *home));
                    ROTA_TRY(db::DeleteCertification(c, cert_id));
                    out.changes.Add(*home, kCertifications);
                    return Status::Ok();
                  })
      .status();
}

// ---- leave --------------------------------------------------------------------------

Result<std::string> WriteService::CreateLeaveRequest(const Principal& p, std::string_view body) {
  domain::LeaveRequest in;
  {
    NewLeaveBody b;
    ROTA_ASSIGN(b, ReadNewLeaveRequest(body));
    in.staff_id = b.staff_id;
    in.start_date = b.start;
    in.end_date = b.end;
    in.status = domain::LeaveStatus::kPending;
    in.reason = std::move(b.reason);
  }
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    int64_t home = 0;
    ROTA_ASSIGN(home, AccessibleStaffRef(c, p, in.staff_id));
    domain::LeaveRequest row = in;
    ROTA_ASSIGN(row.id, db::InsertLeaveRequest(c, in, NowTimestamp()));
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
    std::optional<db::LeaveOfHome> found;
    ROTA_ASSIGN(found, db::LoadLeaveForUpdate(c, leave_id));
    if (!found) return Missing("leave request", leave_id);
    domain::LeaveRequest& row = found->leave;
    const int64_t home = found->home_id;
    ROTA_TRY(CheckHome(p, home));
    if (!status) return status.error();
    if (row.status != *status) {
      std::vector<int64_t> assigned;
      if (*status == domain::LeaveStatus::kApproved)
        ROTA_ASSIGN(assigned, db::ShiftIdsOfStaffBetween(c, row.staff_id, row.start_date, row.end_date));
      ROTA_TRY(domain::CheckLeaveApproval(row.status, *status, assigned));
      row.status = *status;
      ROTA_TRY(db::UpdateLeaveStatus(c, row.id, row.status));
      out.changes.Add(home, kLeave);
    }
    out.body = LeaveJson(row);
    return Status::Ok();
  });
}

// ---- homes -------------------------------------------------------------------------

Result<std::string> WriteService::UpdateHome(const Principal& p, int64_t home_id, std::string_view body) {
  ROTA_TRY(CheckHome(p, home_id));
  const Result<std::string> name = ReadHomeName(body);
  return Transact(pool_, sink_, [&](Connection& c, Outcome& out) -> Status {
    std::optional<std::string> current;
    ROTA_ASSIGN(current, db::LoadHomeNameForUpdate(c, home_id));
    if (!current) return Missing("home", home_id);
    if (!name) return name.error();
    if (*name != *current) {
      bool taken = false;
      ROTA_ASSIGN(taken, db::HomeNameTaken(c, *name, home_id));
      ROTA_TRY(domain::CheckHomeNameFree(*name, taken));
      if (Status renamed = db::RenameHome(c, home_id, *name); !renamed) {
        Error e = std::move(renamed).error();
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

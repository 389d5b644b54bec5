// The list entries of api.md, rendered in one place for the reads and the writes.
//
// api.md has a write answer "the shift as in the list" and "the member of staff
// as in the staff list"; so the list reads (service/reads.cpp) and the write
// responses (service/writes.cpp) render entries with these functions, over a
// selection that is either a list's rows or one row. The statements are the
// same in both cases but for their WHERE clause, and their number is constant:
// the children of all selected rows are loaded with one query per kind, in the
// list's order, and merged in one forward pass.
//
// REQUIRES: `c` is the caller's connection (a write passes its transaction's).
#pragma once

#include <cstdint>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "base/date.hpp"
#include "base/status.hpp"
#include "db/database.hpp"

namespace rota::service::views {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Which shifts: those of a home dated in [from, to], or one shift.
struct ShiftSelection {
  static ShiftSelection Range(int64_t home, Date from, Date to) { return {false, home, from, to}; }
  static ShiftSelection One(int64_t shift_id) { return {true, shift_id, {}, {}}; }
  bool one;
  int64_t id;  // home id (Range) or shift id (One)
  Date from, to;
};

// Writes one JSON object per selected shift, ordered by (date, unit_id,
// shift_type_id, id), and returns how many. Three statements.
Result<int64_t> WriteShifts(db::Connection& c, const ShiftSelection& selection, JsonWriter& w);

// Which staff: all of a home, or one member of staff.
struct StaffSelection {
  static StaffSelection Home(int64_t home) { return {false, home}; }
  static StaffSelection One(int64_t staff_id) { return {true, staff_id}; }
  bool one;
  int64_t id;  // home id or staff id
};

// Writes one JSON object per selected member of staff, ordered by id. Returns
// false when the home (Home) or the member of staff (One) does not exist —
// the first statement tells, so a list needs no separate existence check.
// Four statements.
Result<bool> WriteStaff(db::Connection& c, const StaffSelection& selection, JsonWriter& w);

// Small emitters shared by the renderers.
void Str(JsonWriter& w, std::string_view s);
void OptStr(JsonWriter& w, const std::optional<std::string>& s);
void IdName(JsonWriter& w, int64_t id, std::string_view name);  // {"id": id, "name": name}

}  // namespace rota::service::views

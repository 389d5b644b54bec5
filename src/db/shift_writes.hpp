// What the write path (service/writes.cpp) reads and changes of shifts and
// their notes: a shift's own columns (domain::ShiftRecord), the facts the
// shift rules need (domain::ShiftFacts), and the INSERT/UPDATE/DELETE of a
// shift, of a note, and of the shifts a deleted member of staff leaves vacant.
// The answers a write renders come from db/shift_repository.hpp.
//
// Statement budget: one statement per function, except LoadShiftFacts (zero
// to three, only for what changed). Rows a rule reads are locked FOR UPDATE on
// PostgreSQL (LoadShiftRecord, and the member of staff in LoadShiftFacts), so
// two concurrent writes cannot both pass "no second shift that date".
//
// REQUIRES: `c` is inside the caller's transaction (db::InTransaction).
// `actor` is the user recorded as created_by/updated_by/author (nullopt: the
// command line); `now` is a 'YYYY-MM-DDTHH:MM:SSZ' timestamp.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/date.hpp"
#include "base/status.hpp"
#include "db/database.hpp"
#include "domain/model.hpp"
#include "domain/rules.hpp"

namespace rota::db {

// Shift `id`, locked; nullopt when there is none.
Result<std::optional<domain::ShiftRecord>> LoadShiftRecord(Connection& c, int64_t id);

// The facts domain::CheckShift needs about shift `s` as a write would leave it,
// loading only what `changed` makes the rules look at: the unit's home (unit
// changed), whether the shift type exists (type changed), and the assignee's
// home, activity, qualification, other shift that date and approved leave
// (staff, unit or date changed, and someone is assigned; their row locked).
Result<domain::ShiftFacts> LoadShiftFacts(Connection& c, const domain::ShiftRecord& s,
                                          domain::AssignmentChange changed);

// Inserts `s` (its id ignored); returns the new id.
Result<int64_t> InsertShift(Connection& c, const domain::ShiftRecord& s, std::optional<int64_t> actor,
                            std::string_view now);
// Writes the unit, type, date and member of staff of shift `s.id`.
Status UpdateShift(Connection& c, const domain::ShiftRecord& s, std::optional<int64_t> actor, std::string_view now);
// Deletes shift `id`; its notes and links go with it (ON DELETE CASCADE).
Status DeleteShift(Connection& c, int64_t id);

// Makes every shift of staff member `staff_id` vacant, recorded as an update.
Status VacateShiftsOf(Connection& c, int64_t staff_id, std::optional<int64_t> actor, std::string_view now);
// The ids of the shifts staff member `staff_id` works in [from, to], ascending.
Result<std::vector<int64_t>> ShiftIdsOfStaffBetween(Connection& c, int64_t staff_id, Date from, Date to);

// Adds a note to shift `shift_id`; returns its id.
Result<int64_t> InsertShiftNote(Connection& c, int64_t shift_id, std::optional<int64_t> actor, std::string_view body,
                                std::string_view now);
// Note `id` as a shift shows it (author by username); nullopt when there is none.
Result<std::optional<domain::ShiftNote>> LoadShiftNote(Connection& c, int64_t id);

}  // namespace rota::db

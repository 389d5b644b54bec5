// One week of a home's rota, as the rota page (/homes/{id}/rota/) shows it:
// every unit of the home (the grid's rows), the shifts of the seven days with
// their assignees and notes (the cells), and what the domain's one eligibility
// rule (domain/eligibility.hpp MayTake) needs to know of each member of staff
// to say who may take a vacant shift that week.
//
// It is loaded in one go by db/rota_repository.hpp (three statements) rather
// than assembled from the shift list and the staff list (seven), so the
// uncached page stays cheap. The staff in it are partial on purpose: a
// StaffMember with id, name, role, active, qualified units and only the
// *approved* leave that overlaps the week, which is all MayTake reads; their
// certifications and other leave are not loaded. Shifts carry their notes but
// not their links or created_by/updated_by.
//
// The week's first day comes from the page's `?from=`: ParseWeekStart keeps a
// caller from making the server cache arbitrary weeks (±1 year of today).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "base/date.hpp"
#include "base/status.hpp"
#include "domain/model.hpp"
#include "domain/range.hpp"

namespace rota::domain {

inline constexpr int kWeekDays = 7;
// How far from today a rota week may start (the page answers 400 beyond).
inline constexpr int kWeekStartWindowDays = 366;

struct RotaWeek {
  IdName home;
  DateRange range;                 // kWeekDays days
  std::vector<IdName> units;       // every unit of the home, by id
  std::vector<Shift> shifts;       // by (date, unit, shift type, id), with notes by id
  std::vector<StaffMember> staff;  // every member of the home, by id (partial: see above)
};

// ?from=YYYY-MM-DD of the rota page: today when absent; 422 (field `from`)
// when it is not a date or lies more than kWeekStartWindowDays from today.
Result<Date> ParseWeekStart(std::optional<std::string_view> from, Date today);

// The week's days from `from`.
DateRange WeekFrom(Date from);

}  // namespace rota::domain

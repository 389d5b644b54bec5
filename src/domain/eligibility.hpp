// Who may take a vacant shift: the one rule behind the write path's
// CheckShift (service/writes.cpp) and the candidates the home page offers
// (web/home_panel.cpp), so the page never offers someone the API refuses.
//
// The page knows the staff list (domain::StaffMember, with qualified units and
// leave) and the shifts of the dates it shows; from them it builds the same
// AssigneeFacts the write path loads from the database, and asks CheckShift
// whether assigning that member to the shift would pass.
#pragma once

#include <cstdint>

#include "base/date.hpp"
#include "domain/model.hpp"
#include "domain/rules.hpp"

namespace rota::domain {

// What the staff list's model tells of `member` (of home `home_id`) as the
// assignee of a shift of unit `unit_id` on `date`. `works_that_date`: they
// already have a shift on `date` (the caller knows the shifts).
AssigneeFacts AssigneeFactsOf(const StaffMember& member, int64_t home_id, int64_t unit_id, Date date,
                              bool works_that_date);

// Whether assigning `member` to `shift` (of home `home_id`) passes CheckShift,
// as PATCH {"staff_id": member.id} on that shift would be judged.
bool MayTake(const Shift& shift, int64_t home_id, const StaffMember& member, bool works_that_date);

}  // namespace rota::domain

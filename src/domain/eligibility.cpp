#include "domain/eligibility.hpp"

#include <algorithm>

namespace rota::domain {

AssigneeFacts AssigneeFactsOf(const StaffMember& m, int64_t home_id, int64_t unit_id, Date date, bool works_that_date) {
  AssigneeFacts f;
  f.home_id = home_id;
  f.active = m.active;
  f.qualified_for_unit =
      std::any_of(m.qualified_units.begin(), m.qualified_units.end(), [&](const IdName& u) { return u.id == unit_id; });
  f.has_other_shift_that_date = works_that_date;
  f.on_approved_leave = std::any_of(m.leave_requests.begin(), m.leave_requests.end(), [&](const LeaveRequest& l) {
    return l.status == LeaveStatus::kApproved && l.start_date <= date && date <= l.end_date;
  });
  return f;
}

bool MayTake(const Shift& shift, int64_t home_id, const StaffMember& m, bool works_that_date) {
  ShiftFacts facts;
  facts.home_id = home_id;
  facts.unit_id = shift.unit.id;
  facts.unit_home_id = home_id;
  facts.shift_type_id = shift.shift_type.id;
  facts.date = shift.date;
  facts.staff_id = m.id;
  facts.staff = AssigneeFactsOf(m, home_id, shift.unit.id, shift.date, works_that_date);
  facts.changed = AssignmentChange{.staff = true};
  return CheckShift(facts).ok();
}

}  // namespace rota::domain

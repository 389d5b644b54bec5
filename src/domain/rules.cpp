#include "domain/rules.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace rota::domain {
namespace {

bool OnlyWhitespace(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; });
}

// 1..max characters, not blank.
Status CheckText(std::string_view value, std::string_view field, size_t max_chars) {
  if (value.empty() || OnlyWhitespace(value))
    return Error::Invalid(fmt::format("{} must not be empty", field), std::string(field));
  if (Utf8Length(value) > max_chars)
    return Error::Invalid(fmt::format("{} must be at most {} characters", field, max_chars), std::string(field));
  return Status::Ok();
}

// The field to blame for an assignment rule that a change of `own_field`
// (unit_id or date) can break: staff_id when the request set the staff member.
std::string Culprit(const AssignmentChange& changed, const char* own_field) {
  return changed.staff ? "staff_id" : own_field;
}

Status CheckAssignee(const ShiftFacts& f) {
  const int64_t staff_id = *f.staff_id;
  if (!f.staff) return Error::Invalid(fmt::format("staff member {} does not exist", staff_id), "staff_id");
  const AssigneeFacts& s = *f.staff;
  if (s.home_id != f.home_id)
    return Error::Invalid(fmt::format("staff member {} does not belong to home {}", staff_id, f.home_id), "staff_id");
  if (!s.active) return Error::Invalid(fmt::format("staff member {} is not active", staff_id), "staff_id");
  if (!s.qualified_for_unit)
    return Error::Invalid(fmt::format("staff member {} is not qualified for unit {}", staff_id, f.unit_id),
                          Culprit(f.changed, "unit_id"));
  if (s.has_other_shift_that_date)
    return Error::Conflict(fmt::format("staff member {} already works a shift on {}", staff_id, f.date.ToString()),
                           Culprit(f.changed, "date"));
  if (s.on_approved_leave)
    return Error::Conflict(fmt::format("staff member {} is on approved leave on {}", staff_id, f.date.ToString()),
                           Culprit(f.changed, "date"));
  return Status::Ok();
}

}  // namespace

size_t Utf8Length(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

Status CheckShift(const ShiftFacts& f) {
  if (f.changed.unit && f.unit_home_id != f.home_id)
    return Error::Invalid(fmt::format("unit {} does not belong to home {}", f.unit_id, f.home_id), "unit_id");
  if (f.changed.shift_type && !f.shift_type_exists)
    return Error::Invalid(fmt::format("shift type {} does not exist", f.shift_type_id), "shift_type_id");
  const bool assignment_changed = f.changed.staff || f.changed.unit || f.changed.date;
  if (f.staff_id && assignment_changed) return CheckAssignee(f);
  return Status::Ok();
}

Status CheckNoteBody(std::string_view body) { return CheckText(body, "body", kMaxNoteChars); }

Status CheckName(std::string_view value, std::string_view field) { return CheckText(value, field, kMaxNameChars); }

Status CheckRole(std::string_view role) {
  if (role == "nurse" || role == "senior_carer" || role == "carer") return Status::Ok();
  return Error::Invalid("role must be one of nurse, senior_carer, carer", "role");
}

Status CheckContractedHours(double hours) {
  if (std::isfinite(hours) && hours >= 0 && hours <= kMaxContractedHours) return Status::Ok();
  return Error::Invalid(fmt::format("contracted_hours must be between 0 and {}", kMaxContractedHours),
                        "contracted_hours");
}

Status CheckUnitsOfHome(const std::vector<int64_t>& unit_ids, const std::set<int64_t>& home_units, int64_t home_id,
                        std::string_view field) {
  for (int64_t id : unit_ids) {
    if (!home_units.contains(id))
      return Error::Invalid(fmt::format("unit {} does not belong to home {}", id, home_id), std::string(field));
  }
  return Status::Ok();
}

Status CheckHomeNameFree(std::string_view name, bool taken_by_another_home) {
  if (!taken_by_another_home) return Status::Ok();
  return Error::Conflict(fmt::format("another home is already named '{}'", name), "name");
}

std::optional<LeaveStatus> ParseLeaveStatus(std::string_view text) {
  if (text == "pending") return LeaveStatus::kPending;
  if (text == "approved") return LeaveStatus::kApproved;
  if (text == "rejected") return LeaveStatus::kRejected;
  return std::nullopt;
}

std::string_view LeaveStatusName(LeaveStatus s) {
  switch (s) {
    case LeaveStatus::kPending:
      return "pending";
    case LeaveStatus::kApproved:
      return "approved";
    case LeaveStatus::kRejected:
      return "rejected";
  }
  return "pending";
}

Status CheckLeaveStatus(std::string_view status) {
  if (ParseLeaveStatus(status)) return Status::Ok();
  return Error::Invalid("status must be one of pending, approved, rejected", "status");
}

Status CheckDateRange(Date start, Date end) {
  if (end >= start) return Status::Ok();
  return Error::Invalid(fmt::format("end_date {} is before start_date {}", end.ToString(), start.ToString()),
                        "end_date");
}

Status CheckLeaveReason(std::string_view reason) {
  if (Utf8Length(reason) <= kMaxReasonChars) return Status::Ok();
  return Error::Invalid(fmt::format("reason must be at most {} characters", kMaxReasonChars), "reason");
}

Status CheckLeaveApproval(LeaveStatus from, LeaveStatus to, const std::vector<int64_t>& assigned_shift_ids) {
  if (to != LeaveStatus::kApproved || from == LeaveStatus::kApproved || assigned_shift_ids.empty()) return Status::Ok();
  return Error::Conflict(
      fmt::format("the staff member is assigned to shift{} {} during this leave: reassign those shifts first",
                  assigned_shift_ids.size() == 1 ? "" : "s", fmt::join(assigned_shift_ids, ", ")),
      "status");
}

}  // namespace rota::domain

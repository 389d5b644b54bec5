#include "domain/rules.hpp"

#include <string>

#include <gtest/gtest.h>

namespace rota::domain {
namespace {

// A valid assignment: home 1's unit 10, a qualified, active, free member of staff 5.
ShiftFacts ValidNewShift() {
  ShiftFacts f;
  f.home_id = 1;
  f.unit_id = 10;
  f.unit_home_id = 1;
  f.shift_type_id = 2;
  f.shift_type_exists = true;
  f.date = *Date::Parse("2026-12-01");
  f.staff_id = 5;
  f.staff = AssigneeFacts{.home_id = 1, .active = true, .qualified_for_unit = true};
  f.changed = AssignmentChange::All();
  return f;
}

// A PATCH that changed only what `changed` says.
ShiftFacts Patch(AssignmentChange changed) {
  ShiftFacts f = ValidNewShift();
  f.changed = changed;
  return f;
}

void ExpectError(const Status& s, ErrorCode code, const std::string& field) {
  ASSERT_FALSE(s.ok()) << "expected an error on " << field;
  EXPECT_EQ(s.error().code, code) << s.error().message;
  EXPECT_EQ(s.error().field.value_or("<none>"), field) << s.error().message;
}

TEST(ShiftRules, AcceptsAQualifiedActiveFreeMemberOfTheHome) { EXPECT_TRUE(CheckShift(ValidNewShift()).ok()); }

TEST(ShiftRules, AcceptsAVacantShift) {
  ShiftFacts f = ValidNewShift();
  f.staff_id.reset();
  f.staff.reset();
  EXPECT_TRUE(CheckShift(f).ok());
}

TEST(ShiftRules, RejectsAUnitOfAnotherHomeOnUnitId) {
  ShiftFacts f = ValidNewShift();
  f.unit_home_id = 2;
  ExpectError(CheckShift(f), ErrorCode::kInvalid, "unit_id");
}

TEST(ShiftRules, RejectsAnUnknownUnitOnUnitId) {
  ShiftFacts f = ValidNewShift();
  f.unit_home_id.reset();
  ExpectError(CheckShift(f), ErrorCode::kInvalid, "unit_id");
}

TEST(ShiftRules, RejectsAnUnknownShiftTypeOnShiftTypeId) {
  ShiftFacts f = ValidNewShift();
  f.shift_type_exists = false;
  ExpectError(CheckShift(f), ErrorCode::kInvalid, "shift_type_id");
}

TEST(ShiftRules, RejectsUnknownStaffOnStaffId) {
  ShiftFacts f = ValidNewShift();
  f.staff.reset();
  ExpectError(CheckShift(f), ErrorCode::kInvalid, "staff_id");
}

TEST(ShiftRules, RejectsStaffOfAnotherHomeOnStaffId) {
  ShiftFacts f = ValidNewShift();
  f.staff->home_id = 2;
  ExpectError(CheckShift(f), ErrorCode::kInvalid, "staff_id");
}

TEST(ShiftRules, RejectsInactiveStaffOnStaffId) {
  ShiftFacts f = ValidNewShift();
  f.staff->active = false;
  ExpectError(CheckShift(f), ErrorCode::kInvalid, "staff_id");
}

TEST(ShiftRules, RejectsStaffNotQualifiedForTheUnitOnStaffId) {
  ShiftFacts f = ValidNewShift();
  f.staff->qualified_for_unit = false;
  ExpectError(CheckShift(f), ErrorCode::kInvalid, "staff_id");
}

TEST(ShiftRules, DoubleBookingIsAConflictOnStaffId) {
  ShiftFacts f = ValidNewShift();
  f.staff->has_other_shift_that_date = true;
  ExpectError(CheckShift(f), ErrorCode::kConflict, "staff_id");
}

TEST(ShiftRules, ApprovedLeaveThatDayIsAConflictOnStaffId) {
  ShiftFacts f = ValidNewShift();
  f.staff->on_approved_leave = true;
  ExpectError(CheckShift(f), ErrorCode::kConflict, "staff_id");
}

TEST(ShiftRules, MovingToAnUnqualifiedUnitBlamesUnitId) {
  ShiftFacts f = Patch({.unit = true});
  f.staff->qualified_for_unit = false;
  ExpectError(CheckShift(f), ErrorCode::kInvalid, "unit_id");
}

TEST(ShiftRules, MovingOntoABookedDateBlamesDate) {
  ShiftFacts f = Patch({.date = true});
  f.staff->has_other_shift_that_date = true;
  ExpectError(CheckShift(f), ErrorCode::kConflict, "date");
}

TEST(ShiftRules, MovingOntoALeaveDayBlamesDate) {
  ShiftFacts f = Patch({.date = true});
  f.staff->on_approved_leave = true;
  ExpectError(CheckShift(f), ErrorCode::kConflict, "date");
}

TEST(ShiftRules, MovingTheShiftOfAnInactiveMemberBlamesStaffId) {
  ShiftFacts f = Patch({.date = true});
  f.staff->active = false;
  ExpectError(CheckShift(f), ErrorCode::kInvalid, "staff_id");
}

TEST(ShiftRules, ChangingStaffAndDateTogetherBlamesStaffId) {
  ShiftFacts f = Patch({.staff = true, .date = true});
  f.staff->on_approved_leave = true;
  ExpectError(CheckShift(f), ErrorCode::kConflict, "staff_id");
}

TEST(ShiftRules, ChangingOnlyTheShiftTypeDoesNotRecheckTheAssignee) {
  ShiftFacts f = Patch({.shift_type = true});
  f.staff->has_other_shift_that_date = true;
  EXPECT_TRUE(CheckShift(f).ok());
}

TEST(ShiftRules, AnUnchangedUnitIsNotRechecked) {
  ShiftFacts f = Patch({.staff = true});
  f.unit_home_id = 2;  // inconsistent data the write did not cause
  EXPECT_TRUE(CheckShift(f).ok());
}

TEST(NoteRules, AcceptsBodiesUpToTenThousandCharacters) {
  EXPECT_TRUE(CheckNoteBody("handover at 14:45").ok());
  EXPECT_TRUE(CheckNoteBody(std::string(kMaxNoteChars, 'x')).ok());
  ExpectError(CheckNoteBody(std::string(kMaxNoteChars + 1, 'x')), ErrorCode::kInvalid, "body");
}

TEST(NoteRules, RejectsEmptyAndBlankBodies) {
  ExpectError(CheckNoteBody(""), ErrorCode::kInvalid, "body");
  ExpectError(CheckNoteBody(" \n\t "), ErrorCode::kInvalid, "body");
}

TEST(NameRules, CountsCharactersNotBytes) {
  std::string two_hundred_e_acute;
  for (int i = 0; i < 200; ++i) two_hundred_e_acute += "\xC3\xA9";  // é, two bytes each
  EXPECT_TRUE(CheckName(two_hundred_e_acute, "first_name").ok());
  ExpectError(CheckName(two_hundred_e_acute + "e", "first_name"), ErrorCode::kInvalid, "first_name");
}

TEST(NameRules, RejectsEmptyNamesOnTheGivenField) {
  ExpectError(CheckName("", "last_name"), ErrorCode::kInvalid, "last_name");
  ExpectError(CheckName("   ", "name"), ErrorCode::kInvalid, "name");
  ExpectError(CheckName(std::string(201, 'a'), "name"), ErrorCode::kInvalid, "name");
}

TEST(NameRules, AcceptsSqlMetacharactersVerbatim) {
  EXPECT_TRUE(CheckName("Robert'); DROP TABLE staff;--", "first_name").ok());
}

TEST(StaffRules, AcceptsOnlyTheThreeRoles) {
  for (const char* role : {"nurse", "senior_carer", "carer"}) EXPECT_TRUE(CheckRole(role).ok()) << role;
  for (const char* role : {"Nurse", "", "manager", "carer "}) ExpectError(CheckRole(role), ErrorCode::kInvalid, "role");
}

TEST(StaffRules, ContractedHoursAreZeroToOneHundredSixtyEight) {
  EXPECT_TRUE(CheckContractedHours(0).ok());
  EXPECT_TRUE(CheckContractedHours(37.5).ok());
  EXPECT_TRUE(CheckContractedHours(168).ok());
  ExpectError(CheckContractedHours(-0.5), ErrorCode::kInvalid, "contracted_hours");
  ExpectError(CheckContractedHours(168.01), ErrorCode::kInvalid, "contracted_hours");
}

TEST(StaffRules, UnitsMustBelongToTheHome) {
  std::set<int64_t> units = {10, 11};
  EXPECT_TRUE(CheckUnitsOfHome({10, 11}, units, 1, "qualified_unit_ids").ok());
  EXPECT_TRUE(CheckUnitsOfHome({}, units, 1, "qualified_unit_ids").ok());
  ExpectError(CheckUnitsOfHome({10, 20}, units, 1, "qualified_unit_ids"), ErrorCode::kInvalid, "qualified_unit_ids");
  ExpectError(CheckUnitsOfHome({20}, units, 1, "primary_unit_id"), ErrorCode::kInvalid, "primary_unit_id");
}

TEST(HomeRules, ATakenNameIsAConflictOnName) {
  EXPECT_TRUE(CheckHomeNameFree("Orchard", false).ok());
  ExpectError(CheckHomeNameFree("Orchard", true), ErrorCode::kConflict, "name");
}

TEST(LeaveRules, EndDateMayEqualButNotPrecedeStartDate) {
  Date d = *Date::Parse("2026-12-01");
  EXPECT_TRUE(CheckDateRange(d, d).ok());
  EXPECT_TRUE(CheckDateRange(d, d.AddDays(3)).ok());
  ExpectError(CheckDateRange(d, d.AddDays(-1)), ErrorCode::kInvalid, "end_date");
}

TEST(LeaveRules, StatusIsPendingApprovedOrRejected) {
  for (const char* s : {"pending", "approved", "rejected"}) {
    EXPECT_TRUE(CheckLeaveStatus(s).ok()) << s;
    EXPECT_EQ(LeaveStatusName(*ParseLeaveStatus(s)), s);
  }
  for (const char* s : {"Approved", "cancelled", ""}) ExpectError(CheckLeaveStatus(s), ErrorCode::kInvalid, "status");
}

TEST(LeaveRules, ReasonMayBeEmptyButNotHuge) {
  EXPECT_TRUE(CheckLeaveReason("").ok());
  ExpectError(CheckLeaveReason(std::string(kMaxReasonChars + 1, 'r')), ErrorCode::kInvalid, "reason");
}

TEST(LeaveRules, ApprovingOverAssignedShiftsAsksToReassignThemFirst) {
  Status s = CheckLeaveApproval(LeaveStatus::kPending, LeaveStatus::kApproved, {7, 9});
  ExpectError(s, ErrorCode::kConflict, "status");
  EXPECT_NE(s.error().message.find("7, 9"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("reassign"), std::string::npos) << s.error().message;
}

TEST(LeaveRules, ApprovingWithNoAssignedShiftsOrRejectingIsAllowed) {
  EXPECT_TRUE(CheckLeaveApproval(LeaveStatus::kPending, LeaveStatus::kApproved, {}).ok());
  EXPECT_TRUE(CheckLeaveApproval(LeaveStatus::kPending, LeaveStatus::kRejected, {7}).ok());
  EXPECT_TRUE(CheckLeaveApproval(LeaveStatus::kApproved, LeaveStatus::kApproved, {7}).ok());
}

}  // namespace
}  // namespace rota::domain

#include "service/write_bodies.hpp"

#include <gtest/gtest.h>

namespace rota::service {
namespace {

void ExpectError(const Status& s, ErrorCode code, const std::string& field) {
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, code) << s.error().message;
  EXPECT_EQ(s.error().field.value_or(""), field) << s.error().message;
}

TEST(WriteBodies, ANewShiftNeedsIdsAndADateAndMayBeVacant) {
  auto s = ReadNewShift(R"({"home_id":1,"unit_id":2,"shift_type_id":3,"date":"2026-11-28","staff_id":null})");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->unit_id, 2);
  EXPECT_FALSE(s->staff_id);
  ExpectError(ReadNewShift(R"({"home_id":1,"unit_id":2,"shift_type_id":3})").status(), ErrorCode::kInvalid, "date");
  ExpectError(ReadNewShift(R"({"home_id":1,"colour":"red"})").status(), ErrorCode::kBadRequest, "colour");
}

TEST(WriteBodies, APatchSetsOnlyWhatItNames) {
  auto p = ReadShiftPatch(R"({"staff_id":null})");
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->staff_id.has_value());
  EXPECT_FALSE(p->staff_id->has_value());
  EXPECT_FALSE(p->date || p->unit_id || p->shift_type_id);
  ExpectError(ReadShiftPatch(R"({"date":"2026-02-30"})").status(), ErrorCode::kInvalid, "date");
}

TEST(WriteBodies, StaffBodiesApplyTheDomainRules) {
  auto created = ReadStaff(R"({"home_id":1,"first_name":"Ann","last_name":"Lee","role":"carer",
                               "qualified_unit_ids":[3,1,3]})",
                           /*creating=*/true);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(*created->qualified_unit_ids, (std::vector<int64_t>{1, 3}));
  ExpectError(ReadStaff(R"({"first_name":"Ann"})", true).status(), ErrorCode::kInvalid, "home_id");
  ExpectError(ReadStaff(R"({"role":"cook"})", false).status(), ErrorCode::kInvalid, "role");
  ExpectError(ReadStaff(R"({"home_id":1})", false).status(), ErrorCode::kBadRequest, "home_id");
  ExpectError(ReadStaff(R"({"contracted_hours":200})", false).status(), ErrorCode::kInvalid, "contracted_hours");
}

TEST(WriteBodies, LeaveCertificationHomeAndNoteBodies) {
  ExpectError(ReadNewLeaveRequest(R"({"staff_id":1,"start_date":"2026-12-05","end_date":"2026-12-01"})").status(),
              ErrorCode::kInvalid, "end_date");
  auto leave = ReadNewLeaveRequest(R"({"staff_id":1,"start_date":"2026-12-01","end_date":"2026-12-01"})");
  ASSERT_TRUE(leave.ok());
  EXPECT_EQ(leave->reason, "");
  EXPECT_EQ(*ReadLeaveStatus(R"({"status":"approved"})"), domain::LeaveStatus::kApproved);
  ExpectError(ReadLeaveStatus(R"({"status":"maybe"})").status(), ErrorCode::kInvalid, "status");
  ExpectError(ReadNewCertification(R"({"staff_id":1,"name":"","expires_on":"2027-01-01"})").status(),
              ErrorCode::kInvalid, "name");
  EXPECT_EQ(*ReadHomeName(R"({"name":"Orchard"})"), "Orchard");
  ExpectError(ReadNoteBody("[]").status(), ErrorCode::kBadRequest, "");
}

}  // namespace
}  // namespace rota::service

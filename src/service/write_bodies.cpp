#include "service/write_bodies.hpp"

#include "service/json_body.hpp"

namespace rota::service {

Result<NewShiftBody> ReadNewShift(std::string_view text) {
  std::optional<JsonBody> b;
  ROTA_ASSIGN(b, JsonBody::Parse(text, {"home_id", "unit_id", "shift_type_id", "date", "staff_id"}));
  NewShiftBody s;
  ROTA_ASSIGN(s.home_id, b->Id("home_id"));
  ROTA_ASSIGN(s.unit_id, b->Id("unit_id"));
  ROTA_ASSIGN(s.shift_type_id, b->Id("shift_type_id"));
  ROTA_ASSIGN(s.date, b->DateField("date"));
  if (b->Has("staff_id")) ROTA_ASSIGN(s.staff_id, b->NullableId("staff_id"));
  return s;
}

Result<ShiftPatchBody> ReadShiftPatch(std::string_view text) {
  std::optional<JsonBody> b;
  ROTA_ASSIGN(b, JsonBody::Parse(text, {"staff_id", "date", "unit_id", "shift_type_id"}));
  ShiftPatchBody p;
  if (b->Has("staff_id")) ROTA_ASSIGN(p.staff_id, b->NullableId("staff_id"));
  if (b->Has("date")) ROTA_ASSIGN(p.date, b->DateField("date"));
  if (b->Has("unit_id")) ROTA_ASSIGN(p.unit_id, b->Id("unit_id"));
  if (b->Has("shift_type_id")) ROTA_ASSIGN(p.shift_type_id, b->Id("shift_type_id"));
  return p;
}

Result<std::string> ReadNoteBody(std::string_view text) {
  std::optional<JsonBody> b;
  ROTA_ASSIGN(b, JsonBody::Parse(text, {"body"}));
  std::string note;
  ROTA_ASSIGN(note, b->String("body"));
  ROTA_TRY(domain::CheckNoteBody(note));
  return note;
}

Result<StaffBody> ReadStaff(std::string_view text, bool creating) {
  std::optional<JsonBody> b;
  if (creating) {
    ROTA_ASSIGN(b, JsonBody::Parse(text, {"home_id", "first_name", "last_name", "role", "contracted_hours",
                                          "primary_unit_id", "qualified_unit_ids", "active"}));
  } else {
    ROTA_ASSIGN(b, JsonBody::Parse(text, {"first_name", "last_name", "role", "contracted_hours", "primary_unit_id",
                                          "qualified_unit_ids", "active"}));
  }
  StaffBody in;
  if (creating) ROTA_ASSIGN(in.home_id, b->Id("home_id"));
  if (creating || b->Has("first_name")) {
    ROTA_ASSIGN(in.first_name, b->String("first_name"));
    ROTA_TRY(domain::CheckName(*in.first_name, "first_name"));
  }
  if (creating || b->Has("last_name")) {
    ROTA_ASSIGN(in.last_name, b->String("last_name"));
    ROTA_TRY(domain::CheckName(*in.last_name, "last_name"));
  }
  if (creating || b->Has("role")) {
    ROTA_ASSIGN(in.role, b->String("role"));
    ROTA_TRY(domain::CheckRole(*in.role));
  }
  if (b->Has("contracted_hours")) {
    ROTA_ASSIGN(in.contracted_hours, b->Double("contracted_hours"));
    ROTA_TRY(domain::CheckContractedHours(*in.contracted_hours));
  }
  if (b->Has("primary_unit_id")) ROTA_ASSIGN(in.primary_unit_id, b->NullableId("primary_unit_id"));
  if (b->Has("qualified_unit_ids")) ROTA_ASSIGN(in.qualified_unit_ids, b->IdArray("qualified_unit_ids"));
  if (b->Has("active")) ROTA_ASSIGN(in.active, b->Bool("active"));
  return in;
}

Result<NewCertificationBody> ReadNewCertification(std::string_view text) {
  std::optional<JsonBody> b;
  ROTA_ASSIGN(b, JsonBody::Parse(text, {"staff_id", "name", "expires_on"}));
  NewCertificationBody in;
  ROTA_ASSIGN(in.staff_id, b->Id("staff_id"));
  ROTA_ASSIGN(in.name, b->String("name"));
  ROTA_TRY(domain::CheckName(in.name, "name"));
  ROTA_ASSIGN(in.expires_on, b->DateField("expires_on"));
  return in;
}

Result<NewLeaveBody> ReadNewLeaveRequest(std::string_view text) {
  std::optional<JsonBody> b;
  ROTA_ASSIGN(b, JsonBody::Parse(text, {"staff_id", "start_date", "end_date", "reason"}));
  NewLeaveBody in;
  ROTA_ASSIGN(in.staff_id, b->Id("staff_id"));
  ROTA_ASSIGN(in.start, b->DateField("start_date"));
  ROTA_ASSIGN(in.end, b->DateField("end_date"));
  ROTA_TRY(domain::CheckDateRange(in.start, in.end));
  if (b->Has("reason")) {
    ROTA_ASSIGN(in.reason, b->String("reason"));
    ROTA_TRY(domain::CheckLeaveReason(in.reason));
  }
  return in;
}

Result<domain::LeaveStatus> ReadLeaveStatus(std::string_view text) {
  std::optional<JsonBody> b;
  ROTA_ASSIGN(b, JsonBody::Parse(text, {"status"}));
  std::string status;
  ROTA_ASSIGN(status, b->String("status"));
  ROTA_TRY(domain::CheckLeaveStatus(status));
  return *domain::ParseLeaveStatus(status);
}

Result<std::string> ReadHomeName(std::string_view text) {
  std::optional<JsonBody> b;
  ROTA_ASSIGN(b, JsonBody::Parse(text, {"name"}));
  std::string name;
  ROTA_ASSIGN(name, b->String("name"));
  ROTA_TRY(domain::CheckName(name, "name"));
  return name;
}

}  // namespace rota::service

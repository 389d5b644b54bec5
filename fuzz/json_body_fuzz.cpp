// Fuzz target: bytes as a request body -> service::JsonBody::Parse with the
// field list of every write, the typed getters on every field, and the
// writes' own body readers (service/write_bodies.hpp), which check the body
// without a database.
//
// Invariants:
//  - Parse fails only with 400 bad_request; a parsed body has only allowed
//    fields. The getters fail only with 422 invalid naming their field.
//  - A getter's value is what its contract says: ids > 0, strings without
//    NUL, dates that format back to a strict YYYY-MM-DD, id arrays ascending,
//    distinct, at most kMaxIds.
//  - Every body reader answers its value or a 400/422 error, and a value
//    passes the domain rules the reader promises (names, roles, hours,
//    lengths, leave dates).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string_view>

#include "domain/rules.hpp"
#include "service/json_body.hpp"
#include "service/write_bodies.hpp"

namespace {

using rota::ErrorCode;
using rota::service::JsonBody;

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "json_body_fuzz: invariant failed: %s\n", what);
    std::abort();
  }
}

bool Is4xx(const rota::Error& e) { return e.code == ErrorCode::kBadRequest || e.code == ErrorCode::kInvalid; }

template <class T>
void CheckGetter(const rota::Result<T>& r, std::string_view field) {
  if (r) return;
  Check(r.error().code == ErrorCode::kInvalid, "a getter fails with 422 invalid");
  Check(r.error().field && *r.error().field == field, "a getter's error names its field");
}

// Parse with one write's fields, then every getter on every field.
void Probe(std::string_view text, std::initializer_list<std::string_view> fields) {
  auto body = JsonBody::Parse(text, fields);
  if (!body) {
    Check(body.error().code == ErrorCode::kBadRequest, "Parse fails with 400 bad_request");
    return;
  }
  (void)body->Has("no such field");
  for (std::string_view f : fields) {
    if (!body->Has(f)) {
      Check(!body->IsNull(f) && !body->Id(f), "an absent field is missing for every getter");
      continue;
    }
    auto id = body->Id(f);
    CheckGetter(id, f);
    if (id) Check(*id > 0, "an id is positive");
    auto s = body->String(f);
    CheckGetter(s, f);
    if (s) Check(s->find('\0') == std::string::npos, "a string has no NUL");
    auto d = body->DateField(f);
    CheckGetter(d, f);
    if (d) Check(rota::Date::Parse(d->ToString()) == *d, "a date round-trips");
    CheckGetter(body->Double(f), f);
    CheckGetter(body->Bool(f), f);
    auto ids = body->IdArray(f);
    CheckGetter(ids, f);
    if (ids) {
      Check(ids->size() <= JsonBody::kMaxIds, "at most kMaxIds ids");
      for (size_t i = 0; i < ids->size(); ++i)
        Check((*ids)[i] > 0 && (i == 0 || (*ids)[i - 1] < (*ids)[i]), "ids positive, ascending, distinct");
    }
    auto nid = body->NullableId(f);
    CheckGetter(nid, f);
    if (nid) Check(!*nid || **nid > 0, "a nullable id is null or positive");
    if (nid && !*nid) Check(body->IsNull(f), "null reads as null");
  }
}

template <class T>
bool Read(const rota::Result<T>& r) {
  if (!r) Check(Is4xx(r.error()), "a body reader fails with 400 or 422 only");
  return r.ok();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  namespace d = rota::domain;
  namespace s = rota::service;

  // The field lists of api.md's writes, as service/write_bodies.cpp reads them.
  Probe(text, {"home_id", "unit_id", "shift_type_id", "date", "staff_id"});
  Probe(text, {"home_id", "first_name", "last_name", "role", "contracted_hours", "primary_unit_id",
               "qualified_unit_ids", "active"});
  Probe(text, {"staff_id", "start_date", "end_date", "reason"});
  Probe(text, {"username", "password"});
  Probe(text, {"pattern"});

  if (auto r = s::ReadNewShift(text); Read(r)) Check(r->home_id > 0 && r->unit_id > 0, "new shift ids");
  (void)Read(s::ReadShiftPatch(text));
  if (auto r = s::ReadNoteBody(text); Read(r)) Check(d::CheckNoteBody(*r).ok(), "note body rules");
  for (bool creating : {true, false}) {
    auto r = s::ReadStaff(text, creating);
    if (!Read(r)) continue;
    if (creating) Check(r->home_id && r->first_name && r->last_name && r->role, "a new member has the required fields");
    if (r->first_name) Check(d::CheckName(*r->first_name, "first_name").ok(), "first name rules");
    if (r->role) Check(d::CheckRole(*r->role).ok(), "role rules");
    if (r->contracted_hours) Check(d::CheckContractedHours(*r->contracted_hours).ok(), "hours rules");
  }
  if (auto r = s::ReadNewCertification(text); Read(r)) Check(d::CheckName(r->name, "name").ok(), "certification name");
  if (auto r = s::ReadNewLeaveRequest(text); Read(r))
    Check(r->start <= r->end && d::CheckLeaveReason(r->reason).ok(), "leave dates and reason");
  (void)Read(s::ReadLeaveStatus(text));
  if (auto r = s::ReadHomeName(text); Read(r)) Check(d::CheckName(*r, "name").ok(), "home name rules");
  return 0;
}

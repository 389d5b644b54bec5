#include "service/views.hpp"

#include <optional>
#include <string>
#include <vector>

namespace rota::service::views {
namespace {

// The same statement for a list's rows or for one row: only WHERE differs.
struct Variant {
  std::string range;
  std::string one;
  const std::string& For(bool single) const { return single ? one : range; }
};

Variant Where(std::string_view head, std::string_view range_where, std::string_view one_where,
              std::string_view tail) {
  auto join = [&](std::string_view where) {
    return std::string(head) + " WHERE " + std::string(where) + " " + std::string(tail);
  };
  return {join(range_where), join(one_where)};
}

constexpr std::string_view kShiftRange = "s.home_id = ? AND s.date >= ? AND s.date <= ?";
constexpr std::string_view kShiftOne = "s.id = ?";
constexpr std::string_view kShiftOrder = "ORDER BY s.date, s.unit_id, s.shift_type_id, s.id";

const Variant kShifts = Where(
    "SELECT s.id, s.date, u.id, u.name, t.id, t.name, t.start_time, t.end_time, t.hours, "
    "st.id, st.first_name, st.last_name, st.role, cb.username, ub.username "
    "FROM shift s JOIN unit u ON u.id = s.unit_id JOIN shift_type t ON t.id = s.shift_type_id "
    "LEFT JOIN staff st ON st.id = s.staff_id LEFT JOIN app_user cb ON cb.id = s.created_by "
    "LEFT JOIN app_user ub ON ub.id = s.updated_by",
    kShiftRange, kShiftOne, kShiftOrder);
const Variant kShiftNotes = Where(
    "SELECT n.shift_id, n.id, a.username, n.body, n.created_at "
    "FROM shift_note n JOIN shift s ON s.id = n.shift_id LEFT JOIN app_user a ON a.id = n.author_id",
    kShiftRange, kShiftOne, std::string(kShiftOrder) + ", n.id");
const Variant kShiftLinks = Where("SELECT l.shift_id, l.related_shift_id FROM shift_link l JOIN shift s ON s.id = l.shift_id",
                                  kShiftRange, kShiftOne, std::string(kShiftOrder) + ", l.related_shift_id");

// The anchor column (home id, or the staff id again) tells whether the home or member exists.
const Variant kStaff{
    "SELECT h.id, s.id, s.first_name, s.last_name, s.role, s.contracted_hours, s.active, p.id, p.name "
    "FROM care_home h LEFT JOIN staff s ON s.home_id = h.id LEFT JOIN unit p ON p.id = s.primary_unit_id "
    "WHERE h.id = ? ORDER BY s.id",
    "SELECT s.id, s.id, s.first_name, s.last_name, s.role, s.contracted_hours, s.active, p.id, p.name "
    "FROM staff s LEFT JOIN unit p ON p.id = s.primary_unit_id WHERE s.id = ? ORDER BY s.id"};
const Variant kStaffUnits = Where(
    "SELECT q.staff_id, u.id, u.name FROM staff_qualified_unit q JOIN staff s ON s.id = q.staff_id "
    "JOIN unit u ON u.id = q.unit_id",
    "s.home_id = ?", "s.id = ?", "ORDER BY q.staff_id, u.id");
const Variant kStaffCerts = Where(
    "SELECT c.staff_id, c.id, c.name, c.expires_on FROM certification c JOIN staff s ON s.id = c.staff_id",
    "s.home_id = ?", "s.id = ?", "ORDER BY c.staff_id, c.id");
const Variant kStaffLeave = Where(
    "SELECT l.staff_id, l.id, l.start_date, l.end_date, l.status FROM leave_request l "
    "JOIN staff s ON s.id = l.staff_id",
    "s.home_id = ?", "s.id = ?", "ORDER BY l.staff_id, l.id");

void Key(JsonWriter& w, const char* k) { w.Key(k); }

std::string FullName(std::string_view first, std::string_view last) {
  std::string n;
  n.reserve(first.size() + last.size() + 1);
  n.append(first).append(" ").append(last);
  return n;
}

// A child row of a list entry: its owner's id, its own id and up to three text fields.
struct Child {
  int64_t owner, id;
  std::optional<std::string> a;
  std::string b, c;
};

// Emits the children of `owner` from the forward cursor `next` of `rows`.
template <class Fn>
void EachChild(const std::vector<Child>& rows, size_t& next, int64_t owner, Fn&& fn) {
  for (; next < rows.size() && rows[next].owner == owner; ++next) fn(rows[next]);
}

}  // namespace

void Str(JsonWriter& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void OptStr(JsonWriter& w, const std::optional<std::string>& s) {
  if (s)
    Str(w, *s);
  else
    w.Null();
}

void IdName(JsonWriter& w, int64_t id, std::string_view name) {
  w.StartObject();
  Key(w, "id");
  w.Int64(id);
  Key(w, "name");
  Str(w, name);
  w.EndObject();
}

Result<int64_t> WriteShifts(db::Connection& c, const ShiftSelection& sel, JsonWriter& w) {
  const std::string from = sel.from.ToString(), to = sel.to.ToString();
  const db::Params params = sel.one ? db::Params{sel.id} : db::Params{sel.id, from, to};
  std::vector<Child> notes;  // a = author, b = body, c = created_at
  ROTA_TRY(c.Query(kShiftNotes.For(sel.one), params, [&](const db::Row& r) {
    notes.push_back({r.Int(0), r.Int(1), r.OptText(2), std::string(r.Text(3)), r.Timestamp(4)});
  }));
  std::vector<Child> links;  // id = related shift
  ROTA_TRY(c.Query(kShiftLinks.For(sel.one), params,
                   [&](const db::Row& r) { links.push_back({r.Int(0), r.Int(1), {}, {}, {}}); }));

  int64_t count = 0;
  size_t next_note = 0, next_link = 0;
  ROTA_TRY(c.Query(kShifts.For(sel.one), params, [&](const db::Row& r) {
    const int64_t id = r.Int(0);
    ++count;
    w.StartObject();
    Key(w, "id");
    w.Int64(id);
    Key(w, "date");
    Str(w, r.Text(1));
    Key(w, "unit");
    IdName(w, r.Int(2), r.Text(3));
    Key(w, "shift_type");
    w.StartObject();
    Key(w, "id");
    w.Int64(r.Int(4));
    Key(w, "name");
    Str(w, r.Text(5));
    Key(w, "start");
    Str(w, r.Text(6));
    Key(w, "end");
    Str(w, r.Text(7));
    Key(w, "hours");
    w.Double(r.Real(8));
    w.EndObject();
    Key(w, "staff");
    if (r.IsNull(9)) {
      w.Null();
    } else {
      w.StartObject();
      Key(w, "id");
      w.Int64(r.Int(9));
      Key(w, "name");
      Str(w, FullName(r.Text(10), r.Text(11)));
      Key(w, "role");
      Str(w, r.Text(12));
      w.EndObject();
    }
    Key(w, "notes");
    w.StartArray();
    EachChild(notes, next_note, id, [&](const Child& n) {
      w.StartObject();
      Key(w, "id");
      w.Int64(n.id);
      Key(w, "author");
      OptStr(w, n.a);
      Key(w, "body");
      Str(w, n.b);
      Key(w, "created_at");
      Str(w, n.c);
      w.EndObject();
    });
    w.EndArray();
    Key(w, "related_shift_ids");
    w.StartArray();
    EachChild(links, next_link, id, [&](const Child& l) { w.Int64(l.id); });
    w.EndArray();
    Key(w, "created_by");
    OptStr(w, r.OptText(13));
    Key(w, "updated_by");
    OptStr(w, r.OptText(14));
    w.EndObject();
  }));
  return count;
}

Result<bool> WriteStaff(db::Connection& c, const StaffSelection& sel, JsonWriter& w) {
  struct Member {
    int64_t id;
    std::string name, role;
    double contracted_hours;
    bool active;
    std::optional<int64_t> primary_id;
    std::string primary_name;
  };
  bool anchor_found = false;
  std::vector<Member> staff;
  const db::Params params{sel.id};
  ROTA_TRY(c.Query(kStaff.For(sel.one), params, [&](const db::Row& r) {
    anchor_found = true;
    if (r.IsNull(1)) return;  // a home without staff
    staff.push_back({r.Int(1), FullName(r.Text(2), r.Text(3)), std::string(r.Text(4)), r.Real(5), r.Bool(6),
                     r.OptInt(7), std::string(r.Text(8))});
  }));
  if (!anchor_found) return false;

  std::vector<Child> units, certs, leave;  // units: a = name; certs: a = name, b = expires_on;
                                           // leave: b = start, c = end, a = status
  ROTA_TRY(c.Query(kStaffUnits.For(sel.one), params, [&](const db::Row& r) {
    units.push_back({r.Int(0), r.Int(1), std::string(r.Text(2)), {}, {}});
  }));
  ROTA_TRY(c.Query(kStaffCerts.For(sel.one), params, [&](const db::Row& r) {
    certs.push_back({r.Int(0), r.Int(1), std::string(r.Text(2)), std::string(r.Text(3)), {}});
  }));
  ROTA_TRY(c.Query(kStaffLeave.For(sel.one), params, [&](const db::Row& r) {
    leave.push_back({r.Int(0), r.Int(1), std::string(r.Text(4)), std::string(r.Text(2)), std::string(r.Text(3))});
  }));

  size_t next_unit = 0, next_cert = 0, next_leave = 0;
  for (const Member& m : staff) {
    w.StartObject();
    Key(w, "id");
    w.Int64(m.id);
    Key(w, "name");
    Str(w, m.name);
    Key(w, "role");
    Str(w, m.role);
    Key(w, "contracted_hours");
    w.Double(m.contracted_hours);
    Key(w, "active");
    w.Bool(m.active);
    Key(w, "primary_unit");
    if (m.primary_id)
      IdName(w, *m.primary_id, m.primary_name);
    else
      w.Null();
    Key(w, "qualified_units");
    w.StartArray();
    EachChild(units, next_unit, m.id, [&](const Child& u) { IdName(w, u.id, *u.a); });
    w.EndArray();
    Key(w, "certifications");
    w.StartArray();
    EachChild(certs, next_cert, m.id, [&](const Child& cert) {
      w.StartObject();
      Key(w, "id");
      w.Int64(cert.id);
      Key(w, "name");
      Str(w, *cert.a);
      Key(w, "expires_on");
      Str(w, cert.b);
      w.EndObject();
    });
    w.EndArray();
    Key(w, "leave_requests");
    w.StartArray();
    EachChild(leave, next_leave, m.id, [&](const Child& l) {
      w.StartObject();
      Key(w, "id");
      w.Int64(l.id);
      Key(w, "start_date");
      Str(w, l.b);
      Key(w, "end_date");
      Str(w, l.c);
      Key(w, "status");
      Str(w, *l.a);
      w.EndObject();
    });
    w.EndArray();
    w.EndObject();
  }
  return true;
}

}  // namespace rota::service::views

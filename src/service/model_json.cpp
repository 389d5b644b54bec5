#include "service/model_json.hpp"

namespace rota::service {
namespace {

void WriteJson(JsonWriter& w, const domain::IdName& x) {
  w.BeginObject();
  w.Field("id", x.id);
  w.Field("name", x.name);
  w.EndObject();
}

void WriteJson(JsonWriter& w, const domain::ShiftType& t) {
  w.BeginObject();
  w.Field("id", t.id);
  w.Field("name", t.name);
  w.Field("start", t.start);
  w.Field("end", t.end);
  w.Field("hours", t.hours);
  w.EndObject();
}

void WriteJson(JsonWriter& w, const domain::Assignee& a) {
  w.BeginObject();
  w.Field("id", a.id);
  w.Field("name", a.name);
  w.Field("role", a.role);
  w.EndObject();
}

void WriteJson(JsonWriter& w, const domain::ShiftNote& n) {
  w.BeginObject();
  w.Field("id", n.id);
  w.Field("author", n.author);
  w.Field("body", n.body);
  w.Field("created_at", n.created_at);
  w.EndObject();
}

void WriteJson(JsonWriter& w, const domain::Certification& c) {
  w.BeginObject();
  w.Field("id", c.id);
  w.Field("name", c.name);
  w.Field("expires_on", c.expires_on);
  w.EndObject();
}

void WriteJson(JsonWriter& w, const domain::LeaveRequest& l) {
  w.BeginObject();
  w.Field("id", l.id);
  w.Field("start_date", l.start_date);
  w.Field("end_date", l.end_date);
  w.Field("status", domain::LeaveStatusName(l.status));
  w.EndObject();
}

void Counts(JsonWriter& w, const domain::Coverage& c) {
  w.Field("total", c.total);
  w.Field("staffed", c.staffed);
  w.Field("vacant", c.vacant());
}

void WriteJson(JsonWriter& w, const domain::UnitCoverage& u) {
  w.BeginObject();
  w.Field("unit_id", u.unit.id);
  w.Field("unit_name", u.unit.name);
  Counts(w, u.shifts);
  w.EndObject();
}

void WriteJson(JsonWriter& w, const domain::DayCoverage& d) {
  w.BeginObject();
  w.Field("date", d.date);
  Counts(w, d.shifts);
  w.EndObject();
}

void WriteJson(JsonWriter& w, const domain::StaffHours& h) {
  w.BeginObject();
  w.Field("staff_id", h.staff_id);
  w.Field("name", h.name);
  w.Field("shifts", h.shifts);
  w.Field("hours", h.hours);
  w.EndObject();
}

void WriteJson(JsonWriter& w, const domain::ShiftTypeCount& t) {
  w.BeginObject();
  w.Field("shift_type_id", t.shift_type_id);
  w.Field("name", t.name);
  w.Field("total", t.total);
  w.Field("vacant", t.vacant);
  w.EndObject();
}

void WriteJson(JsonWriter& w, const domain::Understaffed& u) {
  w.BeginObject();
  w.Field("date", u.date);
  w.Field("unit_id", u.unit_id);
  w.Field("shift_type_id", u.shift_type_id);
  w.Field("required", u.required);
  w.Field("assigned", u.assigned);
  w.EndObject();
}

void WriteJson(JsonWriter& w, const domain::ExpiringCertification& c) {
  w.BeginObject();
  w.Field("staff_id", c.staff_id);
  w.Field("name", c.name);
  w.Field("certification", c.certification);
  w.Field("expires_on", c.expires_on);
  w.EndObject();
}

// The overloads above are declared before these templates: lookup at their
// definition finds them (ADL would not look in this unnamed namespace).
void WriteJson(JsonWriter& w, int64_t id) { w.Value(id); }

template <class T>
void Optional(JsonWriter& w, std::string_view key, const std::optional<T>& v) {
  w.Key(key);
  if (v)
    WriteJson(w, *v);
  else
    w.Null();
}

template <class T>
void Array(JsonWriter& w, std::string_view key, const std::vector<T>& items) {
  w.Key(key);
  w.BeginArray();
  for (const T& item : items) WriteJson(w, item);
  w.EndArray();
}

// {"<key>": [entries]}
template <class T>
std::string List(std::string_view key, const std::vector<T>& items) {
  JsonWriter w;
  w.BeginObject();
  Array(w, key, items);
  w.EndObject();
  return std::move(w).Take();
}

}  // namespace

void WriteJson(JsonWriter& w, const domain::Shift& s) {
  w.BeginObject();
  w.Field("id", s.id);
  w.Field("date", s.date);
  w.Key("unit");
  WriteJson(w, s.unit);
  w.Key("shift_type");
  WriteJson(w, s.shift_type);
  Optional(w, "staff", s.staff);
  Array(w, "notes", s.notes);
  Array(w, "related_shift_ids", s.related_shift_ids);
  w.Field("created_by", s.created_by);
  w.Field("updated_by", s.updated_by);
  w.EndObject();
}

void WriteJson(JsonWriter& w, const domain::StaffMember& m) {
  w.BeginObject();
  w.Field("id", m.id);
  w.Field("name", m.name);
  w.Field("role", m.role);
  w.Field("contracted_hours", m.contracted_hours);
  w.Field("active", m.active);
  Optional(w, "primary_unit", m.primary_unit);
  Array(w, "qualified_units", m.qualified_units);
  Array(w, "certifications", m.certifications);
  Array(w, "leave_requests", m.leave_requests);
  w.EndObject();
}

std::string DashboardJson(const domain::DashboardFigures& f) {
  JsonWriter w;
  w.BeginObject();
  w.Key("home");
  WriteJson(w, f.home);
  w.Field("from", f.range.from);
  w.Field("to", f.range.to);
  w.Field("days", f.range.days());
  w.Field("total_shifts", f.shifts.total);
  w.Field("staffed_shifts", f.shifts.staffed);
  w.Field("vacant_shifts", f.shifts.vacant());
  w.Field("coverage_pct", domain::CoveragePct(f.shifts.staffed, f.shifts.total));
  Array(w, "by_unit", f.by_unit);
  Array(w, "by_day", f.by_day);
  w.Field("pending_leave_requests", f.pending_leave_requests);
  w.Field("staff_on_leave_today", f.staff_on_leave_today);
  w.Field("certifications_expiring_30d", f.certifications_expiring_30d);
  w.Field("certifications_expired", f.certifications_expired);
  w.EndObject();
  return std::move(w).Take();
}

std::string ShiftListJson(const std::vector<domain::Shift>& shifts) { return List("shifts", shifts); }

std::string StaffListJson(const std::vector<domain::StaffMember>& staff) { return List("staff", staff); }

std::string MonthlyReportJson(const domain::MonthlyReport& r) {
  JsonWriter w;
  w.BeginObject();
  w.Field("month", r.month.ToString());
  w.Field("total_shifts", r.total_shifts);
  w.Field("staffed_shifts", r.total_shifts - r.vacant_shifts);
  w.Field("vacant_shifts", r.vacant_shifts);
  Array(w, "hours_by_staff", r.hours_by_staff);
  Array(w, "shifts_by_type", r.shifts_by_type);
  w.EndObject();
  return std::move(w).Take();
}

std::string ComplianceJson(const domain::ComplianceReport& r) {
  JsonWriter w;
  w.BeginObject();
  Array(w, "understaffed", r.understaffed);
  Array(w, "expiring_certifications", r.expiring_certifications);
  w.EndObject();
  return std::move(w).Take();
}

std::string HomesJson(const std::vector<domain::HomeOverview>& homes) {
  JsonWriter w;
  w.BeginObject();
  w.Key("homes");
  w.BeginArray();
  for (const auto& h : homes) {
    w.BeginObject();
    w.Field("id", h.home.id);
    w.Field("name", h.home.name);
    w.Field("total_shifts", h.shifts.total);
    w.Field("staffed_shifts", h.shifts.staffed);
    w.Field("vacant_shifts", h.shifts.vacant());
    w.Field("coverage_pct", domain::CoveragePct(h.shifts.staffed, h.shifts.total));
    w.Field("pending_leave_requests", h.pending_leave_requests);
    w.Field("certifications_expiring_30d", h.certifications_expiring_30d);
    w.Field("certifications_expired", h.certifications_expired);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::move(w).Take();
}

std::string JsonNumber(double v) {
  JsonWriter w;
  w.Value(v);
  return std::move(w).Take();
}

std::string StatsJson(const domain::ServiceStats& s) {
  JsonWriter w;
  w.BeginObject();
  w.Field("homes", s.homes);
  w.Field("staff", s.staff);
  w.Field("active_staff", s.active_staff);
  w.Field("shifts_next_7_days", s.shifts_next_7_days);
  w.Field("vacant_next_7_days", s.vacant_next_7_days);
  w.Field("pending_leave_requests", s.pending_leave_requests);
  w.EndObject();
  return std::move(w).Take();
}

}  // namespace rota::service

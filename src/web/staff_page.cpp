#include "web/staff_page.hpp"

#include <algorithm>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "domain/rules.hpp"
#include "http/api.hpp"
#include "service/json_writer.hpp"
#include "service/principal.hpp"
#include "web/assets.hpp"
#include "web/html.hpp"

namespace rota::web {
namespace {

// Bumped when the fragment's HTML changes shape, so that a Redis shared with
// servers of an older build never hands this one a fragment of the old shape.
constexpr int kStaffPanelVersion = 1;

// The roles api.md allows, as the form offers them.
struct RoleChoice {
  const char* value;
  const char* label;
};
constexpr RoleChoice kRoles[] = {{"nurse", "nurse"}, {"senior_carer", "senior carer"}, {"carer", "carer"}};

std::string RoleLabel(std::string_view role) {
  for (const RoleChoice& r : kRoles)
    if (role == r.value) return r.label;
  return std::string(role);
}

// "Sat 5 Dec 2026" for 2026-12-05.
std::string LongDate(Date d) {
  static const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // day 0 = 1970-01-01
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int wd = ((d.days() % 7) + 7) % 7;
  return fmt::format("{} {} {} {}", kDays[wd], d.day(), kMonths[d.month() - 1], d.year());
}

// Contracted hours as typed: "37.5", "40".
std::string Hours(double h) { return fmt::format("{}", h); }

// A certification is expired before today, expiring within the dashboard's
// 30-day window, else valid; the word is shown, not only the colour.
std::string CertificationItem(const domain::StaffMember& m, const domain::Certification& c, Date today) {
  const bool expired = c.expires_on < today;
  const bool expiring = !expired && c.expires_on < today.AddDays(domain::kCertWindowDays);
  const char* state = expired ? "expired" : expiring ? "expiring" : "valid";
  std::string when = expired    ? "expired " + LongDate(c.expires_on)
                     : expiring ? "expires " + LongDate(c.expires_on)
                                : "until " + LongDate(c.expires_on);
  std::string badge = expired    ? "<span class=\"badge bad\">expired</span> "
                      : expiring ? "<span class=\"badge warn\">expiring</span> "
                                 : "";
  return fmt::format(
      "<li class=\"cert {0}\" data-cert=\"{1}\" data-expires=\"{2}\">{3}<span class=\"cert-name\">{4}</span> "
      "<span class=\"when\">{5}</span> <button type=\"button\" class=\"small secondary\" data-action=\"remove-cert\" "
      "data-cert=\"{1}\">Remove<span class=\"sr-only\"> {4} of {6}</span></button></li>",
      state, c.id, c.expires_on.ToString(), badge, Escape(c.name), when, Escape(m.name));
}

std::string CertificationsCell(const domain::StaffMember& m, Date today) {
  if (m.certifications.empty()) return "<span class=\"muted\">none</span>";
  std::string items;
  for (const auto& c : m.certifications) items += CertificationItem(m, c, today);
  return "<ul class=\"plain certs\">" + items + "</ul>";
}

// Leave not yet over and not rejected, by start date.
std::vector<domain::LeaveRequest> UpcomingLeave(const domain::StaffMember& m, Date today) {
  std::vector<domain::LeaveRequest> out;
  for (const auto& l : m.leave_requests)
    if (l.end_date >= today && l.status != domain::LeaveStatus::kRejected) out.push_back(l);
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return std::tie(a.start_date, a.id) < std::tie(b.start_date, b.id); });
  return out;
}

std::string LeaveCell(const domain::StaffMember& m, Date today) {
  auto upcoming = UpcomingLeave(m, today);
  if (upcoming.empty()) return "<span class=\"muted\">none</span>";
  std::string items;
  for (const auto& l : upcoming) {
    std::string_view status = domain::LeaveStatusName(l.status);
    items += fmt::format(
        "<li data-leave=\"{}\" data-start=\"{}\" data-end=\"{}\">{} – {} <span class=\"badge {}\">{}</span></li>", l.id,
        l.start_date.ToString(), l.end_date.ToString(), LongDate(l.start_date), LongDate(l.end_date),
        l.status == domain::LeaveStatus::kApproved ? "ok" : "pending", status);
  }
  return "<ul class=\"plain leave\">" + items + "</ul>";
}

std::string UnitNames(const std::vector<domain::IdName>& units) {
  if (units.empty()) return "<span class=\"muted\">none</span>";
  std::string out;
  for (const auto& u : units) out += (out.empty() ? "" : ", ") + Escape(u.name);
  return out;
}

// The units a row matches in the unit filter: its qualified units and its primary unit.
std::string RowUnits(const domain::StaffMember& m) {
  std::string ids = " ";
  for (const auto& u : m.qualified_units) ids += std::to_string(u.id) + " ";
  if (m.primary_unit) ids += std::to_string(m.primary_unit->id) + " ";
  return ids;
}

std::string StaffRow(const domain::StaffMember& m, Date today) {
  const std::string name = Escape(m.name);
  return fmt::format(
      "<tr data-staff-row=\"{0}\" data-name=\"{1}\" data-role=\"{2}\" data-hours=\"{3}\" data-units=\"{4}\" "
      "data-active=\"{5}\"{6}>"
      "<th scope=\"row\" data-label=\"Name\" data-testid=\"name\">{1}</th>"
      "<td data-label=\"Role\" data-testid=\"role\">{7}</td>"
      "<td data-label=\"Hours\" data-testid=\"hours\" class=\"num\">{3}</td>"
      "<td data-label=\"Primary unit\" data-testid=\"primary-unit\">{8}</td>"
      "<td data-label=\"Qualified units\" data-testid=\"qualified-units\">{9}</td>"
      "<td data-label=\"Active\" data-testid=\"active\">{10}</td>"
      "<td data-label=\"Certifications\" data-testid=\"certifications\">{11}</td>"
      "<td data-label=\"Upcoming leave\" data-testid=\"leave\">{12}</td>"
      "<td class=\"act\"><div class=\"row-actions\">"
      "<button type=\"button\" class=\"small\" data-action=\"edit\" data-staff=\"{0}\">Edit<span class=\"sr-only\"> "
      "{1}</span></button>"
      "<button type=\"button\" class=\"small secondary\" data-action=\"add-cert\" data-staff=\"{0}\">Certification"
      "<span class=\"sr-only\"> for {1}</span></button>"
      "<button type=\"button\" class=\"small secondary\" data-action=\"request-leave\" data-staff=\"{0}\">Leave"
      "<span class=\"sr-only\"> for {1}</span></button>"
      "<button type=\"button\" class=\"small danger\" data-action=\"delete\" data-staff=\"{0}\">Delete…"
      "<span class=\"sr-only\"> {1}</span></button></div></td></tr>",
      m.id, name, Escape(m.role), Hours(m.contracted_hours), RowUnits(m), m.active ? "true" : "false",
      m.active ? "" : " class=\"inactive\"", Escape(RoleLabel(m.role)),
      m.primary_unit ? Escape(m.primary_unit->name) : "<span class=\"muted\">none</span>", UnitNames(m.qualified_units),
      m.active ? "yes" : "no", CertificationsCell(m, today), LeaveCell(m, today));
}

std::string SortHeader(const char* key, const char* label, const char* sort) {
  return fmt::format(
      "<th scope=\"col\" aria-sort=\"{}\" data-sort-key=\"{}\"><button type=\"button\" class=\"sort\" "
      "data-sort=\"{}\">{}<span class=\"arrow\" aria-hidden=\"true\"></span></button></th>",
      sort, key, key, label);
}

std::string StaffTable(const std::vector<domain::StaffMember>& staff, Date today) {
  std::vector<const domain::StaffMember*> rows;
  for (const auto& m : staff) rows.push_back(&m);
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto* a, const auto* b) { return std::tie(a->name, a->id) < std::tie(b->name, b->id); });
  std::string body;
  for (const auto* m : rows) body += StaffRow(*m, today);
  if (rows.empty()) body = "<tr><td colspan=\"9\" class=\"muted\">No member of staff yet.</td></tr>";
  return fmt::format(
      "<div class=\"table-box\"><table class=\"list staff-table\" id=\"staff-table\">"
      "<caption class=\"sr-only\">Members of staff; the sort buttons in the column headers reorder the rows</caption>"
      "<thead><tr>{}{}{}<th scope=\"col\">Primary unit</th><th scope=\"col\">Qualified units</th>"
      "<th scope=\"col\">Active</th><th scope=\"col\">Certifications</th><th scope=\"col\">Upcoming leave</th>"
      "<th scope=\"col\"><span class=\"sr-only\">Actions</span></th></tr></thead><tbody>{}</tbody></table></div>",
      SortHeader("name", "Name", "ascending"), SortHeader("role", "Role", "none"), SortHeader("hours", "Hours", "none"),
      body);
}

std::string UnitOptions(const std::vector<domain::IdName>& units) {
  std::string out;
  for (const auto& u : units) out += fmt::format("<option value=\"{}\">{}</option>", u.id, Escape(u.name));
  return out;
}

std::string Toolbar(const domain::HomeUnits& home, size_t staff_count) {
  return fmt::format(
      "<div class=\"toolbar\"><div class=\"filters\" role=\"group\" aria-label=\"filter the list\">"
      "<label>Unit <select id=\"filter-unit\"><option value=\"\">every unit</option>{}</select></label>"
      "<label>Show <select id=\"filter-active\"><option value=\"all\">everyone</option>"
      "<option value=\"active\">active only</option><option value=\"inactive\">inactive only</option></select>"
      "</label></div><button type=\"button\" id=\"add-staff\" data-action=\"add\">Add a member of staff</button></div>"
      "<p class=\"muted\" id=\"shown\" aria-live=\"polite\"><span data-testid=\"shown-count\">{}</span> of "
      "<span data-testid=\"staff-count\">{}</span> shown</p>",
      UnitOptions(home.units), staff_count, staff_count);
}

// One labelled field of a form with the place for the API's message about it
// (staff.js fills `<form>-<field>-error` from a 422's `field`).
std::string Field(const char* form, const char* field, const char* label, const std::string& control) {
  return fmt::format(
      "<div class=\"field\"><label for=\"{0}-{1}\">{2}</label>{3}<p class=\"field-error\" id=\"{0}-{1}-error\" "
      "hidden></p></div>",
      form, field, label, control);
}

std::string Input(const char* form, const char* field, const char* attrs) {
  return fmt::format("<input id=\"{0}-{1}\" name=\"{1}\" aria-describedby=\"{0}-{1}-error\" {2}>", form, field, attrs);
}

std::string StaffForm(const domain::HomeUnits& home) {
  std::string roles;
  for (const RoleChoice& r : kRoles) roles += fmt::format("<option value=\"{}\">{}</option>", r.value, r.label);
  std::string checks;
  for (const auto& u : home.units)
    checks += fmt::format(
        "<label class=\"check\"><input type=\"checkbox\" name=\"qualified_unit_ids\" value=\"{}\"> {}</label>", u.id,
        Escape(u.name));
  if (home.units.empty()) checks = "<span class=\"muted\">This home has no units.</span>";
  return fmt::format(
      "<form id=\"staff-form\" class=\"editor-form\" novalidate hidden aria-labelledby=\"staff-form-title\">"
      "<h2 id=\"staff-form-title\">Add a member of staff</h2>"
      "<p class=\"form-error\" id=\"staff-form-error\" role=\"alert\" hidden></p><div class=\"fields\">{}{}{}{}{}"
      "<fieldset class=\"field units\" aria-describedby=\"staff-form-qualified_unit_ids-error\"><legend>Qualified "
      "units</legend>{}<p class=\"field-error\" id=\"staff-form-qualified_unit_ids-error\" hidden></p></fieldset>"
      "<div class=\"field\"><label class=\"check\"><input type=\"checkbox\" id=\"staff-form-active\" name=\"active\" "
      "checked> Active (may be given shifts)</label><p class=\"field-error\" id=\"staff-form-active-error\" hidden>"
      "</p></div></div><div class=\"actions\"><button type=\"submit\" id=\"staff-form-save\">Save</button>"
      "<button type=\"button\" class=\"secondary\" data-action=\"close\">Cancel</button></div></form>",
      Field("staff-form", "first_name", "First name",
            Input("staff-form", "first_name", "maxlength=\"200\" autocomplete=\"off\" required")),
      Field("staff-form", "last_name", "Last name",
            Input("staff-form", "last_name", "maxlength=\"200\" autocomplete=\"off\" required")),
      Field("staff-form", "role", "Role",
            fmt::format("<select id=\"staff-form-role\" name=\"role\" aria-describedby=\"staff-form-role-error\">{}"
                        "</select>",
                        roles)),
      Field("staff-form", "contracted_hours", "Contracted hours a week",
            Input("staff-form", "contracted_hours", "inputmode=\"decimal\" autocomplete=\"off\"")),
      Field("staff-form", "primary_unit_id", "Primary unit",
            fmt::format("<select id=\"staff-form-primary_unit_id\" name=\"primary_unit_id\" "
                        "aria-describedby=\"staff-form-primary_unit_id-error\"><option value=\"\">none</option>{}"
                        "</select>",
                        UnitOptions(home.units))),
      checks);
}

std::string CertificationForm() {
  return fmt::format(
      "<form id=\"cert-form\" class=\"editor-form\" novalidate hidden aria-labelledby=\"cert-form-title\">"
      "<h2 id=\"cert-form-title\">Add a certification for <span data-slot=\"name\"></span></h2>"
      "<p class=\"form-error\" id=\"cert-form-error\" role=\"alert\" hidden></p><div class=\"fields\">{}{}</div>"
      "<div class=\"actions\"><button type=\"submit\" id=\"cert-form-save\">Add certification</button>"
      "<button type=\"button\" class=\"secondary\" data-action=\"close\">Cancel</button></div></form>",
      Field("cert-form", "name", "Certification",
            Input("cert-form", "name", "maxlength=\"200\" autocomplete=\"off\" required")),
      Field("cert-form", "expires_on", "Expires on", Input("cert-form", "expires_on", "type=\"date\" required")));
}

std::string LeaveForm() {
  return fmt::format(
      "<form id=\"leave-form\" class=\"editor-form\" novalidate hidden aria-labelledby=\"leave-form-title\">"
      "<h2 id=\"leave-form-title\">Request leave for <span data-slot=\"name\"></span></h2>"
      "<p class=\"form-error\" id=\"leave-form-error\" role=\"alert\" hidden></p><div class=\"fields\">{}{}{}</div>"
      "<div class=\"actions\"><button type=\"submit\" id=\"leave-form-save\">Request leave</button>"
      "<button type=\"button\" class=\"secondary\" data-action=\"close\">Cancel</button></div></form>",
      Field("leave-form", "start_date", "First day", Input("leave-form", "start_date", "type=\"date\" required")),
      Field("leave-form", "end_date", "Last day", Input("leave-form", "end_date", "type=\"date\" required")),
      Field("leave-form", "reason", "Reason (optional)",
            Input("leave-form", "reason", "maxlength=\"2000\" autocomplete=\"off\"")));
}

// The confirmation step of a delete: staff.js fills in the name, and the
// shifts that would become vacant from .../staff/{id}/vacated (RenderVacatedShifts).
std::string DeleteConfirmation() {
  return "<div id=\"delete-confirm\" class=\"confirm\" role=\"group\" aria-labelledby=\"delete-title\" hidden>"
         "<h2 id=\"delete-title\">Delete <span data-slot=\"name\"></span>?</h2>"
         "<div id=\"delete-details\" aria-live=\"polite\"></div>"
         "<p>Their certifications and leave requests are deleted with them. This cannot be undone.</p>"
         "<p class=\"form-error\" id=\"delete-error\" role=\"alert\" hidden></p>"
         "<div class=\"actions\"><button type=\"button\" class=\"danger\" id=\"delete-yes\">Yes, delete</button>"
         "<button type=\"button\" class=\"secondary\" id=\"delete-no\" data-action=\"close\">Cancel</button></div>"
         "</div>";
}

// What staff.js needs beyond the table: each member's stored fields, to fill
// the edit form: {"staff": {"<id>": {first_name, last_name, name, role,
// contracted_hours, active, primary_unit_id, qualified_unit_ids}}}.
std::string StaffData(const StaffPageReads& reads) {
  service::JsonWriter w;
  w.BeginObject();
  w.Key("staff");
  w.BeginObject();
  for (const auto& m : reads.staff) {
    w.Key(std::to_string(m.id));
    w.BeginObject();
    w.Field("first_name", m.first_name);
    w.Field("last_name", m.last_name);
    w.Field("name", m.name);
    w.Field("role", m.role);
    w.Field("contracted_hours", m.contracted_hours);
    w.Field("active", m.active);
    w.Field("primary_unit_id", m.primary_unit ? std::optional<int64_t>(m.primary_unit->id) : std::nullopt);
    w.Key("qualified_unit_ids");
    w.BeginArray();
    for (const auto& u : m.qualified_units) w.Value(u.id);
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return std::move(w).Take();
}

bool NoCache(const http::Request& req) {
  auto q = req.Query("nocache");
  return q && *q == "1";
}

}  // namespace

Result<StaffPageReads> LoadStaffPageReads(service::ReadService& reads, int64_t home) {
  StaffPageReads r;
  ROTA_ASSIGN(r.home, reads.LoadHomeUnits(home));
  ROTA_ASSIGN(r.staff, reads.LoadStaff(home));
  return r;
}

std::string RenderStaffPanel(int64_t home, Date today, const StaffPageReads& reads) {
  return fmt::format(
      "<div class=\"staff-panel\" data-home=\"{}\"><h1>Staff <span class=\"muted\" data-testid=\"home-name\">{}"
      "</span></h1>{}<section class=\"card editor\" id=\"editor\" aria-label=\"edit\" hidden>{}{}{}{}</section>"
      "<section class=\"card\" aria-label=\"members of staff\">{}</section>"
      "<script type=\"application/json\" id=\"staff-data\">{}</script></div>",
      home, Escape(reads.home.home.name), Toolbar(reads.home, reads.staff.size()), StaffForm(reads.home),
      CertificationForm(), LeaveForm(), DeleteConfirmation(), StaffTable(reads.staff, today),
      JsonForScript(StaffData(reads)));
}

Result<service::CachedAnswer> StaffPanel(service::App& app, int64_t home, bool bypass) {
  Date today = app.Today();
  std::string args =
      fmt::format("staff-panel/v{}/{}/{}", kStaffPanelVersion, FindAsset("staff.js")->hash, today.ToString());
  return app.cached().Fragment(home, args, bypass, [&]() -> Result<std::string> {
    auto reads = LoadStaffPageReads(app.reads(), home);
    if (!reads) return std::move(reads).error();
    return RenderStaffPanel(home, today, *reads);
  });
}

http::Response StaffPage(service::App& app, const http::Request& req, const service::SessionPrincipal& caller) {
  int64_t home = req.path_ids.at(0);
  if (!caller.principal.CanSeeHome(home))
    return ErrorPage(403, "Not allowed", fmt::format("You may not see home {}.", home), &caller);
  auto panel = StaffPanel(app, home, false);
  if (!panel)
    return ErrorPage(panel.error().code == ErrorCode::kNotFound ? "Not found" : "Error", panel.error(), &caller);
  return FragmentPage(req, PageFrame{"Staff", &caller, {"rota.js", "staff.js"}, home, HomeSection::kStaff},
                      fmt::format("<p class=\"flash\" id=\"flash\" role=\"status\" hidden></p><div id=\"panel\" "
                                  "data-panel-url=\"/homes/{}/staff/panel\">",
                                  home),
                      std::move(*panel), "</div>");
}

http::Response StaffPanelFragment(service::App& app, const http::Request& req) {
  auto caller = http::Authenticate(app, req);
  if (!caller) return http::Response::FromError(caller.error());
  int64_t home = req.path_ids.at(0);
  if (auto s = service::CheckHome(caller->principal, home); !s) return http::Response::FromError(s.error());
  // Like the API: 401/403/404 as JSON, the fragment as text/html with X-Cache.
  return FragmentOnly(req, StaffPanel(app, home, NoCache(req)));
}

std::string RenderVacatedShifts(const domain::StaffMember& member, const std::vector<domain::AssignedShift>& shifts) {
  const size_t n = shifts.size();
  const std::string name = Escape(member.name);
  if (n == 0)
    return fmt::format(
        "<p id=\"delete-summary\" data-count=\"0\">{} has no upcoming shift: no shift becomes vacant.</p>", name);
  std::string items;
  for (const auto& a : shifts)
    items += fmt::format("<li data-shift=\"{}\" data-date=\"{}\">{} · {} · {} {}–{}</li>", a.shift_id,
                         a.date.ToString(), LongDate(a.date), Escape(a.unit.name), Escape(a.shift_type.name),
                         Escape(a.shift_type.start), Escape(a.shift_type.end));
  return fmt::format(
      "<p id=\"delete-summary\" data-count=\"{0}\">{0} upcoming shift{1} of {2} will become vacant:</p>"
      "<ul id=\"delete-shifts\" class=\"vacated\">{3}</ul>",
      n, n == 1 ? "" : "s", name, items);
}

Result<service::CachedAnswer> VacatedShifts(service::App& app, int64_t home, int64_t staff, bool bypass) {
  Date today = app.Today();
  std::string args = fmt::format("staff-vacated/v{}/{}/{}", kStaffPanelVersion, staff, today.ToString());
  return app.cached().Fragment(home, args, bypass, [&]() -> Result<std::string> {
    auto members = app.reads().LoadStaff(home);
    if (!members) return std::move(members).error();
    auto member = std::find_if(members->begin(), members->end(), [&](const auto& m) { return m.id == staff; });
    if (member == members->end())
      return Error::NotFound(fmt::format("staff member {} does not exist in home {}", staff, home));
    auto assigned = app.reads().LoadAssignedShifts(home, today);
    if (!assigned) return std::move(assigned).error();
    std::vector<domain::AssignedShift> theirs;  // by date: the home's are by staff, then date
    for (auto& a : *assigned)
      if (a.staff_id == staff) theirs.push_back(std::move(a));
    return RenderVacatedShifts(*member, theirs);
  });
}

http::Response VacatedShiftsFragment(service::App& app, const http::Request& req) {
  auto caller = http::Authenticate(app, req);
  if (!caller) return http::Response::FromError(caller.error());
  int64_t home = req.path_ids.at(0);
  if (auto s = service::CheckHome(caller->principal, home); !s) return http::Response::FromError(s.error());
  return FragmentOnly(req, VacatedShifts(app, home, req.path_ids.at(1), NoCache(req)));
}

}  // namespace rota::web

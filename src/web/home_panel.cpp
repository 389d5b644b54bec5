#include "web/home_panel.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "domain/eligibility.hpp"
#include "service/json_writer.hpp"
#include "web/assets.hpp"
#include "web/html.hpp"

namespace rota::web {
namespace {

// Bumped when the panel's HTML changes shape, so that a Redis shared with
// servers of an older build never hands this one a fragment of the old shape.
constexpr int kPanelVersion = 1;

// "Sat 28 Nov" for 2026-11-28.
std::string ShortDate(Date d) {
  static const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // day 0 = 1970-01-01
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int wd = ((d.days() % 7) + 7) % 7;
  return fmt::format("{} {} {}", kDays[wd], d.day(), kMonths[d.month() - 1]);
}

std::string Figures(const domain::DashboardFigures& d7, const domain::DashboardFigures& d14) {
  auto row = [&](const char* label, int64_t n7, int64_t n14, const char* id) {
    return fmt::format(
        "<tr><th scope=\"row\">{}</th><td data-testid=\"{}-7\">{}</td><td data-testid=\"{}-14\">{}</td></tr>", label,
        id, n7, id, n14);
  };
  auto pct = [](const domain::DashboardFigures& d) {
    return fmt::format("{:.1f}%", domain::CoveragePct(d.shifts.staffed, d.shifts.total));
  };
  std::string table = fmt::format(
      "<table class=\"figures\"><thead><tr><th></th><th>Next 7 days<br><small>{} – {}</small></th>"
      "<th>Next 14 days<br><small>{} – {}</small></th></tr></thead><tbody>{}{}{}"
      "<tr class=\"coverage\"><th scope=\"row\">Coverage</th><td data-testid=\"coverage-7\">{}</td>"
      "<td data-testid=\"coverage-14\">{}</td></tr></tbody></table>",
      ShortDate(d7.range.from), ShortDate(d7.range.to), ShortDate(d14.range.from), ShortDate(d14.range.to),
      row("Shifts", d7.shifts.total, d14.shifts.total, "total"),
      row("Staffed", d7.shifts.staffed, d14.shifts.staffed, "staffed"),
      row("Vacant", d7.shifts.vacant(), d14.shifts.vacant(), "vacant"), pct(d7), pct(d14));
  auto card = [&](const char* label, int64_t n, const char* id, bool alarm) {
    return fmt::format("<div class=\"stat{}\"><span class=\"n\" data-testid=\"{}\">{}</span><span>{}</span></div>",
                       alarm && n > 0 ? " alarm" : "", id, n, label);
  };
  return table + "<div class=\"stats\">" +
         card("pending leave requests", d7.pending_leave_requests, "pending-leave", false) +
         card("staff on leave today", d7.staff_on_leave_today, "on-leave-today", false) +
         card("certifications expiring within 30 days", d7.certifications_expiring_30d, "certs-expiring", true) +
         card("certifications expired", d7.certifications_expired, "certs-expired", true) + "</div>";
}

// The chart data (by day and by unit over 14 days) for home.js:
// {"by_day": [{label, staffed, vacant}], "by_unit": [...]}.
std::string ChartJson(const domain::DashboardFigures& d14) {
  service::JsonWriter w;
  auto point = [&](const std::string& label, const domain::Coverage& c) {
    w.BeginObject();
    w.Field("label", label);
    w.Field("staffed", c.staffed);
    w.Field("vacant", c.vacant());
    w.EndObject();
  };
  w.BeginObject();
  w.Key("by_day");
  w.BeginArray();
  for (const auto& d : d14.by_day) point(ShortDate(d.date), d.shifts);
  w.EndArray();
  w.Key("by_unit");
  w.BeginArray();
  for (const auto& u : d14.by_unit) point(u.unit.name, u.shifts);
  w.EndArray();
  w.EndObject();
  return std::move(w).Take();
}

std::string VacantShifts(int64_t home, const std::vector<domain::Shift>& shifts,
                         const std::vector<domain::StaffMember>& staff) {
  // Who already works on each date (no one works two shifts on one date).
  std::map<Date, std::set<int64_t>> busy;
  for (const auto& s : shifts)
    if (s.staff) busy[s.date].insert(s.staff->id);
  std::string rows;
  int count = 0;
  for (const auto& s : shifts) {
    if (s.staff) continue;
    ++count;
    const std::set<int64_t>& busy_that_day = busy[s.date];
    std::string options;
    for (const auto& m : staff)
      if (domain::MayTake(s, home, m, busy_that_day.contains(m.id)))
        options += fmt::format("<option value=\"{}\">{}</option>", m.id, Escape(m.name));
    std::string action = options.empty()
                             ? "<span class=\"muted\">no qualified member of staff is free</span>"
                             : fmt::format(
                                   "<select aria-label=\"member of staff\" data-role=\"candidate\">{}</select>"
                                   "<button type=\"button\" data-action=\"assign\" data-shift=\"{}\">Assign</button>",
                                   options, s.id);
    rows += fmt::format(
        "<tr data-shift-row=\"{}\" data-date=\"{}\"><td>{}</td><td>{}</td><td>{} <small>{}–{}</small></td>"
        "<td class=\"act\">{}</td></tr>",
        s.id, s.date.ToString(), ShortDate(s.date), Escape(s.unit.name), Escape(s.shift_type.name),
        Escape(s.shift_type.start), Escape(s.shift_type.end), action);
  }
  if (count == 0) rows = "<tr><td colspan=\"4\" class=\"muted\">Every shift of the next 14 days is staffed.</td></tr>";
  return fmt::format(
      "<section class=\"card\" id=\"vacant\"><h2>Vacant shifts, next 14 days <span class=\"count\" "
      "data-testid=\"vacant-count\">{}</span></h2><div class=\"scroll\"><table class=\"list\"><thead><tr>"
      "<th>Date</th><th>Unit</th><th>Shift</th><th>Assign a qualified member of staff</th></tr></thead><tbody>{}"
      "</tbody></table></div></section>",
      count, rows);
}

std::string PendingLeave(const std::vector<domain::StaffMember>& staff) {
  struct Pending {
    Date start, end;
    int64_t id;
    const std::string* name;
  };
  std::vector<Pending> pending;
  for (const auto& m : staff)
    for (const auto& l : m.leave_requests)
      if (l.status == domain::LeaveStatus::kPending) pending.push_back({l.start_date, l.end_date, l.id, &m.name});
  std::sort(pending.begin(), pending.end(),
            [](const Pending& a, const Pending& b) { return std::tie(a.start, a.id) < std::tie(b.start, b.id); });
  std::string rows;
  for (const auto& p : pending)
    rows += fmt::format(
        "<tr data-leave-row=\"{0}\"><td>{1}</td><td>{2}</td><td>{3}</td><td class=\"act\">"
        "<button type=\"button\" data-action=\"leave\" data-status=\"approved\" data-leave=\"{0}\">Approve</button>"
        "<button type=\"button\" data-action=\"leave\" data-status=\"rejected\" data-leave=\"{0}\" "
        "class=\"secondary\">Reject</button></td></tr>",
        p.id, Escape(*p.name), ShortDate(p.start), ShortDate(p.end));
  if (pending.empty()) rows = "<tr><td colspan=\"4\" class=\"muted\">No leave request is waiting.</td></tr>";
  return fmt::format(
      "<section class=\"card\" id=\"leave\"><h2>Pending leave requests <span class=\"count\">{}</span></h2>"
      "<table class=\"list\"><thead><tr><th>Member of staff</th><th>From</th><th>To</th><th></th></tr></thead>"
      "<tbody>{}</tbody></table></section>",
      pending.size(), rows);
}

std::string Certifications(const domain::ComplianceReport& compliance, Date today) {
  std::string rows;
  for (const auto& c : compliance.expiring_certifications) {
    bool expired = c.expires_on < today;
    rows += fmt::format("<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        expired ? "expired" : "expiring", Escape(c.name), Escape(c.certification),
                        ShortDate(c.expires_on), expired ? "expired" : fmt::format("in {} days", c.expires_on - today));
  }
  const size_t n = compliance.expiring_certifications.size();
  if (n == 0) rows = "<tr><td colspan=\"4\" class=\"muted\">No certification expires within 30 days.</td></tr>";
  return fmt::format(
      "<section class=\"card\" id=\"certifications\"><h2>Certifications expiring or expired <span class=\"count\">"
      "{}</span></h2><table class=\"list\"><thead><tr><th>Member of staff</th><th>Certification</th><th>Expires</th>"
      "<th></th></tr></thead><tbody>{}</tbody></table></section>",
      n, rows);
}

}  // namespace

Result<HomeReads> LoadHomeReads(service::ReadService& reads, int64_t home, Date today) {
  HomeReads r;
  ROTA_ASSIGN(r.dashboard7, reads.LoadDashboard(home, {today, today.AddDays(6)}));
  ROTA_ASSIGN(r.dashboard14, reads.LoadDashboard(home, {today, today.AddDays(13)}));
  ROTA_ASSIGN(r.shifts, reads.LoadShifts(home, {today, today.AddDays(13)}));
  ROTA_ASSIGN(r.staff, reads.LoadStaff(home));
  ROTA_ASSIGN(r.compliance, reads.LoadCompliance(home, {today, today.AddDays(6)}));
  return r;
}

std::string RenderHomePanel(int64_t home, Date today, const HomeReads& reads) {
  return fmt::format(
      "<div class=\"panel\" data-home=\"{}\"><h1 data-testid=\"home-name\">{}</h1>"
      "<section class=\"card\" id=\"figures\">{}</section>"
      "<section class=\"card charts\"><figure><figcaption>Coverage by day, next 14 days</figcaption>"
      "<div class=\"chart\"><canvas id=\"chart-by-day\" role=\"img\" aria-label=\"staffed and vacant shifts by day\">"
      "</canvas></div></figure><figure><figcaption>Coverage by unit, next 14 days</figcaption><div class=\"chart\">"
      "<canvas id=\"chart-by-unit\" role=\"img\" aria-label=\"staffed and vacant shifts by unit\"></canvas></div>"
      "</figure><script type=\"application/json\" id=\"chart-data\">{}</script></section>{}{}{}</div>",
      home, Escape(reads.dashboard7.home.name), Figures(reads.dashboard7, reads.dashboard14),
      JsonForScript(ChartJson(reads.dashboard14)), VacantShifts(home, reads.shifts, reads.staff),
      PendingLeave(reads.staff), Certifications(reads.compliance, today));
}

Result<service::CachedAnswer> HomePanel(service::App& app, int64_t home, bool bypass) {
  Date today = app.Today();
  std::string args = fmt::format("home-panel/v{}/{}/{}", kPanelVersion, FindAsset("home.js")->hash, today.ToString());
  // It shows everything of the home but shift notes and links.
  constexpr unsigned kFamilies = service::kAllFamilies & ~(service::kNotes | service::kLinks);
  return app.cached().Fragment(home, kFamilies, args, bypass, [&]() -> Result<std::string> {
    auto reads = LoadHomeReads(app.reads(), home, today);
    if (!reads) return std::move(reads).error();
    return RenderHomePanel(home, today, *reads);
  });
}

}  // namespace rota::web

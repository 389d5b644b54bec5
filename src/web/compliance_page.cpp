#include "web/compliance_page.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "web/html.hpp"

namespace rota::web {
namespace {

// Bumped when the fragment's HTML changes shape (a Redis may be shared with
// servers of an older build).
constexpr int kCompliancePageVersion = 1;

// "Sat 28 Nov 2026".
std::string DayLabel(Date d) {
  static const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // day 0 = 1970-01-01
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const int wd = ((d.days() % 7) + 7) % 7;
  return fmt::format("{} {} {} {}", kDays[wd], d.day(), kMonths[d.month() - 1], d.year());
}

// The name of `id` among `items`, or "#id" if it is not there.
std::string NameOf(const std::vector<domain::IdName>& items, int64_t id) {
  auto it = std::find_if(items.begin(), items.end(), [&](const domain::IdName& x) { return x.id == id; });
  return it != items.end() ? it->name : fmt::format("#{}", id);
}

std::string ComplianceUrl(int64_t home, Date from, int days) {
  return fmt::format("/homes/{}/compliance/?from={}&amp;days={}", home, from.ToString(), days);
}

// Previous/next range of the same length (none outside the calendar), and the form.
std::string RangeNavigation(int64_t home, const domain::DateRange& range) {
  const int days = range.days();
  std::string links;
  if (range.from - Date::Min() >= days)
    links += fmt::format("<a href=\"{}\" rel=\"prev\" data-testid=\"prev-range\">&larr; previous {} days</a>",
                         ComplianceUrl(home, range.from.AddDays(-days), days), days);
  if (Date::Max() - range.to >= days)
    links += fmt::format("<a href=\"{}\" rel=\"next\" data-testid=\"next-range\">next {} days &rarr;</a>",
                         ComplianceUrl(home, range.from.AddDays(days), days), days);
  return fmt::format(
      "<nav class=\"range-nav\" aria-label=\"date range\">{}<form method=\"get\" action=\"/homes/{}/compliance/\">"
      "<label for=\"range-from\">From</label><input type=\"date\" id=\"range-from\" name=\"from\" value=\"{}\" "
      "required>"
      "<label for=\"range-days\">Days</label><input type=\"number\" id=\"range-days\" name=\"days\" value=\"{}\" "
      "min=\"1\" max=\"{}\" required><button type=\"submit\">Show</button></form></nav>",
      links, home, range.from.ToString(), days, domain::kMaxRangeDays);
}

std::string Understaffed(const ComplianceReads& reads) {
  const int64_t home = reads.labels.home.id;
  std::string rows;
  for (const auto& u : reads.report.understaffed)
    rows += fmt::format(
        "<tr data-understaffed=\"{0}/{1}/{2}\"><th scope=\"row\"><a href=\"/homes/{3}/rota/?from={0}\" "
        "data-testid=\"rota-link\">{4}</a></th><td data-label=\"Unit\">{5}</td><td data-label=\"Shift\">{6}</td>"
        "<td data-label=\"Required\">{7}</td><td data-label=\"Assigned\">{8}</td></tr>",
        u.date.ToString(), u.unit_id, u.shift_type_id, home, DayLabel(u.date),
        Escape(NameOf(reads.labels.units, u.unit_id)), Escape(NameOf(reads.labels.shift_types, u.shift_type_id)),
        u.required, u.assigned);
  if (reads.report.understaffed.empty())
    rows = "<tr><td colspan=\"5\" class=\"muted\">Every shift of these days has the staff its unit requires.</td></tr>";
  return fmt::format(
      "<section class=\"card\" id=\"understaffed\"><h2>Understaffed shifts <span class=\"count\" "
      "data-testid=\"understaffed-count\">{}</span></h2><p class=\"muted\">A unit's shifts of one type on one day "
      "with fewer staff assigned than the unit requires. Each date opens that day in the rota.</p>"
      "<table class=\"list numbers cards\"><thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Unit</th>"
      "<th scope=\"col\">Shift</th><th scope=\"col\">Required</th><th scope=\"col\">Assigned</th></tr></thead>"
      "<tbody>{}</tbody></table></section>",
      reads.report.understaffed.size(), rows);
}

std::string Certifications(const ComplianceReads& reads) {
  const Date from = reads.range.from;
  std::string rows;
  for (const auto& c : reads.report.expiring_certifications) {
    const bool expired = c.expires_on < from;
    const std::string when = expired
                                 ? "<span class=\"badge expired\">expired</span>"
                                 : fmt::format("<span class=\"badge expiring\">in {} days</span>", c.expires_on - from);
    rows += fmt::format(
        "<tr class=\"{}\" data-cert-staff=\"{}\"><th scope=\"row\">{}</th><td data-label=\"Certification\">{}</td>"
        "<td data-label=\"Expires\">{}</td><td data-label=\"Status\" data-testid=\"cert-status\">{}</td></tr>",
        expired ? "expired" : "expiring", c.staff_id, Escape(c.name), Escape(c.certification), c.expires_on.ToString(),
        when);
  }
  if (reads.report.expiring_certifications.empty())
    rows = "<tr><td colspan=\"4\" class=\"muted\">No certification expires within 30 days.</td></tr>";
  return fmt::format(
      "<section class=\"card\" id=\"certifications\"><h2>Certifications expiring or expired <span class=\"count\" "
      "data-testid=\"cert-count\">{}</span></h2><p class=\"muted\">Of active staff, expiring by {} (30 days from {}) "
      "or already expired.</p><table class=\"list cards\"><thead><tr><th scope=\"col\">Member of staff</th>"
      "<th scope=\"col\">Certification</th><th scope=\"col\">Expires</th><th scope=\"col\">Status</th></tr></thead>"
      "<tbody>{}</tbody></table></section>",
      reads.report.expiring_certifications.size(), domain::WindowLast(from, domain::kCertWindowDays).ToString(),
      from.ToString(), rows);
}

}  // namespace

Result<ComplianceReads> LoadComplianceReads(service::ReadService& reads, int64_t home, domain::DateRange range) {
  ComplianceReads r;
  r.range = range;
  ROTA_ASSIGN(r.labels, reads.LoadHomeLabels(home));
  ROTA_ASSIGN(r.report, reads.LoadCompliance(home, range));
  return r;
}

std::string RenderCompliancePage(const ComplianceReads& reads) {
  return fmt::format(
      "<div class=\"compliance\" data-home=\"{}\"><h1>Compliance <small class=\"muted\" data-testid=\"home-name\">{}"
      "</small></h1><p data-testid=\"range\">{} to {} ({} days)</p>{}{}{}</div>",
      reads.labels.home.id, Escape(reads.labels.home.name), DayLabel(reads.range.from), DayLabel(reads.range.to),
      reads.range.days(), RangeNavigation(reads.labels.home.id, reads.range), Understaffed(reads),
      Certifications(reads));
}

Result<service::CachedAnswer> ComplianceFragment(service::App& app, int64_t home, domain::DateRange range,
                                                 bool bypass) {
  const std::string args =
      fmt::format("compliance-page/v{}/{}/{}", kCompliancePageVersion, range.from.ToString(), range.to.ToString());
  return app.cached().Fragment(home, args, bypass, [&]() -> Result<std::string> {
    auto reads = LoadComplianceReads(app.reads(), home, range);
    if (!reads) return std::move(reads).error();
    return RenderCompliancePage(*reads);
  });
}

}  // namespace rota::web

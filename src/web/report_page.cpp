#include "web/report_page.hpp"

#include <fmt/format.h>

#include "service/json_writer.hpp"
#include "service/model_json.hpp"
#include "web/html.hpp"

namespace rota::web {
namespace {

// Bumped when the fragment's HTML changes shape (a Redis may be shared with
// servers of an older build).
constexpr int kReportPageVersion = 1;

YearMonth Previous(YearMonth m) { return m.month == 1 ? YearMonth{m.year - 1, 12} : YearMonth{m.year, m.month - 1}; }
YearMonth Next(YearMonth m) { return m.month == 12 ? YearMonth{m.year + 1, 1} : YearMonth{m.year, m.month + 1}; }

std::string ReportUrl(int64_t home, YearMonth m) {
  return fmt::format("/homes/{}/reports/monthly/?month={}", home, m.ToString());
}

// Previous/next links (none outside years 1..9999) and the month picker.
std::string MonthNavigation(int64_t home, YearMonth month) {
  const YearMonth prev = Previous(month), next = Next(month);
  std::string links;
  if (prev.year >= 1)
    links += fmt::format("<a href=\"{}\" rel=\"prev\" data-testid=\"prev-month\">&larr; {}</a>", ReportUrl(home, prev),
                         MonthName(prev));
  if (next.year <= 9999)
    links += fmt::format("<a href=\"{}\" rel=\"next\" data-testid=\"next-month\">{} &rarr;</a>", ReportUrl(home, next),
                         MonthName(next));
  return fmt::format(
      "<nav class=\"range-nav\" aria-label=\"months\">{}<form method=\"get\" action=\"/homes/{}/reports/monthly/\">"
      "<label for=\"month-picker\">Month</label><input type=\"month\" id=\"month-picker\" name=\"month\" value=\"{}\" "
      "required><button type=\"submit\">Show</button></form>"
      "<a class=\"button\" download href=\"/api/homes/{}/reports/monthly?month={}&amp;format=csv\" "
      "data-testid=\"download-csv\">Download CSV</a></nav>",
      links, home, month.ToString(), home, month.ToString());
}

std::string Totals(const domain::MonthlyReport& r) {
  const int64_t staffed = r.total_shifts - r.vacant_shifts;
  auto stat = [](const char* label, const std::string& value, const char* id, bool alarm) {
    return fmt::format("<div class=\"stat{}\"><span class=\"n\" data-testid=\"{}\">{}</span><span>{}</span></div>",
                       alarm ? " alarm" : "", id, value, label);
  };
  return "<div class=\"stats\">" + stat("shifts", std::to_string(r.total_shifts), "total", false) +
         stat("staffed", std::to_string(staffed), "staffed", false) +
         stat("vacant", std::to_string(r.vacant_shifts), "vacant", r.vacant_shifts > 0) +
         stat("coverage", fmt::format("{:.1f}%", domain::CoveragePct(staffed, r.total_shifts)), "coverage", false) +
         "</div>";
}

std::string ShiftsByType(const domain::MonthlyReport& r) {
  std::string rows;
  for (const auto& t : r.shifts_by_type)
    rows += fmt::format(
        "<tr data-type-row=\"{}\"><th scope=\"row\">{}</th><td data-label=\"Shifts\">{}</td>"
        "<td data-label=\"Staffed\">{}</td><td data-label=\"Vacant\">{}</td></tr>",
        t.shift_type_id, Escape(t.name), t.total, t.total - t.vacant, t.vacant);
  return fmt::format(
      "<section class=\"card\" id=\"by-type\"><h2>Shifts by type</h2><table class=\"list numbers\"><thead><tr>"
      "<th scope=\"col\">Shift type</th><th scope=\"col\">Shifts</th><th scope=\"col\">Staffed</th>"
      "<th scope=\"col\">Vacant</th></tr></thead><tbody>{}</tbody></table></section>",
      rows);
}

// {"labels": [names], "hours": [numbers]} for report.js.
std::string ChartJson(const domain::MonthlyReport& r) {
  service::JsonWriter w;
  w.BeginObject();
  w.Key("labels");
  w.BeginArray();
  for (const auto& s : r.hours_by_staff) w.Value(s.name);
  w.EndArray();
  w.Key("hours");
  w.BeginArray();
  for (const auto& s : r.hours_by_staff) w.Value(s.hours);
  w.EndArray();
  w.EndObject();
  return std::move(w).Take();
}

std::string HoursByStaff(const domain::MonthlyReport& r) {
  std::string rows;
  double total_hours = 0;
  for (const auto& s : r.hours_by_staff) {
    total_hours += s.hours;
    rows += fmt::format(
        "<tr data-staff-row=\"{}\"><th scope=\"row\">{}</th><td data-label=\"Shifts\">{}</td>"
        "<td data-label=\"Hours\">{}</td></tr>",
        s.staff_id, Escape(s.name), s.shifts, service::JsonNumber(s.hours));
  }
  if (r.hours_by_staff.empty())
    rows = "<tr><td colspan=\"3\" class=\"muted\">No member of staff worked a shift this month.</td></tr>";
  const std::string chart =
      r.hours_by_staff.empty()
          ? ""
          : fmt::format(
                "<figure class=\"report-figure\"><figcaption>Hours by member of staff</figcaption>"
                "<div class=\"report-chart\" id=\"hours-chart-box\"><canvas id=\"chart-hours\" role=\"img\" "
                "aria-label=\"Bar chart of hours by member of staff; the table below lists the same numbers\">"
                "</canvas></div><script type=\"application/json\" id=\"report-chart-data\">{}</script></figure>",
                JsonForScript(ChartJson(r)));
  return fmt::format(
      "<section class=\"card\" id=\"hours\"><h2>Hours by member of staff <span class=\"count\">{}</span></h2>{}"
      "<table class=\"list numbers\" id=\"hours-table\"><thead><tr><th scope=\"col\">Member of staff</th>"
      "<th scope=\"col\">Shifts</th><th scope=\"col\">Hours</th></tr></thead><tbody>{}</tbody>"
      "<tfoot><tr><th scope=\"row\">All staff</th><td data-label=\"Shifts\">{}</td>"
      "<td data-label=\"Hours\" data-testid=\"total-hours\">{}</td></tr></tfoot></table></section>",
      r.hours_by_staff.size(), chart, rows, r.total_shifts - r.vacant_shifts, service::JsonNumber(total_hours));
}

}  // namespace

std::string MonthName(YearMonth month) {
  static const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                  "July",    "August",   "September", "October", "November", "December"};
  return fmt::format("{} {}", kMonths[(month.month - 1) % 12], month.year);
}

Result<ReportReads> LoadReportReads(service::ReadService& reads, int64_t home, YearMonth month) {
  ReportReads r;
  domain::HomeLabels labels;
  ROTA_ASSIGN(labels, reads.LoadHomeLabels(home));
  r.home = std::move(labels.home);
  ROTA_ASSIGN(r.report, reads.LoadMonthlyReport(home, month));
  return r;
}

std::string RenderReportPage(const ReportReads& reads) {
  const auto& r = reads.report;
  return fmt::format(
      "<div class=\"report\" data-home=\"{}\" data-month=\"{}\"><h1>Monthly report: <span data-testid=\"month\">{}"
      "</span> <small class=\"muted\" data-testid=\"home-name\">{}</small></h1>{}"
      "<section class=\"card\" id=\"totals\"><h2>Totals</h2>{}</section>{}{}</div>",
      reads.home.id, r.month.ToString(), MonthName(r.month), Escape(reads.home.name),
      MonthNavigation(reads.home.id, r.month), Totals(r), HoursByStaff(r), ShiftsByType(r));
}

Result<service::CachedAnswer> ReportFragment(service::App& app, int64_t home, YearMonth month, bool bypass) {
  const std::string args = fmt::format("report-page/v{}/{}", kReportPageVersion, month.ToString());
  return app.cached().Fragment(home, args, bypass, [&]() -> Result<std::string> {
    auto reads = LoadReportReads(app.reads(), home, month);
    if (!reads) return std::move(reads).error();
    return RenderReportPage(*reads);
  });
}

}  // namespace rota::web

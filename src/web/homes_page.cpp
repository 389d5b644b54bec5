#include "web/homes_page.hpp"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "web/assets.hpp"
#include "web/html.hpp"

namespace rota::web {
namespace {

// Bumped when the fragment's HTML changes shape (a Redis may be shared with
// servers of an older build).
constexpr int kHomesPageVersion = 1;

double Coverage(const domain::HomeOverview& h) { return domain::CoveragePct(h.shifts.staffed, h.shifts.total); }

// A header cell; sortable ones hold a button homes.js sorts by (`key` names
// the row's data-* attribute).
std::string HeaderCell(const char* label, const char* key, const char* sort, bool sortable) {
  if (!sortable || !key) return fmt::format("<th scope=\"col\">{}</th>", label);
  return fmt::format(
      "<th scope=\"col\" data-sort-key=\"{0}\"{1}><button type=\"button\" class=\"sort\" data-sort=\"{0}\">{2}"
      "</button></th>",
      key, sort ? fmt::format(" aria-sort=\"{}\"", sort) : "", label);
}

// One cell with its column's name for the narrow layout (rota.css shows
// data-label before the value when the table is laid out as cards).
std::string Cell(const char* label, const std::string& value, const char* testid) {
  return fmt::format("<td data-label=\"{}\" data-testid=\"{}\">{}</td>", label, testid, value);
}

std::string Row(const domain::HomeOverview& h) {
  const double coverage = Coverage(h);
  return fmt::format(
      "<tr data-home-row=\"{0}\" data-coverage=\"{1:.1f}\" data-vacant=\"{2}\"><th scope=\"row\">"
      "<a href=\"/homes/{0}/\" data-testid=\"home-link\">{3}</a></th>{4}{5}{6}{7}{8}{9}{10}</tr>",
      h.home.id, coverage, h.shifts.vacant(), Escape(h.home.name),
      Cell("Shifts", std::to_string(h.shifts.total), "total"),
      Cell("Staffed", std::to_string(h.shifts.staffed), "staffed"),
      Cell("Vacant", std::to_string(h.shifts.vacant()), "vacant"),
      Cell("Coverage", fmt::format("{:.1f}%", coverage), "coverage"),
      Cell("Pending leave", std::to_string(h.pending_leave_requests), "pending-leave"),
      Cell("Certifications expiring", std::to_string(h.certifications_expiring_30d), "certs-expiring"),
      Cell("Certifications expired", std::to_string(h.certifications_expired), "certs-expired"));
}

}  // namespace

void SortWorstCoveredFirst(std::vector<domain::HomeOverview>& homes) {
  std::stable_sort(homes.begin(), homes.end(), [](const domain::HomeOverview& a, const domain::HomeOverview& b) {
    return std::make_tuple(Coverage(a), -a.shifts.vacant(), a.home.id) <
           std::make_tuple(Coverage(b), -b.shifts.vacant(), b.home.id);
  });
}

std::string RenderHomesPage(std::vector<domain::HomeOverview> homes, Date today, bool sortable) {
  SortWorstCoveredFirst(homes);
  std::string rows;
  for (const auto& h : homes) rows += Row(h);
  if (homes.empty())
    rows =
        "<tr><td colspan=\"8\" class=\"muted\">No home to show: an administrator runs <code>rota seed</code> "
        "or links your account to a home.</td></tr>";
  const std::string head =
      HeaderCell("Home", nullptr, nullptr, sortable) + HeaderCell("Shifts", nullptr, nullptr, sortable) +
      HeaderCell("Staffed", nullptr, nullptr, sortable) + HeaderCell("Vacant", "vacant", nullptr, sortable) +
      HeaderCell("Coverage", "coverage", "ascending", sortable) +
      HeaderCell("Pending leave", nullptr, nullptr, sortable) +
      HeaderCell("Certifications expiring (30 days)", nullptr, nullptr, sortable) +
      HeaderCell("Certifications expired", nullptr, nullptr, sortable);
  return fmt::format(
      "<section class=\"card\"><h1>Homes</h1><p class=\"muted\" id=\"homes-range\">Next 7 days: {} to {}.{}</p>"
      "<table class=\"list homes-table cards\" id=\"homes\"><caption class=\"visually-hidden\">Every home you may see, "
      "{}</caption><thead><tr>{}</tr></thead><tbody>{}</tbody></table></section>",
      today.ToString(), today.AddDays(6).ToString(),
      sortable ? " Worst-covered first; the Coverage and Vacant buttons sort the table." : "",
      sortable ? "worst-covered first" : "with its figures", head, rows);
}

Result<service::CachedAnswer> HomesFragment(service::App& app, std::optional<int64_t> only, bool bypass) {
  const Date today = app.Today();
  const bool sortable = !only;
  const std::string args =
      fmt::format("homes-page/v{}/{}/{}", kHomesPageVersion, sortable ? "all" : "one", today.ToString());
  return app.cached().Fragment(only.value_or(0), args, bypass, [&]() -> Result<std::string> {
    auto homes = app.reads().LoadHomes(today, only);
    if (!homes) return std::move(homes).error();
    return RenderHomesPage(std::move(*homes), today, sortable);
  });
}

}  // namespace rota::web

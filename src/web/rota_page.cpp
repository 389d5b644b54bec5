#include "web/rota_page.hpp"

#include <cstdlib>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "domain/eligibility.hpp"
#include "http/api.hpp"
#include "web/assets.hpp"
#include "web/html.hpp"

namespace rota::web {
namespace {

// Bumped when the grid's HTML changes shape, so that a Redis shared with
// servers of an older build never hands this one a grid of the old shape.
constexpr int kGridVersion = 2;
constexpr const char* kScript = "rota_week.js";

const char* WeekdayName(Date d) {
  static const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // day 0 = 1970-01-01
  return kDays[((d.days() % 7) + 7) % 7];
}

const char* MonthName(Date d) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return kMonths[d.month() - 1];
}

// "Sat 28 Nov"
std::string DayLabel(Date d) { return fmt::format("{} {} {}", WeekdayName(d), d.day(), MonthName(d)); }

std::string RotaUrl(int64_t home, Date from) { return fmt::format("/homes/{}/rota/?from={}", home, from.ToString()); }

bool InWindow(Date d, Date today) { return std::abs(d - today) <= domain::kWeekStartWindowDays; }

// Heading, previous/next week and the date picker (a plain GET form: it works
// without the script).
std::string WeekNav(const domain::RotaWeek& week, Date today) {
  const int64_t home = week.home.id;
  const Date from = week.range.from, prev = from.AddDays(-domain::kWeekDays), next = from.AddDays(domain::kWeekDays);
  auto link = [&](Date to, const char* rel, const char* label) {
    return InWindow(to, today) ? fmt::format("<a href=\"{}\" rel=\"{}\" data-testid=\"{}-week\">{}</a>",
                                             Escape(RotaUrl(home, to)), rel, rel, label)
                               : fmt::format("<span class=\"muted\">{}</span>", label);
  };
  return fmt::format(
      "<h1>Rota · <span data-testid=\"home-name\">{}</span></h1>"
      "<div class=\"week-nav\">{}"
      "<form method=\"get\" action=\"/homes/{}/rota/\" class=\"week-pick\"><label for=\"week-from\">Week from</label>"
      "<input type=\"date\" id=\"week-from\" name=\"from\" value=\"{}\" min=\"{}\" max=\"{}\" required>"
      "<button type=\"submit\">Show</button></form>{}"
      "<span class=\"week-range\" data-testid=\"week-range\">{} – {} {}</span></div>",
      Escape(week.home.name), link(prev, "prev", "← Previous week"), home, from.ToString(),
      today.AddDays(-domain::kWeekStartWindowDays).ToString(), today.AddDays(domain::kWeekStartWindowDays).ToString(),
      link(next, "next", "Next week →"), DayLabel(from), DayLabel(week.range.to), week.range.to.year());
}

// Who already works on each date (no one works two shifts on one date).
using BusyByDate = std::map<Date, std::set<int64_t>>;

BusyByDate Busy(const std::vector<domain::Shift>& shifts) {
  BusyByDate busy;
  for (const auto& s : shifts)
    if (s.staff) busy[s.date].insert(s.staff->id);
  return busy;
}

std::string Notes(const domain::Shift& s) {
  if (s.notes.empty()) return "";
  std::string items;
  for (const auto& n : s.notes)
    items += fmt::format("<li data-note=\"{}\"><span class=\"author\">{}:</span> {}</li>", n.id,
                         Escape(n.author.value_or("(removed user)")), Escape(n.body));
  return "<ul class=\"notes\" aria-label=\"notes\">" + items + "</ul>";
}

// The members MayTake accepts for vacant shift `s`, as space-separated ids;
// each one is also added to `offered`.
std::string Candidates(const domain::Shift& s, const domain::RotaWeek& week, const BusyByDate& busy,
                       std::set<int64_t>& offered) {
  static const std::set<int64_t> kNobody;
  auto day = busy.find(s.date);
  const std::set<int64_t>& busy_that_day = day == busy.end() ? kNobody : day->second;
  std::string ids;
  for (const auto& m : week.staff) {
    if (!domain::MayTake(s, week.home.id, m, busy_that_day.contains(m.id))) continue;
    if (!ids.empty()) ids += ' ';
    ids += std::to_string(m.id);
    offered.insert(m.id);
  }
  return ids;
}

// One shift: a button showing its type, times and member of staff (or
// "vacant"), then its notes. The button opens the shift's actions (assign,
// unassign, add a note), which rota_week.js builds when asked: a week has
// ~170 shifts, and a form for each made a page of 2,400 elements that the
// browser took three times its floor to paint (bench/NOTES.md). A vacant
// shift carries whom it may be given to (`data-candidates`, decided here by
// the domain's rule); their names are in the week's one staff <template>.
std::string ShiftItem(const domain::Shift& s, const domain::RotaWeek& week, const BusyByDate& busy,
                      std::set<int64_t>& offered) {
  std::string who = s.staff ? fmt::format("<span class=\"who\" data-role=\"staff\" data-staff=\"{}\">{}</span>",
                                          s.staff->id, Escape(s.staff->name))
                            : "<span class=\"who vacant\" data-role=\"staff\">vacant</span>";
  std::string candidates = s.staff ? "" : fmt::format(" data-candidates=\"{}\"", Candidates(s, week, busy, offered));
  return fmt::format(
      "<li class=\"shift{}\" data-shift=\"{}\"{}><button type=\"button\" class=\"shift-open\" "
      "aria-expanded=\"false\"><strong>{}</strong> <span class=\"time\">{}–{}</span> {}</button>{}</li>",
      s.staff ? "" : " is-vacant", s.id, candidates, Escape(s.shift_type.name), Escape(s.shift_type.start),
      Escape(s.shift_type.end), who, Notes(s));
}

// The names of everyone offered for some shift, once for the whole week.
std::string StaffOptions(const domain::RotaWeek& week, const std::set<int64_t>& offered) {
  std::string options;
  for (const auto& m : week.staff)
    if (offered.contains(m.id)) options += fmt::format("<option value=\"{}\">{}</option>", m.id, Escape(m.name));
  return fmt::format("<template id=\"staff-options\" data-max-note=\"{}\">{}</template>", domain::kMaxNoteChars,
                     options);
}

// The table: a row per unit, a column per day; the shifts of (unit, day) in
// the order the repository gives (shift type, id).
std::string Grid(const domain::RotaWeek& week, Date today, const BusyByDate& busy, std::set<int64_t>& offered) {
  const int days = week.range.days();
  std::map<std::pair<int64_t, int>, std::string> cells;  // (unit, day index) -> <li>s
  for (const auto& s : week.shifts) cells[{s.unit.id, s.date - week.range.from}] += ShiftItem(s, week, busy, offered);

  std::string head = "<th scope=\"col\">Unit</th>";
  for (int i = 0; i < days; ++i) {
    Date d = week.range.from.AddDays(i);
    head += fmt::format("<th scope=\"col\" data-date=\"{}\"{}>{}</th>", d.ToString(),
                        d == today ? " class=\"today\"" : "", DayLabel(d));
  }
  std::string rows;
  for (const auto& u : week.units) {
    rows += fmt::format("<tr data-unit=\"{}\"><th scope=\"row\">{}</th>", u.id, Escape(u.name));
    for (int i = 0; i < days; ++i) {
      Date d = week.range.from.AddDays(i);
      auto cell = cells.find({u.id, i});
      rows += fmt::format("<td data-date=\"{}\" data-unit=\"{}\"{}>{}</td>", d.ToString(), u.id,
                          d == today ? " class=\"today\"" : "",
                          cell == cells.end() ? "<span class=\"muted\">no shifts</span>"
                                              : "<ul class=\"shifts\">" + cell->second + "</ul>");
    }
    rows += "</tr>";
  }
  if (week.units.empty())
    rows = fmt::format("<tr><td colspan=\"{}\" class=\"muted\">This home has no units yet.</td></tr>", days + 1);
  return fmt::format(
      "<div class=\"rota-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"the week's rota (scrolls sideways)\" "
      "data-scrolls-x><table class=\"rota-grid\"><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>",
      head, rows);
}

std::string Summary(const domain::RotaWeek& week) {
  int64_t vacant = 0;
  for (const auto& s : week.shifts) vacant += s.staff ? 0 : 1;
  return fmt::format(
      "<p class=\"summary\"><span data-testid=\"shift-count\">{}</span> shifts, "
      "<span data-testid=\"vacant-count\">{}</span> vacant.</p>",
      week.shifts.size(), vacant);
}

}  // namespace

std::string RenderRotaWeek(const domain::RotaWeek& week, Date today) {
  const BusyByDate busy = Busy(week.shifts);
  std::set<int64_t> offered;
  std::string grid = Grid(week, today, busy, offered);
  return fmt::format("<div class=\"rota-week\" data-home=\"{}\" data-from=\"{}\">{}{}{}{}</div>", week.home.id,
                     week.range.from.ToString(), WeekNav(week, today), Summary(week), grid,
                     StaffOptions(week, offered));
}

Result<service::CachedAnswer> RotaWeekFragment(service::App& app, int64_t home, Date from, bool bypass) {
  const Date today = app.Today();
  std::string args =
      fmt::format("rota-week/v{}/{}/{}/{}", kGridVersion, FindAsset(kScript)->hash, from.ToString(), today.ToString());
  return app.cached().Fragment(home, args, bypass, [&]() -> Result<std::string> {
    auto week = app.reads().LoadRotaWeek(home, domain::WeekFrom(from));
    if (!week) return std::move(week).error();
    return RenderRotaWeek(*week, today);
  });
}

http::Response RotaPage(service::App& app, const http::Request& req, const service::SessionPrincipal& caller) {
  const int64_t home = req.path_ids.at(0);
  if (!caller.principal.CanSeeHome(home))
    return ErrorPage(403, "Not allowed", fmt::format("You may not see home {}.", home), &caller);
  auto from = domain::ParseWeekStart(req.Query("from"), app.Today());
  if (!from) return ErrorPage("Bad date", from.error(), &caller);
  auto grid = RotaWeekFragment(app, home, *from, false);
  if (!grid) return ErrorPage(grid.error().code == ErrorCode::kNotFound ? "Not found" : "Error", grid.error(), &caller);
  return FragmentPage(req, PageFrame{"Rota", &caller, {"rota.js", kScript}, home, HomeSection::kRota},
                      fmt::format("<p class=\"flash\" id=\"flash\" role=\"status\" hidden></p>"
                                  "<div id=\"rota\" data-grid-url=\"/homes/{}/rota/grid\">",
                                  home),
                      std::move(*grid), "</div>");
}

http::Response RotaGrid(service::App& app, const http::Request& req) {
  auto caller = http::Authenticate(app, req);
  if (!caller) return http::Response::FromError(caller.error());
  const int64_t home = req.path_ids.at(0);
  if (auto s = service::CheckHome(caller->principal, home); !s) return http::Response::FromError(s.error());
  auto from = domain::ParseWeekStart(req.Query("from"), app.Today());
  if (!from) return http::Response::FromError(from.error());
  auto nocache = req.Query("nocache");
  return FragmentOnly(req, RotaWeekFragment(app, home, *from, nocache && *nocache == "1"));
}

}  // namespace rota::web

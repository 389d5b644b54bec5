#include "web/pages.hpp"

#include <fmt/format.h>

#include "domain/range.hpp"
#include "http/api.hpp"
#include "web/assets.hpp"
#include "web/compliance_page.hpp"
#include "web/home_panel.hpp"
#include "web/homes_page.hpp"
#include "web/html.hpp"
#include "web/report_page.hpp"
#include "web/rota_page.hpp"
#include "web/staff_page.hpp"

namespace rota::web {
namespace {

using http::Request;
using http::Response;
using service::App;
using service::SessionPrincipal;

// Percent-encodes a path for the `next` query parameter.
std::string EncodeNext(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

}  // namespace

bool SafeNext(std::string_view next) {
  if (next.empty() || next.size() > 2048 || next[0] != '/') return false;
  if (next.size() > 1 && next[1] == '/') return false;  // "//host" leaves the site ("/\host" is refused below)
  // Browsers drop tabs and newlines from URLs ("/\t/evil" becomes "//evil")
  // and read '\' as '/': no control character and no backslash anywhere.
  for (unsigned char c : next)
    if (c < 0x20 || c == 0x7F || c == '\\') return false;
  return true;
}

namespace {

using PageHandler = std::function<Response(Request&, const SessionPrincipal&)>;

// A page for logged-in users: anyone else is sent to the login form, and comes
// back here after logging in.
http::Handler Page(App& app, PageHandler fn) {
  return [&app, fn = std::move(fn)](Request& req) {
    auto caller = http::Authenticate(app, req);
    if (!caller) {
      if (caller.error().code == ErrorCode::kUnavailable)
        return ErrorPage("Temporarily unavailable", caller.error(), nullptr);
      return Redirect("/login?next=" + EncodeNext(req.path));
    }
    return fn(req, *caller);
  };
}

Response Forbidden(const SessionPrincipal& caller, std::string_view what) {
  return ErrorPage(403, "Not allowed", what, &caller);
}

std::string HomeUrl(int64_t home) { return fmt::format("/homes/{}/", home); }

Response Start(const SessionPrincipal& caller) {
  const auto& p = caller.principal;
  if (p.is_admin) return Redirect("/homes/");
  if (p.home_id) return Redirect(HomeUrl(*p.home_id));
  return Forbidden(caller, "Your account is not linked to a home. Ask an administrator.");
}

Response LoginPage(App& app, Request& req) {
  // Already logged in: straight on, to `next` if it is a path of this site.
  if (auto caller = http::Authenticate(app, req)) {
    if (auto next = req.Query("next"); next && SafeNext(*next)) return Redirect(std::string(*next));
    return Start(*caller);
  }
  std::string body =
      "<section class=\"card login\"><h1>Log in to rota</h1>"
      "<form id=\"login-form\" autocomplete=\"on\">"
      "<label>Username <input name=\"username\" id=\"username\" autocomplete=\"username\" required "
      "maxlength=\"150\" autofocus></label>"
      "<label>Password <input name=\"password\" id=\"password\" type=\"password\" "
      "autocomplete=\"current-password\" required maxlength=\"1024\"></label>"
      "<p class=\"message\" id=\"login-message\" role=\"alert\" hidden></p>"
      "<button type=\"submit\" id=\"login-submit\">Log in</button></form>"
      "<noscript><p class=\"message\">This page needs JavaScript to log in.</p></noscript></section>";
  return HtmlPage(200, Layout(PageFrame{"Log in", nullptr, {"login.js"}}, body));
}

// The homes as `<option>`s, cached under the global generation: renaming a
// home invalidates it like every other write.
Result<service::CachedAnswer> HomeOptionsHtml(App& app) {
  return app.cached().Fragment(0, "home-options/v1", false, [&]() -> Result<std::string> {
    auto homes = app.cache_admin().Homes();
    if (!homes) return std::move(homes).error();
    std::string html;
    for (const auto& h : *homes) html += fmt::format("<option value=\"{}\">{}</option>", h.id, Escape(h.name));
    return html;
  });
}

// Every home the caller may see with its week's figures (homes_page.hpp): all
// for an administrator, their own for a manager.
Response HomesPage(App& app, const Request& req, const SessionPrincipal& caller) {
  const auto& p = caller.principal;
  if (!p.is_admin && !p.home_id) return Start(caller);
  auto list = HomesFragment(app, p.is_admin ? std::nullopt : p.home_id, false);
  if (!list) return ErrorPage("Error", list.error(), &caller);
  return FragmentPage(req, PageFrame{"Homes", &caller, {"rota.js", "homes.js"}}, "", std::move(*list), "");
}

Response HomePage(App& app, const Request& req, const SessionPrincipal& caller) {
  int64_t home = req.path_ids.at(0);
  if (!caller.principal.CanSeeHome(home)) return Forbidden(caller, fmt::format("You may not see home {}.", home));
  auto panel = HomePanel(app, home, false);
  if (!panel)
    return ErrorPage(panel.error().code == ErrorCode::kNotFound ? "Not found" : "Error", panel.error(), &caller);
  return FragmentPage(
      req, PageFrame{"Home", &caller, {"chart.umd.min.js", "rota.js", "home.js"}, home, HomeSection::kDashboard},
      fmt::format("<p class=\"flash\" id=\"flash\" role=\"status\" hidden></p><div id=\"panel\" "
                  "data-panel-url=\"{}panel\">",
                  HomeUrl(home)),
      std::move(*panel), "</div>");
}

// A page of one home (frame and `body`), with X-Cache from its fragment.
Response HomeSectionPage(const Request& req, const SessionPrincipal& caller, int64_t home, HomeSection section,
                         std::string title, std::vector<std::string> scripts, service::CachedAnswer fragment) {
  return FragmentPage(req, PageFrame{std::move(title), &caller, std::move(scripts), home, section}, "",
                      std::move(fragment), "");
}

// A query parameter the page cannot show (a month or a range that does not
// parse): the API's message and a way to the page's default, inside the home's
// navigation. 422, like the API.
Response BadParameterPage(const SessionPrincipal& caller, int64_t home, HomeSection section, const Error& e,
                          const std::string& fallback_url, std::string_view fallback_label) {
  std::string body = fmt::format(
      "<section class=\"card error-page\"><h1>Cannot show this page</h1><p data-testid=\"bad-parameter\">{}</p>"
      "<p><a href=\"{}\">{}</a></p></section>",
      Escape(http::PublicError(e).message), fallback_url, fallback_label);
  return HtmlPage(422, Layout(PageFrame{"Cannot show this page", &caller, {"rota.js"}, home, section}, body));
}

// A service error of a home's page: 404 for an unknown home, else its status.
Response HomeErrorPage(const SessionPrincipal& caller, const Error& e) {
  return ErrorPage(e.code == ErrorCode::kNotFound ? "Not found" : "Error", e, &caller);
}

Response ReportPage(App& app, const Request& req, const SessionPrincipal& caller) {
  int64_t home = req.path_ids.at(0);
  if (!caller.principal.CanSeeHome(home)) return Forbidden(caller, fmt::format("You may not see home {}.", home));
  auto month = domain::ParseMonth(req.Query("month"), app.Today());
  if (!month)
    return BadParameterPage(caller, home, HomeSection::kReport, month.error(),
                            fmt::format("{}reports/monthly/", HomeUrl(home)), "Show this month's report");
  auto report = ReportFragment(app, home, *month, false);
  if (!report) return HomeErrorPage(caller, report.error());
  return HomeSectionPage(req, caller, home, HomeSection::kReport, "Monthly report " + MonthName(*month),
                         {"chart.umd.min.js", "rota.js", "report.js"}, std::move(*report));
}

Response CompliancePage(App& app, const Request& req, const SessionPrincipal& caller) {
  int64_t home = req.path_ids.at(0);
  if (!caller.principal.CanSeeHome(home)) return Forbidden(caller, fmt::format("You may not see home {}.", home));
  auto range = domain::ParseFromDays(req.Query("from"), req.Query("days"), app.Today());
  if (!range)
    return BadParameterPage(caller, home, HomeSection::kCompliance, range.error(),
                            fmt::format("{}compliance/", HomeUrl(home)), "Show the next 7 days");
  auto page = ComplianceFragment(app, home, *range, false);
  if (!page) return HomeErrorPage(caller, page.error());
  return HomeSectionPage(req, caller, home, HomeSection::kCompliance, "Compliance", {"rota.js"}, std::move(*page));
}

Response HomePanelFragment(App& app, const Request& req) {
  auto caller = http::Authenticate(app, req);
  if (!caller) return Response::FromError(caller.error());
  int64_t home = req.path_ids.at(0);
  if (auto s = service::CheckHome(caller->principal, home); !s) return Response::FromError(s.error());
  auto q = req.Query("nocache");
  return FragmentOnly(req, HomePanel(app, home, q && *q == "1"));
}

Response CacheStatsPage(App& app, const SessionPrincipal& caller) {
  if (!caller.principal.is_admin) return Forbidden(caller, "The cache monitoring page is for administrators.");
  auto homes = HomeOptionsHtml(app);
  if (!homes) return ErrorPage("Error", homes.error(), &caller);
  auto home_options = service::IdentityBody(*homes);
  if (!home_options) return ErrorPage("Error", home_options.error(), &caller);
  std::string options = "<option value=\"\">all homes</option>" + *home_options;
  auto figure = [](const char* id, const char* label) {
    return fmt::format(
        "<div class=\"stat\"><span class=\"n\" id=\"{0}\" data-testid=\"{0}\">…</span><span>{1}</span></div>", id,
        label);
  };
  std::string body = fmt::format(
      "<h1>Cache</h1><p class=\"flash\" id=\"flash\" role=\"status\" hidden></p>"
      "<section class=\"card\"><div class=\"stats\">{}{}{}{}{}{}{}{}{}{}</div>"
      "<p class=\"muted\">Updated <span id=\"updated\">…</span>. "
      "<label><input type=\"checkbox\" id=\"auto\" checked> refresh every 5 s</label></p>"
      "<div class=\"actions\"><button type=\"button\" id=\"refresh\">Refresh</button></div></section>"
      "<section class=\"card charts\"><figure class=\"wide\"><figcaption>Cache lookups and hit rate, last hour "
      "(10 s slots)</figcaption><div class=\"chart\"><canvas id=\"chart-history\" role=\"img\" "
      "aria-label=\"lookups and hit rate over the last hour\"></canvas></div></figure></section>"
      "<section class=\"card\"><h2>By key prefix</h2><table class=\"list\" id=\"by-prefix\"><thead><tr><th>Prefix</th>"
      "<th>Hits</th><th>Misses</th><th>Hit rate</th></tr></thead><tbody></tbody></table></section>"
      "<section class=\"card\"><h2>Warm</h2><p>Computes and stores the dashboards, reports and pages of the chosen "
      "homes, as their first visitors would.</p><div class=\"actions\"><select id=\"warm-home\" aria-label=\"home to "
      "warm\">{}</select><button type=\"button\" id=\"warm\">Warm cache</button></div></section>"
      "<section class=\"card\"><h2>Clear</h2><p>Deletes cached answers; each is computed again on its next read. "
      "Generation counters are kept, so clearing can never bring back stale data.</p><div class=\"actions\">"
      "<input id=\"clear-pattern\" placeholder=\"all keys, or a pattern such as dashboard:*\" maxlength=\"128\" "
      "aria-label=\"key pattern\"><button type=\"button\" id=\"clear\" class=\"danger\">Clear…</button></div>"
      "<div class=\"confirm\" id=\"clear-confirm\" hidden><p id=\"clear-question\"></p>"
      "<button type=\"button\" id=\"clear-yes\" class=\"danger\">Yes, clear</button>"
      "<button type=\"button\" id=\"clear-no\" class=\"secondary\">Cancel</button></div></section>",
      figure("backend", "backend"), figure("health", "health"), figure("total-keys", "keys"),
      figure("memory", "memory used"), figure("hit-rate", "hit rate"), figure("hits", "hits"),
      figure("misses", "misses"), figure("clients", "connected clients"), figure("evictions", "evictions"),
      figure("sets", "sets"), options);
  return HtmlPage(200, Layout(PageFrame{"Cache", &caller, {"chart.umd.min.js", "rota.js", "cache_stats.js"}}, body));
}

Response StaticAsset(const Asset& a) {
  Response r;
  r.content_type = std::string(a.content_type);
  r.body = std::string(a.body);
  r.SetHeader("Cache-Control", "public, max-age=31536000, immutable");
  r.SetHeader("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace

void AddPageRoutes(http::Router& router, App& app) {
  router.Add("GET", "/", Page(app, [](Request&, const SessionPrincipal& c) { return Start(c); }));
  router.Add("GET", "/login", [&app](Request& req) { return LoginPage(app, req); });
  router.Add("GET", "/homes/",
             Page(app, [&app](Request& req, const SessionPrincipal& c) { return HomesPage(app, req, c); }));
  router.Add("GET", "/homes/{id}/",
             Page(app, [&app](Request& req, const SessionPrincipal& c) { return HomePage(app, req, c); }));
  router.Add("GET", "/homes/{id}/reports/monthly/",
             Page(app, [&app](Request& req, const SessionPrincipal& c) { return ReportPage(app, req, c); }));
  router.Add("GET", "/homes/{id}/compliance/",
             Page(app, [&app](Request& req, const SessionPrincipal& c) { return CompliancePage(app, req, c); }));
  router.Add("GET", "/homes/{id}/panel", [&app](Request& req) { return HomePanelFragment(app, req); });
  router.Add("GET", "/homes/{id}/staff/",
             Page(app, [&app](Request& req, const SessionPrincipal& c) { return StaffPage(app, req, c); }));
  router.Add("GET", "/homes/{id}/staff/panel", [&app](Request& req) { return StaffPanelFragment(app, req); });
  router.Add("GET", "/homes/{id}/staff/{id}/vacated", [&app](Request& req) { return VacatedShiftsFragment(app, req); });
  router.Add("GET", "/homes/{id}/rota/",
             Page(app, [&app](Request& req, const SessionPrincipal& c) { return RotaPage(app, req, c); }));
  router.Add("GET", "/homes/{id}/rota/grid", [&app](Request& req) { return RotaGrid(app, req); });
  router.Add("GET", "/cache/stats/",
             Page(app, [&app](Request&, const SessionPrincipal& c) { return CacheStatsPage(app, c); }));
  for (const Asset& a : AllAssets())
    router.Add("GET", "/static/" + std::string(a.name), [&a](Request&) { return StaticAsset(a); });
}

void AddWarmers(App& app) {
  app.cache_admin().AddWarmer([&app](int64_t home, Date) { return HomePanel(app, home, false); });
  app.cache_admin().AddWarmer([&app](int64_t home, Date) { return StaffPanel(app, home, false); });
  // The pages of the overview: this month's report and the next 7 days' compliance.
  app.cache_admin().AddWarmer([&app](int64_t home, Date today) {
    return ReportFragment(app, home, YearMonth{today.year(), today.month()}, false);
  });
  app.cache_admin().AddWarmer([&app](int64_t home, Date today) {
    return ComplianceFragment(app, home, {today, today.AddDays(domain::kDefaultDays - 1)}, false);
  });
  app.cache_admin().AddWarmer([&app](int64_t home, Date today) { return RotaWeekFragment(app, home, today, false); });
}

}  // namespace rota::web

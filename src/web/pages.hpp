// The pages people look at, and the static files they use:
//
//   GET /                 -> a manager's home page, an administrator's list of homes, or /login
//   GET /login            the login form (login.js posts to /api/login)
//   GET /homes/           the homes the caller may see with their week's figures (homes_page.hpp):
//                         every home for an administrator, sortable; a manager's own
//   GET /homes/{id}/      the home dashboard page (home_panel.hpp), managers of that home and administrators
//   GET /homes/{id}/reports/monthly/?month=   the monthly report, chart and CSV link (report_page.hpp)
//   GET /homes/{id}/compliance/?from=&days=   understaffed shifts, expiring certifications (compliance_page.hpp)
//   GET /homes/{id}/panel the page's body alone (text/html, X-Cache), which home.js fetches after a write
//   GET /homes/{id}/staff/        the staff page (staff_page.hpp); .../staff/panel its body alone,
//   GET /homes/{id}/staff/{id}/vacated  what deleting that member would leave vacant (for the page's script)
//   GET /cache/stats/     administrators: the cache monitoring page (cache_stats.js polls /api/cache/stats)
//   GET /static/<name>    embedded assets (assets.hpp), public and immutable
//
// A visitor who is not logged in (or whose session expired) is redirected to
// /login?next=<path>; a logged-in user who may not see a page gets a 403 page.
// /homes/{id}/panel is fetched by script, so it answers like the API: 401/403 JSON.
// Pages read through the same cached reads as the API and check access before
// anything cached is touched.
#pragma once

#include <string_view>

#include "http/router.hpp"
#include "service/app.hpp"

namespace rota::web {

void AddPageRoutes(http::Router& router, service::App& app);

// Registers the pages' fragments with `rota warm-cache` and POST /cache/warm/.
void AddWarmers(service::App& app);

// Whether `next` (the decoded ?next= of /login) may be followed after a login:
// a path on this site only, never "//host", "/\host", nor one a browser would
// turn into either (control characters, backslashes). login.js applies the
// same rule.
bool SafeNext(std::string_view next);

}  // namespace rota::web

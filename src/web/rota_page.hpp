// The rota page, /homes/{id}/rota/?from=YYYY-MM-DD: one week of a home's shifts
// as a grid, units down and days across, each cell listing that unit's shifts
// of that day (type, times, the member of staff or "vacant", the notes), with
// the week's navigation and the actions a manager takes there: assign a vacant
// shift, unassign, add a note. The actions are the JSON API's (PATCH
// /api/shifts/{id}, POST /api/shifts/{id}/notes) called by rota_week.js with the
// page's CSRF token; after each one the script fetches the grid again from
// /homes/{id}/rota/grid?from=… and swaps it in.
//
// Built like the dashboard (home_panel.hpp): LoadRotaWeek (three statements,
// db/rota_repository.hpp) → RenderRotaWeek (pure, tested in rota_page_test.cpp)
// → a fragment cached in `template_fragments` under the home's generation,
// keyed by (from, today, script version), so any write to the home invalidates
// every cached week of it and a warm page costs no query. The candidates
// offered for a vacant shift are those domain::MayTake accepts — the write
// path's own rule, evaluated here in C++, never in the script.
//
// What a caller can make the server store is bounded: `from` must be a real
// date within a year of today (domain::ParseWeekStart), else 400 before any
// cache lookup. Access is checked before the fragment is asked for; the
// fragment holds nothing about the viewer.
#pragma once

#include <cstdint>
#include <string>

#include "base/date.hpp"
#include "base/status.hpp"
#include "domain/rota_week.hpp"
#include "http/message.hpp"
#include "service/app.hpp"
#include "service/auth.hpp"

namespace rota::web {

// Pure rendering of the grid fragment (no I/O). `today` marks today's column
// and bounds the week links to the weeks ParseWeekStart accepts.
std::string RenderRotaWeek(const domain::RotaWeek& week, Date today);

// The cached fragment of the week from `from`; `bypass` skips every cache.
Result<service::CachedAnswer> RotaWeekFragment(service::App& app, int64_t home, Date from, bool bypass);

// GET /homes/{id}/rota/ for a logged-in caller: the page, a 403 page for
// another home, a 400 page for a bad `from`.
http::Response RotaPage(service::App& app, const http::Request& req, const service::SessionPrincipal& caller);

// GET /homes/{id}/rota/grid?from=: the fragment alone, for rota_week.js to
// swap in after an action (API errors as JSON: 401, 403, 400).
http::Response RotaGrid(service::App& app, const http::Request& req);

}  // namespace rota::web

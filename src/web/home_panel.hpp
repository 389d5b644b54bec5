// The body of a home's dashboard page (/homes/{id}/), as one HTML fragment:
// the dashboard figures for 7 and 14 days, coverage by day and by unit (drawn
// as charts by home.js from a JSON block), the vacant shifts of the next 14
// days with the qualified staff free to take each, pending leave requests and
// expiring certifications.
//
// It is rendered from the same domain models the API's reads turn into JSON
// (service::ReadService::Load*, so page and API always agree), and the
// candidates for a vacant shift are those domain::MayTake accepts, the rule the
// write path applies. The fragment is cached as bytes in the
// `template_fragments` alias under the home's generation: any write to the home
// invalidates it with the reads it shows. A miss loads the models afresh (17
// statements: the five reads' budgets). It holds nothing about the viewer, so
// one cached copy serves everyone allowed to see the home (the caller checks
// access before asking for it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/date.hpp"
#include "base/status.hpp"
#include "domain/model.hpp"
#include "service/app.hpp"

namespace rota::web {

// The reads the panel shows, as the API's reads load them.
struct HomeReads {
  domain::DashboardFigures dashboard7;   // dashboard?days=7 from today
  domain::DashboardFigures dashboard14;  // dashboard?days=14 from today
  std::vector<domain::Shift> shifts;     // shifts from today to today + 13
  std::vector<domain::StaffMember> staff;
  domain::ComplianceReport compliance;  // compliance from today, 7 days
};

// Loads the panel's reads of `home` from the database (17 statements).
Result<HomeReads> LoadHomeReads(service::ReadService& reads, int64_t home, Date today);

// Pure rendering: no I/O (web/home_panel_test.cpp renders structs without a server).
std::string RenderHomePanel(int64_t home, Date today, const HomeReads& reads);

// The cached fragment: from the cache when its generation is current, else
// rendered from the models (LoadHomeReads) and stored. `bypass` skips every cache.
Result<service::CachedAnswer> HomePanel(service::App& app, int64_t home, bool bypass);

}  // namespace rota::web

// The body of a home's dashboard page (/homes/{id}/), as one HTML fragment:
// the dashboard figures for 7 and 14 days, coverage by day and by unit (drawn
// as charts by home.js from a JSON block), the vacant shifts of the next 14
// days with the qualified staff free to take each, pending leave requests and
// expiring certifications.
//
// It is built only from the cached reads' JSON answers (the same bytes the API
// serves, so page and API always agree) and cached itself in the
// `template_fragments` alias under the home's generation: any write to the home
// invalidates it with the reads it shows. It holds nothing about the viewer, so
// one cached copy serves everyone allowed to see the home (the caller checks
// access before asking for it).
#pragma once

#include <cstdint>
#include <string>

#include "base/date.hpp"
#include "base/status.hpp"
#include "service/app.hpp"

namespace rota::web {

// The reads the panel shows, as api.md JSON.
struct HomeReads {
  std::string dashboard7;   // GET dashboard?days=7 from today
  std::string dashboard14;  // GET dashboard?days=14 from today
  std::string shifts;       // GET shifts from today to today + 13
  std::string staff;        // GET staff
  std::string compliance;   // GET compliance from today, 7 days
};

// Pure rendering: no I/O, so a test needs no server (none is written yet: issue 12). 500 if a read is not the JSON it should be.
Result<std::string> RenderHomePanel(int64_t home, Date today, const HomeReads& reads);

// The cached fragment: from the cache when its generation is current, else
// rendered from the cached reads and stored. `bypass` skips every cache.
Result<service::CachedAnswer> HomePanel(service::App& app, int64_t home, bool bypass);

}  // namespace rota::web

// The body of /homes/: every home the caller may see with its figures for the
// next 7 days (GET /api/homes' numbers), one row per home.
//
// An administrator sees every home, worst-covered first (coverage ascending,
// then vacancies descending, then id), and may re-sort by coverage or
// vacancies with the column buttons (homes.js; aria-sort says the order to
// screen readers). A manager sees their one home, without sorting.
//
// Built like the dashboard panel (home_panel.hpp): LoadHomes reads the models
// (ReadService::LoadHomes: one statement for all homes), RenderHomesPage is
// pure, HomesFragment caches the bytes in `template_fragments` under the
// generation of the scope it shows — global for an administrator's list (any
// write anywhere retires it), the home's for a manager's — exactly as the
// API's CachedReads::Homes does, so the page and the API go stale together.
// The two scopes have different keys, so nobody is handed the other's list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/date.hpp"
#include "base/status.hpp"
#include "domain/model.hpp"
#include "service/app.hpp"

namespace rota::web {

// The default order: coverage ascending, vacant descending, id ascending.
void SortWorstCoveredFirst(std::vector<domain::HomeOverview>& homes);

// Pure rendering: no I/O. `sortable` adds the column sort buttons
// (administrators); `homes` is shown in SortWorstCoveredFirst order.
std::string RenderHomesPage(std::vector<domain::HomeOverview> homes, Date today, bool sortable);

// The cached fragment for a scope: every home (`only` unset) or one home.
Result<service::CachedAnswer> HomesFragment(service::App& app, std::optional<int64_t> only, bool bypass);

}  // namespace rota::web

// The body of /homes/{id}/reports/monthly/?month=YYYY-MM: a home's month —
// totals (shifts, staffed, vacant, coverage), shifts by type, hours by member
// of staff as a table and as a bar chart of the same numbers (report.js draws
// it with the embedded Chart.js; the table is the chart's text alternative),
// previous and next month, a month picker, and "Download CSV" (the API's
// format=csv, the same rows as the table).
//
// Built like the dashboard panel (home_panel.hpp): LoadReportReads reads the
// models the API's reads load (the report, 3 statements, and the home's name,
// 1: an uncached page costs 4), RenderReportPage is pure, ReportFragment caches
// the bytes in `template_fragments` under the home's generation, keyed by the
// month, so any write to the home retires it and a warm page costs 0 queries.
// It holds nothing about the viewer; callers check access first.
#pragma once

#include <cstdint>
#include <string>

#include "base/date.hpp"
#include "base/status.hpp"
#include "domain/model.hpp"
#include "service/app.hpp"

namespace rota::web {

struct ReportReads {
  domain::IdName home;
  domain::MonthlyReport report;
};

// 4 statements: the home's labels (its name) and the report's three.
Result<ReportReads> LoadReportReads(service::ReadService& reads, int64_t home, YearMonth month);

// "November 2026".
std::string MonthName(YearMonth month);

// Pure rendering: no I/O (web/report_page_test.cpp).
std::string RenderReportPage(const ReportReads& reads);

// The cached fragment of `month`; `bypass` skips every cache.
Result<service::CachedAnswer> ReportFragment(service::App& app, int64_t home, YearMonth month, bool bypass);

}  // namespace rota::web

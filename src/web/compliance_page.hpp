// The body of /homes/{id}/compliance/?from=&days=: what a home must put right
// — the understaffed shifts of the range (date, unit, shift type, required and
// assigned staff; each links to that day in the rota, /homes/{id}/rota/?from=
// DATE) and the certifications of active staff expiring within 30 days of
// `from` or already expired (marked "expired" in words, not only in colour).
// Previous/next range links and a form for the start date and the number of days.
//
// The same numbers as GET /api/homes/{id}/compliance: rendered from the model
// ReadService::LoadCompliance loads (3 statements), the ids named by
// LoadHomeLabels (1): an uncached page costs 4. Built like the dashboard panel
// (home_panel.hpp): LoadComplianceReads → RenderCompliancePage (pure) →
// ComplianceFragment, cached in `template_fragments` under the home's
// generation and keyed by the range, so a warm page costs 0 queries and any
// write to the home retires it. Nothing in it is about the viewer.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.hpp"
#include "domain/model.hpp"
#include "domain/range.hpp"
#include "service/app.hpp"

namespace rota::web {

struct ComplianceReads {
  domain::HomeLabels labels;  // the home, its units, the shift types
  domain::DateRange range;
  domain::ComplianceReport report;
};

// 4 statements.
Result<ComplianceReads> LoadComplianceReads(service::ReadService& reads, int64_t home, domain::DateRange range);

// Pure rendering: no I/O (web/compliance_page_test.cpp).
std::string RenderCompliancePage(const ComplianceReads& reads);

// The cached fragment of `range`; `bypass` skips every cache.
Result<service::CachedAnswer> ComplianceFragment(service::App& app, int64_t home, domain::DateRange range, bool bypass);

}  // namespace rota::web

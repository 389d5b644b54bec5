// A home's figures over a range or a month, and the service's over all homes:
// the dashboard, the monthly report, compliance and stats (api.md), as
// domain types. Aggregation happens in SQL (joins, GROUP BY, scalar
// subqueries), so each function issues a small constant number of statements
// whatever the size of the range or of the home — never one per row. Each
// function's budget is written above it; `X-Query-Count` tests hold them.
//
// Portable SQL only (SQLite and PostgreSQL): dates bound and read as
// 'YYYY-MM-DD' text, booleans tested as `WHERE s.active`, counts of a
// condition written as COUNT of a column or CASE, never SUM(boolean).
//
// A function answers nullopt for an unknown home (the caller words the 404).
// REQUIRES: `c` is the caller's connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/date.hpp"
#include "base/status.hpp"
#include "db/database.hpp"
#include "domain/model.hpp"
#include "domain/range.hpp"

namespace rota::db {

// The home's name. One statement.
Result<std::optional<std::string>> LoadHomeName(Connection& c, int64_t home_id);

// Three statements: the home and its units (one LEFT JOIN; no row = unknown
// home), one GROUP BY (unit_id, date) over the range, one row of scalar
// subqueries for the leave and certification counts.
Result<std::optional<domain::DashboardFigures>> LoadDashboard(Connection& c, int64_t home_id, domain::DateRange range);

// Three statements: the home; the totals per shift type; the hours per member of staff.
Result<std::optional<domain::MonthlyReport>> LoadMonthlyReport(Connection& c, int64_t home_id, YearMonth month);

// Three statements: the home; the understaffed (date, unit, type) groups
// (GROUP BY .. HAVING); the certifications of active staff expiring by from + 29.
Result<std::optional<domain::ComplianceReport>> LoadCompliance(Connection& c, int64_t home_id, domain::DateRange range);

// Over all homes; "next 7 days" is today .. today + 6. One row of scalar subqueries.
Result<domain::ServiceStats> LoadStats(Connection& c, Date today);

}  // namespace rota::db

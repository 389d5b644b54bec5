// The read use cases of api.md ("Cacheable reads"): each as the domain model
// the repositories load (Load*, for the pages) and as the exact JSON response
// body (the API, whose bytes a cache stores and serves as they are).
//
// Each read issues a small constant number of statements (at most 4) whatever
// the size of the range or of the home; the budgets are the repositories'
// (db/report_repository.hpp, db/shift_repository.hpp, db/staff_repository.hpp),
// plus one for the home's existence where a list cannot tell it:
//   Dashboard 3, ShiftList 1 + 3, StaffList 4, MonthlyReport 3, Compliance 3, Stats 1,
//   Homes 1 (every home's figures in one GROUP BY statement: db/home_overview_repository.hpp).
//   RotaWeek 3 (the rota page's model only; no JSON of its own).
//
// Access: callers check CheckHome/CheckAdmin first (service/principal.hpp);
// these functions answer `not_found` for an unknown home. Thread-safe: each call
// leases its own connection from the pool.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/date.hpp"
#include "base/status.hpp"
#include "db/database.hpp"
#include "domain/model.hpp"
#include "domain/range.hpp"
#include "domain/rota_week.hpp"

namespace rota::service {

class ReadService {
 public:
  explicit ReadService(db::Pool& pool) : pool_(pool) {}

  Result<domain::DashboardFigures> LoadDashboard(int64_t home_id, domain::DateRange range);
  Result<std::vector<domain::Shift>> LoadShifts(int64_t home_id, domain::DateRange range);
  Result<std::vector<domain::StaffMember>> LoadStaff(int64_t home_id);
  Result<domain::MonthlyReport> LoadMonthlyReport(int64_t home_id, YearMonth month);
  Result<domain::ComplianceReport> LoadCompliance(int64_t home_id, domain::DateRange range);
  // The rota page's week (db/rota_repository.hpp).
  Result<domain::RotaWeek> LoadRotaWeek(int64_t home_id, domain::DateRange range);
  // Over all homes; "next 7 days" is today .. today + 6.
  Result<domain::ServiceStats> LoadStats(Date today);
  // For the pages: the home and its units (1 statement); the shifts of the home
  // assigned to someone from `from` on (1 statement; none for an unknown home).
  Result<domain::HomeUnits> LoadHomeUnits(int64_t home_id);
  Result<std::vector<domain::AssignedShift>> LoadAssignedShifts(int64_t home_id, Date from);
  // GET /api/homes: every home (`only` unset) or the home `only` (an empty list
  // if it does not exist), with the dashboard's figures for today .. today + 6.
  Result<std::vector<domain::HomeOverview>> LoadHomes(Date today, std::optional<int64_t> only);
  // The home's name, units and the shift types (one statement), for pages.
  Result<domain::HomeLabels> LoadHomeLabels(int64_t home_id);

  // api.md's JSON of the above (service/model_json.hpp).
  Result<std::string> Dashboard(int64_t home_id, domain::DateRange range);
  Result<std::string> ShiftList(int64_t home_id, domain::DateRange range);
  Result<std::string> StaffList(int64_t home_id);
  Result<std::string> MonthlyReport(int64_t home_id, YearMonth month);
  Result<std::string> Compliance(int64_t home_id, domain::DateRange range);
  Result<std::string> Stats(Date today);
  Result<std::string> Homes(Date today, std::optional<int64_t> only);
  // The monthly report as api.md's CSV (service/model_csv.hpp).
  Result<std::string> MonthlyReportCsv(int64_t home_id, YearMonth month);

 private:
  db::Pool& pool_;
};

}  // namespace rota::service

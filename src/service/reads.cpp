// The cacheable reads of api.md: a repository loads the model in one leased
// connection, model_json.hpp turns it into the answer's bytes.
#include "service/reads.hpp"

#include <optional>
#include <string>
#include <utility>

#include "db/home_overview_repository.hpp"
#include "db/report_repository.hpp"
#include "db/rota_repository.hpp"
#include "db/shift_repository.hpp"
#include "db/staff_repository.hpp"
#include "db/unit_repository.hpp"
#include "service/model_csv.hpp"
#include "service/model_json.hpp"

namespace rota::service {
namespace {

Error UnknownHome(int64_t home_id) { return Error::NotFound("home " + std::to_string(home_id) + " does not exist"); }

// The value of a repository's answer, or not_found when it found no home.
template <class T>
Result<T> OfHome(Result<std::optional<T>> loaded, int64_t home_id) {
  if (!loaded) return std::move(loaded).error();
  if (!*loaded) return UnknownHome(home_id);
  return std::move(**loaded);
}

// The JSON of a model, or its error.
template <class T, class Fn>
Result<std::string> Json(Result<T> model, Fn&& to_json) {
  if (!model) return std::move(model).error();
  return to_json(*model);
}

}  // namespace

Result<domain::DashboardFigures> ReadService::LoadDashboard(int64_t home_id, domain::DateRange range) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  return OfHome(db::LoadDashboard(**lease, home_id, range), home_id);
}

Result<std::vector<domain::Shift>> ReadService::LoadShifts(int64_t home_id, domain::DateRange range) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  auto home = db::LoadHomeName(**lease, home_id);
  if (!home) return std::move(home).error();
  if (!*home) return UnknownHome(home_id);
  return db::LoadShifts(**lease, db::ShiftSelection::Range(home_id, range.from, range.to));
}

Result<std::vector<domain::StaffMember>> ReadService::LoadStaff(int64_t home_id) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  return OfHome(db::LoadStaff(**lease, db::StaffSelection::Home(home_id)), home_id);
}

Result<domain::MonthlyReport> ReadService::LoadMonthlyReport(int64_t home_id, YearMonth month) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  return OfHome(db::LoadMonthlyReport(**lease, home_id, month), home_id);
}

Result<domain::ComplianceReport> ReadService::LoadCompliance(int64_t home_id, domain::DateRange range) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  return OfHome(db::LoadCompliance(**lease, home_id, range), home_id);
}

Result<domain::RotaWeek> ReadService::LoadRotaWeek(int64_t home_id, domain::DateRange range) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  return OfHome(db::LoadRotaWeek(**lease, home_id, range), home_id);
}

Result<domain::ServiceStats> ReadService::LoadStats(Date today) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  return db::LoadStats(**lease, today);
}

Result<domain::HomeUnits> ReadService::LoadHomeUnits(int64_t home_id) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  return OfHome(db::LoadHomeUnits(**lease, home_id), home_id);
}

Result<std::vector<domain::AssignedShift>> ReadService::LoadAssignedShifts(int64_t home_id, Date from) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  return db::LoadAssignedShifts(**lease, home_id, from);
}

Result<std::vector<domain::HomeOverview>> ReadService::LoadHomes(Date today, std::optional<int64_t> only) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  return db::LoadHomeOverviews(**lease, today, only);
}

Result<domain::HomeLabels> ReadService::LoadHomeLabels(int64_t home_id) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  return OfHome(db::LoadHomeLabels(**lease, home_id), home_id);
}

Result<std::string> ReadService::Dashboard(int64_t home_id, domain::DateRange range) {
  return Json(LoadDashboard(home_id, range), DashboardJson);
}

Result<std::string> ReadService::ShiftList(int64_t home_id, domain::DateRange range) {
  return Json(LoadShifts(home_id, range), ShiftListJson);
}

Result<std::string> ReadService::StaffList(int64_t home_id) { return Json(LoadStaff(home_id), StaffListJson); }

Result<std::string> ReadService::MonthlyReport(int64_t home_id, YearMonth month) {
  return Json(LoadMonthlyReport(home_id, month), MonthlyReportJson);
}

Result<std::string> ReadService::Compliance(int64_t home_id, domain::DateRange range) {
  return Json(LoadCompliance(home_id, range), ComplianceJson);
}

Result<std::string> ReadService::Stats(Date today) { return Json(LoadStats(today), StatsJson); }

Result<std::string> ReadService::Homes(Date today, std::optional<int64_t> only) {
  return Json(LoadHomes(today, only), HomesJson);
}

Result<std::string> ReadService::MonthlyReportCsv(int64_t home_id, YearMonth month) {
  return Json(LoadMonthlyReport(home_id, month), service::MonthlyReportCsv);
}

}  // namespace rota::service

#include "db/report_repository.hpp"

#include <algorithm>
#include <tuple>
#include <vector>

#include "db/statement_variant.hpp"
#include "db/stored_dates.hpp"

namespace rota::db {

Result<std::optional<std::string>> LoadHomeName(Connection& c, int64_t home_id) {
  std::optional<std::string> name;
  ROTA_TRY(c.Query("SELECT name FROM care_home WHERE id = ?", {home_id},
                   [&](const Row& r) { name = std::string(r.Text(0)); }));
  return name;
}

Result<std::optional<domain::DashboardFigures>> LoadDashboard(Connection& c, int64_t home_id, domain::DateRange range) {
  domain::DashboardFigures f;
  f.home.id = home_id;
  f.range = range;
  bool home_found = false;
  ROTA_TRY(
      c.Query("SELECT h.name, u.id, u.name FROM care_home h LEFT JOIN unit u ON u.home_id = h.id "
              "WHERE h.id = ? ORDER BY u.id",
              {home_id}, [&](const Row& r) {
                if (!home_found) f.home.name = std::string(r.Text(0));
                home_found = true;
                if (!r.IsNull(1)) f.by_unit.push_back({{r.Int(1), std::string(r.Text(2))}, {}});
              }));
  if (!home_found) return std::optional<domain::DashboardFigures>();

  const std::string from = range.from.ToString(), to = range.to.ToString();
  const int days = range.days();
  f.by_day.resize(static_cast<size_t>(days));
  for (int i = 0; i < days; ++i) f.by_day[static_cast<size_t>(i)].date = range.from.AddDays(i);
  ROTA_TRY(
      c.Query("SELECT unit_id, date, COUNT(*), COUNT(staff_id) FROM shift "
              "WHERE home_id = ? AND date >= ? AND date <= ? GROUP BY unit_id, date",
              {home_id, from, to}, [&](const Row& r) {
                const int64_t n = r.Int(2), s = r.Int(3);
                f.shifts.total += n;
                f.shifts.staffed += s;
                auto u = std::lower_bound(f.by_unit.begin(), f.by_unit.end(), r.Int(0),
                                          [](const domain::UnitCoverage& x, int64_t id) { return x.unit.id < id; });
                if (u != f.by_unit.end() && u->unit.id == r.Int(0)) {
                  u->shifts.total += n;
                  u->shifts.staffed += s;
                }
                if (auto d = Date::Parse(r.Text(1))) {
                  const auto i = static_cast<size_t>(*d - range.from);
                  if (i < f.by_day.size()) {
                    f.by_day[i].shifts.total += n;
                    f.by_day[i].shifts.staffed += s;
                  }
                }
              }));

  const std::string cert_last = domain::WindowLast(range.from, domain::kCertWindowDays).ToString();
  ROTA_TRY(c.Query(
      "SELECT "
      "(SELECT COUNT(*) FROM leave_request l JOIN staff s ON s.id = l.staff_id "
      "  WHERE s.home_id = ? AND l.status = 'pending'), "
      "(SELECT COUNT(DISTINCT l.staff_id) FROM leave_request l JOIN staff s ON s.id = l.staff_id "
      "  WHERE s.home_id = ? AND s.active AND l.status = 'approved' AND l.start_date <= ? AND l.end_date >= ?), "
      "(SELECT COUNT(*) FROM certification c JOIN staff s ON s.id = c.staff_id "
      "  WHERE s.home_id = ? AND s.active AND c.expires_on >= ? AND c.expires_on <= ?), "
      "(SELECT COUNT(*) FROM certification c JOIN staff s ON s.id = c.staff_id "
      "  WHERE s.home_id = ? AND s.active AND c.expires_on < ?)",
      {home_id, home_id, from, from, home_id, from, cert_last, home_id, from}, [&](const Row& r) {
        f.pending_leave_requests = r.Int(0);
        f.staff_on_leave_today = r.Int(1);
        f.certifications_expiring_30d = r.Int(2);
        f.certifications_expired = r.Int(3);
      }));
  return std::optional<domain::DashboardFigures>(std::move(f));
}

Result<std::optional<domain::MonthlyReport>> LoadMonthlyReport(Connection& c, int64_t home_id, YearMonth month) {
  auto home = LoadHomeName(c, home_id);
  if (!home) return std::move(home).error();
  if (!*home) return std::optional<domain::MonthlyReport>();
  const std::string first = month.First().ToString(), last = month.Last().ToString();

  domain::MonthlyReport m;
  m.month = month;
  ROTA_TRY(
      c.Query("SELECT t.id, t.name, COUNT(s.id), COUNT(s.id) - COUNT(s.staff_id) FROM shift_type t "
              "LEFT JOIN shift s ON s.shift_type_id = t.id AND s.home_id = ? AND s.date >= ? AND s.date <= ? "
              "GROUP BY t.id, t.name ORDER BY t.id",
              {home_id, first, last}, [&](const Row& r) {
                m.shifts_by_type.push_back({r.Int(0), std::string(r.Text(1)), r.Int(2), r.Int(3)});
                m.total_shifts += r.Int(2);
                m.vacant_shifts += r.Int(3);
              }));
  ROTA_TRY(
      c.Query("SELECT st.id, st.first_name, st.last_name, COUNT(*), SUM(t.hours) FROM shift s "
              "JOIN staff st ON st.id = s.staff_id JOIN shift_type t ON t.id = s.shift_type_id "
              "WHERE s.home_id = ? AND s.date >= ? AND s.date <= ? "
              "GROUP BY st.id, st.first_name, st.last_name ORDER BY st.id",
              {home_id, first, last}, [&](const Row& r) {
                m.hours_by_staff.push_back({r.Int(0), FullName(r.Text(1), r.Text(2)), r.Int(3), r.Real(4)});
              }));
  return std::optional<domain::MonthlyReport>(std::move(m));
}

Result<std::optional<domain::ComplianceReport>> LoadCompliance(Connection& c, int64_t home_id,
                                                               domain::DateRange range) {
  auto home = LoadHomeName(c, home_id);
  if (!home) return std::move(home).error();
  if (!*home) return std::optional<domain::ComplianceReport>();
  const std::string from = range.from.ToString(), to = range.to.ToString();

  domain::ComplianceReport report;
  StoredDates dates;
  ROTA_TRY(
      c.Query("SELECT s.date, s.unit_id, s.shift_type_id, u.min_staff_per_shift, COUNT(s.staff_id) "
              "FROM shift s JOIN unit u ON u.id = s.unit_id "
              "WHERE s.home_id = ? AND s.date >= ? AND s.date <= ? "
              "GROUP BY s.date, s.unit_id, s.shift_type_id, u.min_staff_per_shift "
              "HAVING COUNT(s.staff_id) < u.min_staff_per_shift "
              "ORDER BY s.date, s.unit_id, s.shift_type_id",
              {home_id, from, to}, [&](const Row& r) {
                report.understaffed.push_back({dates(r.Text(0)), r.Int(1), r.Int(2), r.Int(3), r.Int(4)});
              }));
  // Sorted here, not in SQL: ORDER BY on text follows the database's collation,
  // which differs between SQLite (bytes) and PostgreSQL (the locale's).
  const std::string cert_last = domain::WindowLast(range.from, domain::kCertWindowDays).ToString();
  auto& certs = report.expiring_certifications;
  ROTA_TRY(
      c.Query("SELECT s.id, s.first_name, s.last_name, c.name, c.expires_on FROM certification c "
              "JOIN staff s ON s.id = c.staff_id WHERE s.home_id = ? AND s.active AND c.expires_on <= ?",
              {home_id, cert_last}, [&](const Row& r) {
                certs.push_back({r.Int(0), FullName(r.Text(1), r.Text(2)), std::string(r.Text(3)), dates(r.Text(4))});
              }));
  ROTA_TRY(dates.status());
  std::sort(certs.begin(), certs.end(),
            [](const domain::ExpiringCertification& a, const domain::ExpiringCertification& b) {
              return std::tie(a.expires_on, a.staff_id, a.certification) <
                     std::tie(b.expires_on, b.staff_id, b.certification);
            });
  return std::optional<domain::ComplianceReport>(std::move(report));
}

Result<domain::ServiceStats> LoadStats(Connection& c, Date today) {
  const std::string first = today.ToString(), last = domain::WindowLast(today, 7).ToString();
  domain::ServiceStats s;
  ROTA_TRY(
      c.Query("SELECT (SELECT COUNT(*) FROM care_home), (SELECT COUNT(*) FROM staff), "
              "(SELECT COUNT(*) FROM staff WHERE active), "
              "(SELECT COUNT(*) FROM shift WHERE date >= ? AND date <= ?), "
              "(SELECT COUNT(*) FROM shift WHERE date >= ? AND date <= ? AND staff_id IS NULL), "
              "(SELECT COUNT(*) FROM leave_request WHERE status = 'pending')",
              {first, last, first, last},
              [&](const Row& r) { s = {r.Int(0), r.Int(1), r.Int(2), r.Int(3), r.Int(4), r.Int(5)}; }));
  return s;
}

}  // namespace rota::db

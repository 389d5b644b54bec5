#include "db/home_overview_repository.hpp"

#include <string>

namespace rota::db {
namespace {

// The per-home aggregates, joined to every home. Parameters in order: the
// week's first and last day; today, the certification window's last day and
// today again (expiring, expired, and the rows worth reading).
constexpr const char* kOverviewSql =
    "SELECT h.id, h.name, COALESCE(sh.total, 0), COALESCE(sh.staffed, 0), COALESCE(lv.pending, 0), "
    "COALESCE(ce.expiring, 0), COALESCE(ce.expired, 0) FROM care_home h "
    "LEFT JOIN (SELECT home_id, COUNT(*) AS total, COUNT(staff_id) AS staffed FROM shift "
    "  WHERE date >= ? AND date <= ? GROUP BY home_id) sh ON sh.home_id = h.id "
    "LEFT JOIN (SELECT s.home_id, COUNT(*) AS pending FROM leave_request l JOIN staff s ON s.id = l.staff_id "
    "  WHERE l.status = 'pending' GROUP BY s.home_id) lv ON lv.home_id = h.id "
    "LEFT JOIN (SELECT s.home_id, "
    "  COUNT(CASE WHEN c.expires_on >= ? AND c.expires_on <= ? THEN 1 END) AS expiring, "
    "  COUNT(CASE WHEN c.expires_on < ? THEN 1 END) AS expired "
    "  FROM certification c JOIN staff s ON s.id = c.staff_id WHERE s.active "
    "  GROUP BY s.home_id) ce ON ce.home_id = h.id ";

}  // namespace

Result<std::vector<domain::HomeOverview>> LoadHomeOverviews(Connection& c, Date today, std::optional<int64_t> only) {
  const std::string first = today.ToString(), last = domain::WindowLast(today, 7).ToString();
  const std::string cert_last = domain::WindowLast(today, domain::kCertWindowDays).ToString();
  Params params{first, last, first, cert_last, first};
  std::string sql = kOverviewSql;
  if (only) {
    sql += "WHERE h.id = ? ";
    params.emplace_back(*only);
  }
  sql += "ORDER BY h.id";
  std::vector<domain::HomeOverview> homes;
  ROTA_TRY(c.Query(sql, params, [&](const Row& r) {
    homes.push_back({{r.Int(0), std::string(r.Text(1))}, {r.Int(2), r.Int(3)}, r.Int(4), r.Int(5), r.Int(6)});
  }));
  return homes;
}

Result<std::optional<domain::HomeLabels>> LoadHomeLabels(Connection& c, int64_t home_id) {
  domain::HomeLabels labels;
  bool found = false;
  ROTA_TRY(
      c.Query("SELECT 0, id, name FROM care_home WHERE id = ? "
              "UNION ALL SELECT 1, id, name FROM unit WHERE home_id = ? "
              "UNION ALL SELECT 2, id, name FROM shift_type "
              "ORDER BY 1, 2",
              {home_id, home_id}, [&](const Row& r) {
                domain::IdName item{r.Int(1), std::string(r.Text(2))};
                switch (r.Int(0)) {
                  case 0:
                    labels.home = std::move(item);
                    found = true;
                    break;
                  case 1:
                    labels.units.push_back(std::move(item));
                    break;
                  default:
                    labels.shift_types.push_back(std::move(item));
                }
              }));
  if (!found) return std::optional<domain::HomeLabels>();
  return std::optional<domain::HomeLabels>(std::move(labels));
}

}  // namespace rota::db

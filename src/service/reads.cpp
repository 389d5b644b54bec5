// The cacheable reads of api.md.
//
// Statement budget (at most 4 per read, whatever the data size):
//   Dashboard      home + units (one LEFT JOIN; no row = unknown home),
//                  one GROUP BY (unit_id, date) over the range,
//                  one row of scalar subqueries for the leave and certification counts.
//   ShiftList      home; then service/views.cpp: notes and links of the range's
//                  shifts (one query each, ordered like the shifts), the shifts
//                  joined with unit, type, staff and users, streamed into the JSON.
//   StaffList      service/views.cpp: home + staff (one LEFT JOIN); qualified
//                  units, certifications and leave requests of the home's staff.
//   MonthlyReport  home; per shift type totals; per staff hours.
//   Compliance     home; understaffed groups (GROUP BY .. HAVING); certifications.
//   Stats          one row of scalar subqueries.
//
// Child rows are merged in one pass: every child query orders by the same key
// as its parent list, so a cursor that only moves forward finds each parent's
// children. Portable SQL only (SQLite and PostgreSQL): dates bound and read as
// 'YYYY-MM-DD' text, booleans tested as `WHERE s.active` and read with Row::Bool,
// counts of a condition written as COUNT of a column or CASE, never SUM(boolean).
#include "service/reads.hpp"

#include "service/views.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace rota::service {
namespace {

using Writer = views::JsonWriter;
using views::OptStr;
using views::Str;

void Key(Writer& w, const char* k) { w.Key(k); }
std::string FullName(std::string_view first, std::string_view last) {
  std::string n;
  n.reserve(first.size() + last.size() + 1);
  n.append(first).append(" ").append(last);
  return n;
}
std::string Done(const rapidjson::StringBuffer& b) { return std::string(b.GetString(), b.GetSize()); }

// staffed/total x 100 rounded half up to one decimal (api.md's formula); 0.0 when total is 0.
double CoveragePct(int64_t staffed, int64_t total) {
  if (total == 0) return 0.0;
  return static_cast<double>((2000 * staffed + total) / (2 * total)) / 10.0;
}

// The last day of a window of `n` days from `from`, kept inside the calendar.
Date WindowLast(Date from, int n) {
  const Date max = Date::Max();
  return (max - from) < n - 1 ? max : from.AddDays(n - 1);
}

Error UnknownHome(int64_t home_id) { return Error::NotFound("home " + std::to_string(home_id) + " does not exist"); }

// The home's name, or not_found. One statement.
Result<std::string> HomeName(db::Connection& c, int64_t home_id) {
  std::optional<std::string> name;
  ROTA_TRY(c.Query("SELECT name FROM care_home WHERE id = ?", {home_id},
                   [&](const db::Row& r) { name = std::string(r.Text(0)); }));
  if (!name) return UnknownHome(home_id);
  return *name;
}

// The certification window of the dashboard and compliance: `from` .. `from` + 29.
constexpr int kCertWindowDays = 30;

}  // namespace

Result<std::string> ReadService::Dashboard(int64_t home_id, domain::DateRange range) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  db::Connection& c = **lease;

  struct UnitCount {
    int64_t id;
    std::string name;
    int64_t total = 0, staffed = 0;
  };
  std::optional<std::string> home_name;
  std::vector<UnitCount> units;
  ROTA_TRY(
      c.Query("SELECT h.name, u.id, u.name FROM care_home h LEFT JOIN unit u ON u.home_id = h.id "
              "WHERE h.id = ? ORDER BY u.id",
              {home_id}, [&](const db::Row& r) {
                if (!home_name) home_name = std::string(r.Text(0));
                if (!r.IsNull(1)) units.push_back({r.Int(1), std::string(r.Text(2))});
              }));
  if (!home_name) return UnknownHome(home_id);

  const std::string from = range.from.ToString(), to = range.to.ToString();
  const int days = range.days();
  std::vector<int64_t> day_total(static_cast<size_t>(days), 0), day_staffed(static_cast<size_t>(days), 0);
  int64_t total = 0, staffed = 0;
  ROTA_TRY(
      c.Query("SELECT unit_id, date, COUNT(*), COUNT(staff_id) FROM shift "
              "WHERE home_id = ? AND date >= ? AND date <= ? GROUP BY unit_id, date",
              {home_id, from, to}, [&](const db::Row& r) {
                const int64_t n = r.Int(2), s = r.Int(3);
                total += n;
                staffed += s;
                auto u = std::lower_bound(units.begin(), units.end(), r.Int(0),
                                          [](const UnitCount& x, int64_t id) { return x.id < id; });
                if (u != units.end() && u->id == r.Int(0)) {
                  u->total += n;
                  u->staffed += s;
                }
                if (auto d = Date::Parse(r.Text(1))) {
                  const auto i = static_cast<size_t>(*d - range.from);
                  if (i < day_total.size()) {
                    day_total[i] += n;
                    day_staffed[i] += s;
                  }
                }
              }));

  const std::string cert_last = WindowLast(range.from, kCertWindowDays).ToString();
  int64_t pending = 0, on_leave = 0, expiring = 0, expired = 0;
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
      {home_id, home_id, from, from, home_id, from, cert_last, home_id, from}, [&](const db::Row& r) {
        pending = r.Int(0);
        on_leave = r.Int(1);
        expiring = r.Int(2);
        expired = r.Int(3);
      }));

  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "home");
  w.StartObject();
  Key(w, "id");
  w.Int64(home_id);
  Key(w, "name");
  Str(w, *home_name);
  w.EndObject();
  Key(w, "from");
  Str(w, from);
  Key(w, "to");
  Str(w, to);
  Key(w, "days");
  w.Int(days);
  Key(w, "total_shifts");
  w.Int64(total);
  Key(w, "staffed_shifts");
  w.Int64(staffed);
  Key(w, "vacant_shifts");
  w.Int64(total - staffed);
  Key(w, "coverage_pct");
  w.Double(CoveragePct(staffed, total));
  Key(w, "by_unit");
  w.StartArray();
  for (const auto& u : units) {
    w.StartObject();
    Key(w, "unit_id");
    w.Int64(u.id);
    Key(w, "unit_name");
    Str(w, u.name);
    Key(w, "total");
    w.Int64(u.total);
    Key(w, "staffed");
    w.Int64(u.staffed);
    Key(w, "vacant");
    w.Int64(u.total - u.staffed);
    w.EndObject();
  }
  w.EndArray();
  Key(w, "by_day");
  w.StartArray();
  for (int i = 0; i < days; ++i) {
    const auto k = static_cast<size_t>(i);
    w.StartObject();
    Key(w, "date");
    Str(w, range.from.AddDays(i).ToString());
    Key(w, "total");
    w.Int64(day_total[k]);
    Key(w, "staffed");
    w.Int64(day_staffed[k]);
    Key(w, "vacant");
    w.Int64(day_total[k] - day_staffed[k]);
    w.EndObject();
  }
  w.EndArray();
  Key(w, "pending_leave_requests");
  w.Int64(pending);
  Key(w, "staff_on_leave_today");
  w.Int64(on_leave);
  Key(w, "certifications_expiring_30d");
  w.Int64(expiring);
  Key(w, "certifications_expired");
  w.Int64(expired);
  w.EndObject();
  return Done(buf);
}

Result<std::string> ReadService::ShiftList(int64_t home_id, domain::DateRange range) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  db::Connection& c = **lease;
  {
    auto home = HomeName(c, home_id);
    if (!home) return home.status();
  }
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "shifts");
  w.StartArray();
  ROTA_TRY(views::WriteShifts(c, views::ShiftSelection::Range(home_id, range.from, range.to), w).status());
  w.EndArray();
  w.EndObject();
  return Done(buf);
}

Result<std::string> ReadService::StaffList(int64_t home_id) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "staff");
  w.StartArray();
  auto found = views::WriteStaff(**lease, views::StaffSelection::Home(home_id), w);
  if (!found) return std::move(found).error();
  if (!*found) return UnknownHome(home_id);
  w.EndArray();
  w.EndObject();
  return Done(buf);
}

Result<std::string> ReadService::MonthlyReport(int64_t home_id, YearMonth month) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  db::Connection& c = **lease;
  {
    auto home = HomeName(c, home_id);
    if (!home) return home.status();
  }
  const std::string first = month.First().ToString(), last = month.Last().ToString();

  struct TypeCount {
    int64_t id;
    std::string name;
    int64_t total, vacant;
  };
  std::vector<TypeCount> types;
  int64_t total = 0, vacant = 0;
  ROTA_TRY(
      c.Query("SELECT t.id, t.name, COUNT(s.id), COUNT(s.id) - COUNT(s.staff_id) FROM shift_type t "
              "LEFT JOIN shift s ON s.shift_type_id = t.id AND s.home_id = ? AND s.date >= ? AND s.date <= ? "
              "GROUP BY t.id, t.name ORDER BY t.id",
              {home_id, first, last}, [&](const db::Row& r) {
                types.push_back({r.Int(0), std::string(r.Text(1)), r.Int(2), r.Int(3)});
                total += r.Int(2);
                vacant += r.Int(3);
              }));

  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "month");
  Str(w, month.ToString());
  Key(w, "total_shifts");
  w.Int64(total);
  Key(w, "staffed_shifts");
  w.Int64(total - vacant);
  Key(w, "vacant_shifts");
  w.Int64(vacant);
  Key(w, "hours_by_staff");
  w.StartArray();
  ROTA_TRY(
      c.Query("SELECT st.id, st.first_name, st.last_name, COUNT(*), SUM(t.hours) FROM shift s "
              "JOIN staff st ON st.id = s.staff_id JOIN shift_type t ON t.id = s.shift_type_id "
              "WHERE s.home_id = ? AND s.date >= ? AND s.date <= ? "
              "GROUP BY st.id, st.first_name, st.last_name ORDER BY st.id",
              {home_id, first, last}, [&](const db::Row& r) {
                w.StartObject();
                Key(w, "staff_id");
                w.Int64(r.Int(0));
                Key(w, "name");
                Str(w, FullName(r.Text(1), r.Text(2)));
                Key(w, "shifts");
                w.Int64(r.Int(3));
                Key(w, "hours");
                w.Double(r.Real(4));
                w.EndObject();
              }));
  w.EndArray();
  Key(w, "shifts_by_type");
  w.StartArray();
  for (const auto& t : types) {
    w.StartObject();
    Key(w, "shift_type_id");
    w.Int64(t.id);
    Key(w, "name");
    Str(w, t.name);
    Key(w, "total");
    w.Int64(t.total);
    Key(w, "vacant");
    w.Int64(t.vacant);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return Done(buf);
}

Result<std::string> ReadService::Compliance(int64_t home_id, domain::DateRange range) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  db::Connection& c = **lease;
  {
    auto home = HomeName(c, home_id);
    if (!home) return home.status();
  }
  const std::string from = range.from.ToString(), to = range.to.ToString();

  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "understaffed");
  w.StartArray();
  ROTA_TRY(
      c.Query("SELECT s.date, s.unit_id, s.shift_type_id, u.min_staff_per_shift, COUNT(s.staff_id) "
              "FROM shift s JOIN unit u ON u.id = s.unit_id "
              "WHERE s.home_id = ? AND s.date >= ? AND s.date <= ? "
              "GROUP BY s.date, s.unit_id, s.shift_type_id, u.min_staff_per_shift "
              "HAVING COUNT(s.staff_id) < u.min_staff_per_shift "
              "ORDER BY s.date, s.unit_id, s.shift_type_id",
              {home_id, from, to}, [&](const db::Row& r) {
                w.StartObject();
                Key(w, "date");
                Str(w, r.Text(0));
                Key(w, "unit_id");
                w.Int64(r.Int(1));
                Key(w, "shift_type_id");
                w.Int64(r.Int(2));
                Key(w, "required");
                w.Int64(r.Int(3));
                Key(w, "assigned");
                w.Int64(r.Int(4));
                w.EndObject();
              }));
  w.EndArray();
  Key(w, "expiring_certifications");
  w.StartArray();
  // Sorted here, not in SQL: ORDER BY on text follows the database's collation,
  // which differs between SQLite (bytes) and PostgreSQL (the locale's).
  struct Cert {
    std::string expires_on;
    int64_t staff_id;
    std::string certification, name;
  };
  std::vector<Cert> certs;
  const std::string cert_last = WindowLast(range.from, kCertWindowDays).ToString();
  ROTA_TRY(c.Query(
      "SELECT s.id, s.first_name, s.last_name, c.name, c.expires_on FROM certification c "
      "JOIN staff s ON s.id = c.staff_id WHERE s.home_id = ? AND s.active AND c.expires_on <= ?",
      {home_id, cert_last}, [&](const db::Row& r) {
        certs.push_back({std::string(r.Text(4)), r.Int(0), std::string(r.Text(3)), FullName(r.Text(1), r.Text(2))});
      }));
  std::sort(certs.begin(), certs.end(), [](const Cert& a, const Cert& b) {
    return std::tie(a.expires_on, a.staff_id, a.certification) < std::tie(b.expires_on, b.staff_id, b.certification);
  });
  for (const Cert& cert : certs) {
    w.StartObject();
    Key(w, "staff_id");
    w.Int64(cert.staff_id);
    Key(w, "name");
    Str(w, cert.name);
    Key(w, "certification");
    Str(w, cert.certification);
    Key(w, "expires_on");
    Str(w, cert.expires_on);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return Done(buf);
}

Result<std::string> ReadService::Stats(Date today) {
  auto lease = pool_.Acquire();
  if (!lease) return lease.status();
  db::Connection& c = **lease;
  const std::string first = today.ToString(), last = WindowLast(today, 7).ToString();
  int64_t v[6] = {};
  ROTA_TRY(
      c.Query("SELECT (SELECT COUNT(*) FROM care_home), (SELECT COUNT(*) FROM staff), "
              "(SELECT COUNT(*) FROM staff WHERE active), "
              "(SELECT COUNT(*) FROM shift WHERE date >= ? AND date <= ?), "
              "(SELECT COUNT(*) FROM shift WHERE date >= ? AND date <= ? AND staff_id IS NULL), "
              "(SELECT COUNT(*) FROM leave_request WHERE status = 'pending')",
              {first, last, first, last}, [&](const db::Row& r) {
                for (int i = 0; i < 6; ++i) v[i] = r.Int(i);
              }));
  rapidjson::StringBuffer buf;
  Writer w(buf);
  static constexpr const char* kNames[6] = {
      "homes", "staff", "active_staff", "shifts_next_7_days", "vacant_next_7_days", "pending_leave_requests"};
  w.StartObject();
  for (int i = 0; i < 6; ++i) {
    Key(w, kNames[i]);
    w.Int64(v[i]);
  }
  w.EndObject();
  return Done(buf);
}

}  // namespace rota::service

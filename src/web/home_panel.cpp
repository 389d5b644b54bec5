#include "web/home_panel.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "web/assets.hpp"
#include "web/html.hpp"

namespace rota::web {
namespace {

using rapidjson::Value;

// Bumped when the panel's HTML changes shape, so that a Redis shared with
// servers of an older build never hands this one a fragment of the old shape.
constexpr int kPanelVersion = 1;

std::string Str(const Value& v, const char* key) {
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}
int64_t Int(const Value& v, const char* key) {
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}
const Value& Arr(const Value& v, const char* key) {
  static const Value kEmpty(rapidjson::kArrayType);
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsArray() ? it->value : kEmpty;
}

Result<rapidjson::Document> Parse(const std::string& json, const char* what) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) return Error::Internal(fmt::format("the {} read is not a JSON object", what));
  return d;
}

// "Sat 28 Nov" for 2026-11-28.
std::string ShortDate(std::string_view iso) {
  auto d = Date::Parse(iso);
  if (!d) return std::string(iso);
  static const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // day 0 = 1970-01-01
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int wd = ((d->days() % 7) + 7) % 7;
  return fmt::format("{} {} {}", kDays[wd], d->day(), kMonths[d->month() - 1]);
}

std::string Figures(const Value& d7, const Value& d14) {
  auto row = [&](const char* label, const char* key, const char* id) {
    return fmt::format("<tr><th scope=\"row\">{}</th><td data-testid=\"{}-7\">{}</td><td data-testid=\"{}-14\">{}</td></tr>",
                       label, id, Int(d7, key), id, Int(d14, key));
  };
  auto pct = [](const Value& d) {
    auto it = d.FindMember("coverage_pct");
    return it != d.MemberEnd() && it->value.IsNumber() ? fmt::format("{:.1f}%", it->value.GetDouble()) : "–";
  };
  std::string table = fmt::format(
      "<table class=\"figures\"><thead><tr><th></th><th>Next 7 days<br><small>{} – {}</small></th>"
      "<th>Next 14 days<br><small>{} – {}</small></th></tr></thead><tbody>{}{}{}"
      "<tr class=\"coverage\"><th scope=\"row\">Coverage</th><td data-testid=\"coverage-7\">{}</td>"
      "<td data-testid=\"coverage-14\">{}</td></tr></tbody></table>",
      ShortDate(Str(d7, "from")), ShortDate(Str(d7, "to")), ShortDate(Str(d14, "from")), ShortDate(Str(d14, "to")),
      row("Shifts", "total_shifts", "total"), row("Staffed", "staffed_shifts", "staffed"),
      row("Vacant", "vacant_shifts", "vacant"), pct(d7), pct(d14));
  auto card = [&](const char* label, const char* key, const char* id, bool alarm) {
    int64_t n = Int(d7, key);
    return fmt::format("<div class=\"stat{}\"><span class=\"n\" data-testid=\"{}\">{}</span><span>{}</span></div>",
                       alarm && n > 0 ? " alarm" : "", id, n, label);
  };
  return table + "<div class=\"stats\">" +
         card("pending leave requests", "pending_leave_requests", "pending-leave", false) +
         card("staff on leave today", "staff_on_leave_today", "on-leave-today", false) +
         card("certifications expiring within 30 days", "certifications_expiring_30d", "certs-expiring", true) +
         card("certifications expired", "certifications_expired", "certs-expired", true) + "</div>";
}

// The chart data (by day and by unit over 14 days) for home.js:
// {"by_day": [{label, staffed, vacant}], "by_unit": [...]}.
std::string ChartJson(const Value& d14) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto series = [&](const char* name, const char* list, auto label_of) {
    w.Key(name);
    w.StartArray();
    for (const auto& row : Arr(d14, list).GetArray()) {
      std::string label = label_of(row);
      w.StartObject();
      w.Key("label");
      w.String(label.c_str(), static_cast<rapidjson::SizeType>(label.size()));
      w.Key("staffed");
      w.Int64(Int(row, "staffed"));
      w.Key("vacant");
      w.Int64(Int(row, "vacant"));
      w.EndObject();
    }
    w.EndArray();
  };
  w.StartObject();
  series("by_day", "by_day", [](const Value& d) { return ShortDate(Str(d, "date")); });
  series("by_unit", "by_unit", [](const Value& u) { return Str(u, "unit_name"); });
  w.EndObject();
  return sb.GetString();
}

struct Member {
  int64_t id;
  std::string name;
  bool active;
  std::set<int64_t> units;                         // qualified
  std::vector<std::pair<Date, Date>> approved;     // approved leave
};

std::vector<Member> Members(const Value& staff) {
  std::vector<Member> out;
  for (const auto& s : Arr(staff, "staff").GetArray()) {
    Member m{Int(s, "id"), Str(s, "name"), s.HasMember("active") && s["active"].IsBool() && s["active"].GetBool(), {}, {}};
    for (const auto& u : Arr(s, "qualified_units").GetArray()) m.units.insert(Int(u, "id"));
    for (const auto& l : Arr(s, "leave_requests").GetArray()) {
      auto from = Date::Parse(Str(l, "start_date"));
      auto to = Date::Parse(Str(l, "end_date"));
      if (from && to && Str(l, "status") == "approved") m.approved.emplace_back(*from, *to);
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::string VacantShifts(const Value& shifts, const std::vector<Member>& staff) {
  // Who already works on each date (no one works two shifts on one date).
  std::map<std::string, std::set<int64_t>> busy;
  for (const auto& s : Arr(shifts, "shifts").GetArray()) {
    auto it = s.FindMember("staff");
    if (it != s.MemberEnd() && it->value.IsObject()) busy[Str(s, "date")].insert(Int(it->value, "id"));
  }
  std::string rows;
  int count = 0;
  for (const auto& s : Arr(shifts, "shifts").GetArray()) {
    auto st = s.FindMember("staff");
    if (st == s.MemberEnd() || !st->value.IsNull()) continue;
    ++count;
    std::string date = Str(s, "date");
    auto day = Date::Parse(date);
    const Value& unit = s["unit"];
    const Value& type = s["shift_type"];
    int64_t unit_id = Int(unit, "id");
    std::string options;
    for (const auto& m : staff) {
      if (!m.active || !m.units.contains(unit_id) || busy[date].contains(m.id)) continue;
      bool on_leave = day && std::any_of(m.approved.begin(), m.approved.end(),
                                         [&](const auto& r) { return r.first <= *day && *day <= r.second; });
      if (on_leave) continue;
      options += fmt::format("<option value=\"{}\">{}</option>", m.id, Escape(m.name));
    }
    std::string action =
        options.empty()
            ? "<span class=\"muted\">no qualified member of staff is free</span>"
            : fmt::format("<select aria-label=\"member of staff\" data-role=\"candidate\">{}</select>"
                          "<button type=\"button\" data-action=\"assign\" data-shift=\"{}\">Assign</button>",
                          options, Int(s, "id"));
    rows += fmt::format(
        "<tr data-shift-row=\"{}\" data-date=\"{}\"><td>{}</td><td>{}</td><td>{} <small>{}–{}</small></td>"
        "<td class=\"act\">{}</td></tr>",
        Int(s, "id"), Escape(date), ShortDate(date), Escape(Str(unit, "name")), Escape(Str(type, "name")),
        Escape(Str(type, "start")), Escape(Str(type, "end")), action);
  }
  if (count == 0) rows = "<tr><td colspan=\"4\" class=\"muted\">Every shift of the next 14 days is staffed.</td></tr>";
  return fmt::format(
      "<section class=\"card\" id=\"vacant\"><h2>Vacant shifts, next 14 days <span class=\"count\" "
      "data-testid=\"vacant-count\">{}</span></h2><div class=\"scroll\"><table class=\"list\"><thead><tr>"
      "<th>Date</th><th>Unit</th><th>Shift</th><th>Assign a qualified member of staff</th></tr></thead><tbody>{}"
      "</tbody></table></div></section>",
      count, rows);
}

std::string PendingLeave(const Value& staff) {
  struct Pending {
    std::string start, end, name;
    int64_t id;
  };
  std::vector<Pending> pending;
  for (const auto& s : Arr(staff, "staff").GetArray())
    for (const auto& l : Arr(s, "leave_requests").GetArray())
      if (Str(l, "status") == "pending") pending.push_back({Str(l, "start_date"), Str(l, "end_date"), Str(s, "name"), Int(l, "id")});
  std::sort(pending.begin(), pending.end(),
            [](const Pending& a, const Pending& b) { return std::tie(a.start, a.id) < std::tie(b.start, b.id); });
  std::string rows;
  for (const auto& p : pending)
    rows += fmt::format(
        "<tr data-leave-row=\"{0}\"><td>{1}</td><td>{2}</td><td>{3}</td><td class=\"act\">"
        "<button type=\"button\" data-action=\"leave\" data-status=\"approved\" data-leave=\"{0}\">Approve</button>"
        "<button type=\"button\" data-action=\"leave\" data-status=\"rejected\" data-leave=\"{0}\" "
        "class=\"secondary\">Reject</button></td></tr>",
        p.id, Escape(p.name), ShortDate(p.start), ShortDate(p.end));
  if (pending.empty()) rows = "<tr><td colspan=\"4\" class=\"muted\">No leave request is waiting.</td></tr>";
  return fmt::format(
      "<section class=\"card\" id=\"leave\"><h2>Pending leave requests <span class=\"count\">{}</span></h2>"
      "<table class=\"list\"><thead><tr><th>Member of staff</th><th>From</th><th>To</th><th></th></tr></thead>"
      "<tbody>{}</tbody></table></section>",
      pending.size(), rows);
}

std::string Certifications(const Value& compliance, Date today) {
  std::string rows;
  size_t n = 0;
  for (const auto& c : Arr(compliance, "expiring_certifications").GetArray()) {
    ++n;
    std::string expires = Str(c, "expires_on");
    auto d = Date::Parse(expires);
    bool expired = d && *d < today;
    rows += fmt::format("<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        expired ? "expired" : "expiring", Escape(Str(c, "name")), Escape(Str(c, "certification")),
                        ShortDate(expires), expired ? "expired" : fmt::format("in {} days", d ? *d - today : 0));
  }
  if (n == 0) rows = "<tr><td colspan=\"4\" class=\"muted\">No certification expires within 30 days.</td></tr>";
  return fmt::format(
      "<section class=\"card\" id=\"certifications\"><h2>Certifications expiring or expired <span class=\"count\">"
      "{}</span></h2><table class=\"list\"><thead><tr><th>Member of staff</th><th>Certification</th><th>Expires</th>"
      "<th></th></tr></thead><tbody>{}</tbody></table></section>",
      n, rows);
}

}  // namespace

Result<std::string> RenderHomePanel(int64_t home, Date today, const HomeReads& reads) {
  auto d7 = Parse(reads.dashboard7, "dashboard");
  if (!d7) return std::move(d7).error();
  auto d14 = Parse(reads.dashboard14, "dashboard");
  if (!d14) return std::move(d14).error();
  auto shifts = Parse(reads.shifts, "shift list");
  if (!shifts) return std::move(shifts).error();
  auto staff = Parse(reads.staff, "staff list");
  if (!staff) return std::move(staff).error();
  auto compliance = Parse(reads.compliance, "compliance");
  if (!compliance) return std::move(compliance).error();
  std::string name = d7->HasMember("home") && (*d7)["home"].IsObject() ? Str((*d7)["home"], "name") : "";
  return fmt::format(
      "<div class=\"panel\" data-home=\"{}\"><h1 data-testid=\"home-name\">{}</h1>"
      "<section class=\"card\" id=\"figures\">{}</section>"
      "<section class=\"card charts\"><figure><figcaption>Coverage by day, next 14 days</figcaption>"
      "<div class=\"chart\"><canvas id=\"chart-by-day\" role=\"img\" aria-label=\"staffed and vacant shifts by day\">"
      "</canvas></div></figure><figure><figcaption>Coverage by unit, next 14 days</figcaption><div class=\"chart\">"
      "<canvas id=\"chart-by-unit\" role=\"img\" aria-label=\"staffed and vacant shifts by unit\"></canvas></div>"
      "</figure><script type=\"application/json\" id=\"chart-data\">{}</script></section>{}{}{}</div>",
      home, Escape(name), Figures(*d7, *d14), JsonForScript(ChartJson(*d14)),
      VacantShifts(*shifts, Members(*staff)), PendingLeave(*staff), Certifications(*compliance, today));
}

Result<service::CachedAnswer> HomePanel(service::App& app, int64_t home, bool bypass) {
  Date today = app.Today();
  std::string args = fmt::format("home-panel/v{}/{}/{}", kPanelVersion, FindAsset("home.js")->hash, today.ToString());
  return app.cached().Fragment(home, args, bypass, [&]() -> Result<std::string> {
    auto& reads = app.cached();
    HomeReads r;
    auto take = [](Result<service::CachedAnswer> a, std::string& into) -> Status {
      if (!a) return a.error();
      into = std::move(a->body);
      return Status::Ok();
    };
    ROTA_TRY(take(reads.Dashboard(home, {today, today.AddDays(6)}, bypass), r.dashboard7));
    ROTA_TRY(take(reads.Dashboard(home, {today, today.AddDays(13)}, bypass), r.dashboard14));
    ROTA_TRY(take(reads.ShiftList(home, {today, today.AddDays(13)}, bypass), r.shifts));
    ROTA_TRY(take(reads.StaffList(home, bypass), r.staff));
    ROTA_TRY(take(reads.Compliance(home, {today, today.AddDays(6)}, bypass), r.compliance));
    return RenderHomePanel(home, today, r);
  });
}

}  // namespace rota::web

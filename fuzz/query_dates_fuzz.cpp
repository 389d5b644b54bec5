// Fuzz target: bytes as a query string -> the date-range parameters of the
// cacheable reads (domain/range.hpp) and the date and timestamp parsers of
// base/date.hpp.
//
// Input: the first three bytes pick "today" anywhere in 0001-01-01..9999-12-31;
// the rest is split like a query string ("from=...&days=...&to=...&month=...",
// no percent-decoding; the first value of a name wins, as Request::Query).
// Every parameter value and the whole rest are also fed to Date::Parse,
// YearMonth::Parse, ParseTimestamp and NormalizeTimestamp.
//
// Invariants: a parsed range has from <= to, 1..366 days, stays within
// 0001..9999 and keeps the defaults (from = today, 7 days; to = from + 6); a
// parsed date or timestamp formats back to the text it came from; a month
// gives First() <= Last() in that month.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/date.hpp"
#include "domain/range.hpp"

namespace {

using rota::Date;

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "query_dates_fuzz: invariant failed: %s\n", what);
    std::abort();
  }
}

void CheckRange(const rota::domain::DateRange& r) {
  Check(r.from <= r.to, "from <= to");
  Check(r.days() >= 1 && r.days() <= rota::domain::kMaxRangeDays, "days in 1..366");
  Check(r.from >= Date::Min() && r.to <= Date::Max(), "range within 0001..9999");
}

void CheckDateText(std::string_view text) {
  auto d = Date::Parse(text);
  if (!d) return;
  Check(d->ToString() == text, "a parsed date formats back to its text");
  Check(*d >= Date::Min() && *d <= Date::Max(), "a parsed date within 0001..9999");
  Check(Date::FromYmd(d->year(), d->month(), d->day()) == d, "year/month/day round trip");
  Check(d->FirstOfMonth() <= *d && d->day() <= d->DaysInMonth(), "day within its month");
}

void CheckMonthText(std::string_view text) {
  auto m = rota::YearMonth::Parse(text);
  if (!m) return;
  Check(m->ToString() == text, "a parsed month formats back to its text");
  Check(m->First() <= m->Last() && m->First().month() == m->month && m->Last().month() == m->month,
        "a month's first and last days are in it");
}

void CheckTimestampText(std::string_view text) {
  auto t = rota::ParseTimestamp(text);
  if (t) {
    // A leap second (:60) is accepted and reads as the next minute's :00.
    if (text.substr(17, 2) != "60") Check(rota::FormatTimestamp(*t) == text, "a timestamp formats back to its text");
    Check(rota::NormalizeTimestamp(text) == text, "a normal timestamp is left as it is");
  }
  std::string normal = rota::NormalizeTimestamp(text);
  if (text.size() >= 19 && text[10] == ' ') Check(normal.size() == 20 && normal.back() == 'Z', "normalised shape");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const int32_t span = Date::Max().days() - Date::Min().days() + 1;
  const uint32_t pick = data[0] | (data[1] << 8) | (data[2] << 16);
  const Date today = Date::FromDays(Date::Min().days() + static_cast<int32_t>(pick % static_cast<uint32_t>(span)));
  const std::string_view rest(reinterpret_cast<const char*>(data) + 3, size - 3);

  std::map<std::string_view, std::string_view> params;  // the first value of each name
  std::string_view q = rest;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    params.emplace(name, value);
    CheckDateText(value);
    CheckMonthText(value);
    CheckTimestampText(value);
  }
  CheckDateText(rest);
  CheckMonthText(rest);
  CheckTimestampText(rest);
  auto get = [&](std::string_view n) -> std::optional<std::string_view> {
    auto it = params.find(n);
    if (it == params.end()) return std::nullopt;
    return it->second;
  };

  if (auto r = rota::domain::ParseFromDays(get("from"), get("days"), today)) {
    CheckRange(*r);
    if (!get("from")) Check(r->from == today, "from defaults to today");
    if (!get("days")) Check(r->days() == rota::domain::kDefaultDays, "days defaults to 7");
    if (auto f = get("from")) Check(r->from.ToString() == *f, "from is the date given");
  } else {
    Check(r.error().field.has_value(), "a rejected range names its parameter");
  }
  if (auto r = rota::domain::ParseFromTo(get("from"), get("to"), today)) {
    CheckRange(*r);
    if (!get("to")) Check(r->days() == rota::domain::kDefaultDays, "to defaults to from + 6");
    if (auto t = get("to")) Check(r->to.ToString() == *t, "to is the date given");
  } else {
    Check(r.error().field.has_value(), "a rejected range names its parameter");
  }
  if (auto m = rota::domain::ParseMonth(get("month"), today)) {
    Check(m->month >= 1 && m->month <= 12 && m->year >= 1 && m->year <= 9999, "month in range");
    Check(m->First() <= m->Last(), "first day <= last day");
    if (!get("month")) Check(m->year == today.year() && m->month == today.month(), "month defaults to today's");
  } else {
    Check(m.error().field.has_value(), "a rejected month names its parameter");
  }
  return 0;
}

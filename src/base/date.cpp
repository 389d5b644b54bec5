#include "base/date.hpp"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

namespace rota {
namespace {

namespace chr = std::chrono;

chr::year_month_day Ymd(int32_t days) { return chr::year_month_day{chr::sys_days{chr::days{days}}}; }

bool Digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int ToInt(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

std::optional<Date> Date::FromYmd(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  chr::year_month_day ymd{chr::year{year}, chr::month{static_cast<unsigned>(month)},
                          chr::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return Date(static_cast<int32_t>(chr::sys_days{ymd}.time_since_epoch().count()));
}

std::optional<Date> Date::Parse(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto y = t.substr(0, 4), m = t.substr(5, 2), d = t.substr(8, 2);
  if (!Digits(y) || !Digits(m) || !Digits(d)) return std::nullopt;
  return FromYmd(ToInt(y), ToInt(m), ToInt(d));
}

int Date::year() const { return static_cast<int>(Ymd(days_).year()); }
int Date::month() const { return static_cast<int>(static_cast<unsigned>(Ymd(days_).month())); }
int Date::day() const { return static_cast<int>(static_cast<unsigned>(Ymd(days_).day())); }

// Every cache key of a date range formats two dates: by hand, not through fmt
// (bench/NOTES.md: fmt was ~5% of a cached hit's instructions).
std::string Date::ToString() const {
  auto ymd = Ymd(days_);
  const int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month()), d = static_cast<unsigned>(ymd.day());
  if (y < 0 || y > 9999) return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
  char out[10] = {static_cast<char>('0' + y / 1000),
                  static_cast<char>('0' + y / 100 % 10),
                  static_cast<char>('0' + y / 10 % 10),
                  static_cast<char>('0' + y % 10),
                  '-',
                  static_cast<char>('0' + m / 10),
                  static_cast<char>('0' + m % 10),
                  '-',
                  static_cast<char>('0' + d / 10),
                  static_cast<char>('0' + d % 10)};
  return std::string(out, sizeof out);
}

Date Date::FirstOfMonth() const { return *FromYmd(year(), month(), 1); }

int Date::DaysInMonth() const {
  auto ymd = Ymd(days_);
  return static_cast<int>(
      static_cast<unsigned>(chr::year_month_day_last{ymd.year(), chr::month_day_last{ymd.month()}}.day()));
}

Date Date::Min() { return *FromYmd(1, 1, 1); }
Date Date::Max() { return *FromYmd(9999, 12, 31); }

std::optional<YearMonth> YearMonth::Parse(std::string_view t) {
  if (t.size() != 7 || t[4] != '-') return std::nullopt;
  auto y = t.substr(0, 4), m = t.substr(5, 2);
  if (!Digits(y) || !Digits(m)) return std::nullopt;
  int year = ToInt(y), month = ToInt(m);
  if (year < 1 || month < 1 || month > 12) return std::nullopt;
  return YearMonth{year, month};
}

Date YearMonth::First() const { return *Date::FromYmd(year, month, 1); }
Date YearMonth::Last() const { return First().AddDays(First().DaysInMonth() - 1); }
std::string YearMonth::ToString() const { return fmt::format("{:04d}-{:02d}", year, month); }

std::string NowTimestamp() { return FormatTimestamp(std::time(nullptr)); }

std::string FormatTimestamp(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::optional<int64_t> ParseTimestamp(std::string_view t) {
  if (t.size() != 20 || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z') return std::nullopt;
  auto date = Date::Parse(t.substr(0, 10));
  auto hh = t.substr(11, 2), mm = t.substr(14, 2), ss = t.substr(17, 2);
  if (!date || !Digits(hh) || !Digits(mm) || !Digits(ss)) return std::nullopt;
  int h = ToInt(hh), m = ToInt(mm), s = ToInt(ss);
  if (h > 23 || m > 59 || s > 60) return std::nullopt;
  return int64_t{date->days()} * 86400 + h * 3600 + m * 60 + s;
}

Date LocalToday() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return *Date::FromYmd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

std::string NormalizeTimestamp(std::string_view s) {
  // PostgreSQL (DateStyle ISO, TimeZone UTC): "2026-11-28 08:00:00+00" (maybe with fractions).
  if (s.size() >= 19 && s[10] == ' ') {
    std::string out(s.substr(0, 19));
    out[10] = 'T';
    out += 'Z';
    return out;
  }
  return std::string(s);
}

}  // namespace rota

// Calendar dates and UTC timestamps as api.md writes them.
//
// Date is a day number (days since 1970-01-01) so that ranges are integer
// arithmetic; it parses and prints only the strict `YYYY-MM-DD` form, years
// 0001..9999. Timestamps are `YYYY-MM-DDTHH:MM:SSZ` text in UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rota {

class Date {
 public:
  constexpr Date() = default;
  static constexpr Date FromDays(int32_t days) { return Date(days); }
  static std::optional<Date> FromYmd(int year, int month, int day);  // nullopt if not a real date
  // Strict `YYYY-MM-DD`, a real calendar day in years 0001..9999.
  static std::optional<Date> Parse(std::string_view text);

  int32_t days() const { return days_; }
  int year() const;
  int month() const;
  int day() const;
  std::string ToString() const;

  Date AddDays(int32_t n) const { return Date(days_ + n); }
  Date FirstOfMonth() const;
  int DaysInMonth() const;
  friend constexpr int32_t operator-(Date a, Date b) { return a.days_ - b.days_; }
  friend constexpr auto operator<=>(Date, Date) = default;

  static Date Min();  // 0001-01-01
  static Date Max();  // 9999-12-31

 private:
  constexpr explicit Date(int32_t days) : days_(days) {}
  int32_t days_ = 0;
};

// A month `YYYY-MM`, for the monthly report.
struct YearMonth {
  int year = 1970;
  int month = 1;
  static std::optional<YearMonth> Parse(std::string_view text);
  Date First() const;
  Date Last() const;
  std::string ToString() const;
};

// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
std::string NowTimestamp();
// A UTC time (seconds since the epoch) as `YYYY-MM-DDTHH:MM:SSZ`.
std::string FormatTimestamp(int64_t unix_seconds);
// `YYYY-MM-DDTHH:MM:SSZ` as seconds since the epoch; nullopt if malformed.
std::optional<int64_t> ParseTimestamp(std::string_view text);
// The server's local date today.
Date LocalToday();
// Normalises a database timestamp (SQLite text, or PostgreSQL `YYYY-MM-DD HH:MM:SS+00`)
// to `YYYY-MM-DDTHH:MM:SSZ`. REQUIRES: the value is UTC.
std::string NormalizeTimestamp(std::string_view db_text);

}  // namespace rota

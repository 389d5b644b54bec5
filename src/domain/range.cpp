#include "domain/range.hpp"

#include <charconv>
#include <string>

namespace rota::domain {
namespace {

Result<Date> ParseFrom(std::optional<std::string_view> from, Date today) {
  if (!from) return today;
  auto d = Date::Parse(*from);
  if (!d) return Error::Invalid("from must be a date YYYY-MM-DD", "from");
  return *d;
}

Result<DateRange> Span(Date from, int days, const char* field) {
  if (from.days() + days - 1 > Date::Max().days()) return Error::Invalid("the range ends after 9999-12-31", field);
  return DateRange{from, from.AddDays(days - 1)};
}

}  // namespace

Result<DateRange> ParseFromDays(std::optional<std::string_view> from, std::optional<std::string_view> days,
                                Date today) {
  auto start = ParseFrom(from, today);
  if (!start) return std::move(start).error();
  int n = kDefaultDays;
  if (days) {
    const char* b = days->data();
    const char* e = b + days->size();
    auto [p, ec] = std::from_chars(b, e, n);
    if (ec != std::errc() || p != e || days->empty())
      return Error::Invalid("days must be a whole number from 1 to 366", "days");
    if (n < 1 || n > kMaxRangeDays) return Error::Invalid("days must be from 1 to 366", "days");
  }
  return Span(*start, n, "days");
}

Result<DateRange> ParseFromTo(std::optional<std::string_view> from, std::optional<std::string_view> to, Date today) {
  auto start = ParseFrom(from, today);
  if (!start) return std::move(start).error();
  if (!to) return Span(*start, kDefaultDays, "from");
  auto end = Date::Parse(*to);
  if (!end) return Error::Invalid("to must be a date YYYY-MM-DD", "to");
  if (*end < *start) return Error::Invalid("to is before from", "to");
  if (*end - *start + 1 > kMaxRangeDays) return Error::Invalid("a range spans at most 366 days", "to");
  return DateRange{*start, *end};
}

Result<YearMonth> ParseMonth(std::optional<std::string_view> month, Date today) {
  if (!month) return YearMonth{today.year(), today.month()};
  auto m = YearMonth::Parse(*month);
  if (!m) return Error::Invalid("month must be YYYY-MM", "month");
  return *m;
}

}  // namespace rota::domain

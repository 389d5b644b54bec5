// Date ranges of the cacheable reads, parsed and validated once for every caller
// (HTTP query parameters, warm-cache). Pure: "today" is passed in.
//
// Rules (api.md): `from` defaults to today; ranges are inclusive; `days` is
// 1..366 and defaults to 7; `to` before `from` -> 422 field `to`; a shift list
// spans at most 366 days and `to` defaults to from + 6. A value that does not
// parse is 422 with `field` naming the parameter. A range may not leave the
// years 0001..9999.
#pragma once

#include <optional>
#include <string_view>

#include "base/date.hpp"
#include "base/status.hpp"

namespace rota::domain {

struct DateRange {
  Date from;
  Date to;  // inclusive
  int days() const { return (to - from) + 1; }
};

inline constexpr int kMaxRangeDays = 366;
inline constexpr int kDefaultDays = 7;

// ?from=&days=  (dashboard, compliance)
Result<DateRange> ParseFromDays(std::optional<std::string_view> from, std::optional<std::string_view> days, Date today);
// ?from=&to=    (shift list)
Result<DateRange> ParseFromTo(std::optional<std::string_view> from, std::optional<std::string_view> to, Date today);
// ?month=YYYY-MM (monthly report; default the month of today)
Result<YearMonth> ParseMonth(std::optional<std::string_view> month, Date today);

}  // namespace rota::domain

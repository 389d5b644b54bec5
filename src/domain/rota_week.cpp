#include "domain/rota_week.hpp"

#include <cstdlib>
#include <string>

namespace rota::domain {

Result<Date> ParseWeekStart(std::optional<std::string_view> from, Date today) {
  if (!from) return today;
  auto d = Date::Parse(*from);
  if (!d) return Error::BadRequest("from must be a date YYYY-MM-DD", "from");
  if (std::abs(*d - today) > kWeekStartWindowDays)
    return Error::BadRequest(
        "from must be within " + std::to_string(kWeekStartWindowDays) + " days of today (" + today.ToString() + ")",
        "from");
  return *d;
}

DateRange WeekFrom(Date from) { return {from, from.AddDays(kWeekDays - 1)}; }

}  // namespace rota::domain

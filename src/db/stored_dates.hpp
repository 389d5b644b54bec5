// Dates read back from the database. Every write stores 'YYYY-MM-DD' text (or
// a DATE, which PostgreSQL prints the same way); a value that does not parse
// means the data was changed behind the service's back, and the read fails
// with 500 rather than show another date.
#pragma once

#include <string>
#include <string_view>

#include "base/date.hpp"
#include "base/status.hpp"

namespace rota::db {

class StoredDates {
 public:
  // The date of `text`; 1970-01-01 and a failed status() when it is not one.
  Date operator()(std::string_view text) {
    if (auto d = Date::Parse(text)) return *d;
    if (bad_.empty()) bad_ = text.empty() ? "(empty)" : std::string(text);
    return {};
  }
  Status status() const {
    return bad_.empty() ? Status::Ok() : Status(Error::Internal("a stored date is not a date: " + bad_));
  }

 private:
  std::string bad_;
};

}  // namespace rota::db

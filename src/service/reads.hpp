// The read use cases of api.md ("Cacheable reads"), each producing the exact
// JSON response body.
//
// Each read issues a small constant number of statements (at most 4) whatever
// the size of the range or of the home: joins and aggregates in SQL, and
// batched loads of child rows keyed by the same range filter, never a query per
// row. Results are the JSON bytes so that a cache can store and serve them as
// they are.
//
// Access: callers check CheckHome/CheckAdmin first (service/principal.hpp);
// these functions answer `not_found` for an unknown home. Thread-safe: each call
// leases its own connection from the pool.
#pragma once

#include <cstdint>
#include <string>

#include "base/date.hpp"
#include "base/status.hpp"
#include "db/database.hpp"
#include "domain/range.hpp"

namespace rota::service {

class ReadService {
 public:
  explicit ReadService(db::Pool& pool) : pool_(pool) {}

  Result<std::string> Dashboard(int64_t home_id, domain::DateRange range);
  Result<std::string> ShiftList(int64_t home_id, domain::DateRange range);
  Result<std::string> StaffList(int64_t home_id);
  Result<std::string> MonthlyReport(int64_t home_id, YearMonth month);
  Result<std::string> Compliance(int64_t home_id, domain::DateRange range);
  // Over all homes; "next 7 days" is today .. today + 6.
  Result<std::string> Stats(Date today);

 private:
  db::Pool& pool_;
};

}  // namespace rota::service

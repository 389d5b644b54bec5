// Owed cache invalidations: the outbox of the shared cache.
//
// A write commits its rows, then announces what it changed to the cache (the
// generation counters of service/cached_reads.hpp). A server killed between the
// two leaves cached answers that no later write may ever retire. So a write to
// a deployment with a shared cache also records what it will announce, in its
// own transaction: a row of cache_outbox (its homes and data families). The row
// exists exactly when the write committed. After announcing, the server deletes
// the row (in batches, service/owed_invalidations.hpp); a row left behind is an
// announcement owed by a server that died, and any server replays it (increments
// those counters again; one increment too many only costs a miss) and deletes it.
//
// Statements: Record one (an INSERT in the caller's transaction); Settle one
// DELETE per id, in one transaction; Owed one SELECT.
//
// REQUIRES: `c` is the caller's connection.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "base/status.hpp"
#include "db/database.hpp"

namespace rota::db {

struct OwedInvalidation {
  int64_t id = 0;
  std::set<int64_t> homes;
  unsigned families = 0;
};

// Records what the current transaction's write will announce; returns its id.
Result<int64_t> RecordOwed(Connection& c, const std::set<int64_t>& homes, unsigned families,
                           const std::string& now_timestamp);

// The owed rows created before `before_timestamp` (all: an empty string), oldest first.
Result<std::vector<OwedInvalidation>> LoadOwed(Connection& c, const std::string& before_timestamp);

// Deletes the rows `ids` (announced), in one transaction.
Status SettleOwed(Connection& c, const std::vector<int64_t>& ids);

}  // namespace rota::db

// Deterministic, realistic demo data (`rota seed`).
//
// The data is a pure function of SeedOptions: the same options give the same
// rows (ids, names, dates, timestamps and password hashes, whose salts come from
// the seed). It refuses a database that already has homes. Shape, per home:
// 4 units, `staff_per_home` staff (about 5% inactive) qualified for 1-3 units,
// 1-3 certifications each (some expired, some expiring soon), leave requests in
// all three statuses, and for every day 4 units x 3 shift types x 2 slots, about
// 85% staffed by an active, qualified, free member of the home who is not on
// approved leave; a few notes and swap links. Users: `admin` (administrator)
// and `manager1..N` (one per home), all with the given password.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/config.hpp"
#include "base/date.hpp"
#include "base/status.hpp"
#include "db/database.hpp"

namespace rota::service {

struct SeedOptions {
  int homes = 10;
  int staff_per_home = 40;
  int days = 120;
  Date start;  // first day with shifts (the CLI defaults it to today - 30)
  uint64_t seed = 42;
  std::string password = "rota-demo";
};

struct SeedSummary {
  int64_t homes = 0, units = 0, users = 0, staff = 0, certifications = 0, leave_requests = 0, shifts = 0,
          staffed_shifts = 0, notes = 0, links = 0;
};

// Progress: called now and then with (done, total) shifts written.
using SeedProgress = std::function<void(int64_t done, int64_t total)>;

// Migrates, then fills the database in one transaction.
Result<SeedSummary> Seed(db::Connection& conn, const SeedOptions& options, const SeedProgress& progress = {});
// The same on a connection of its own to the database of `config` (`rota seed`).
Result<SeedSummary> SeedDatabase(const Config& config, const SeedOptions& options, const SeedProgress& progress = {});

}  // namespace rota::service

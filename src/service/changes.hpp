// What a committed write changed, announced after commit.
//
// Every write use case fills a ChangeSet while it runs and hands it to the
// ChangeSink only after its transaction has committed: a rolled-back write
// announces nothing, a committed one always does. The caching layer is a sink
// (service/cached_reads.hpp: it bumps the generations of the homes and families
// changed). Where the cache is shared, what a write will announce is also
// recorded in its transaction (Prepare; service/owed_invalidations.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <string_view>

#include "base/status.hpp"
#include "db/database.hpp"

namespace rota::service {

// Data families: what a write changes and what a cached read shows. A write
// announces the families it changed; a read declares the families it shows
// (cached_reads.cpp), and a write retires exactly the cached answers whose
// families it touched. Each family is one table or a few columns of one:
enum Family : unsigned {
  kShifts = 1u << 0,          // shift rows: day, unit, type, who works it, who changed it
  kNotes = 1u << 1,           // shift_note
  kLinks = 1u << 2,           // shift_link (related shifts)
  kStaff = 1u << 3,           // staff rows: name, role, hours, active, primary unit
  kQualifications = 1u << 4,  // staff_qualified_unit
  kCertifications = 1u << 5,  // certification
  kLeave = 1u << 6,           // leave_request
  kUnits = 1u << 7,           // unit: names, minimum staff per shift
  kShiftTypes = 1u << 8,      // shift_type: names, times, hours
  kHome = 1u << 9,            // care_home: name
  kAllFamilies = (1u << 10) - 1,
};
inline constexpr int kFamilyCount = 10;

// The family of bit `i` (0 .. kFamilyCount-1) by name, as it appears in
// generation keys (`gen:h<home>:<name>`).
inline constexpr std::array<std::string_view, kFamilyCount> kFamilyNames = {
    "shifts", "notes", "links", "staff", "qualifications", "certifications", "leave", "units", "shift_types", "home"};

struct ChangeSet {
  std::set<int64_t> homes;  // homes whose data changed
  unsigned families = 0;    // Family bits changed (in every home of `homes`: a union)
  int64_t owed = 0;         // its cache_outbox row, when one was recorded (owed_invalidations.hpp)
  void Add(int64_t home, unsigned family) {
    homes.insert(home);
    families |= family;
  }
  bool empty() const { return homes.empty(); }
};

class ChangeSink {
 public:
  virtual ~ChangeSink() = default;
  // Called inside the write's transaction, before COMMIT, with what it will
  // announce; an error rolls the write back. May note what it recorded in
  // `changes` (owed_invalidations.hpp).
  virtual Status Prepare(db::Connection&, ChangeSet&) { return Status::Ok(); }
  // Called after commit, on the writing thread. Must not fail the write.
  // Returns whether the change was announced (false: it is owed, and the
  // outbox row stays until someone announces it).
  virtual bool Committed(const ChangeSet& changes) = 0;
};

class NullChangeSink final : public ChangeSink {
 public:
  bool Committed(const ChangeSet&) override { return true; }
};

}  // namespace rota::service

// What a committed write changed, announced after commit.
//
// Every write use case fills a ChangeSet while it runs and hands it to the
// ChangeSink only after its transaction has committed: a rolled-back write
// announces nothing, a committed one always does. The caching layer is a sink
// (it bumps per-home generations); until it exists the sink does nothing.
#pragma once

#include <cstdint>
#include <set>

namespace rota::service {

// Data families a write can touch; reads depend on a subset of them.
enum Family : unsigned {
  kShifts = 1u << 0,         // shift, shift_note, shift_link
  kStaff = 1u << 1,          // staff, staff_qualified_unit
  kCertifications = 1u << 2,
  kLeave = 1u << 3,
  kHome = 1u << 4,           // care_home, unit
  kAllFamilies = 0x1fu,
};

struct ChangeSet {
  std::set<int64_t> homes;  // homes whose data changed
  unsigned families = 0;
  void Add(int64_t home, unsigned family) {
    homes.insert(home);
    families |= family;
  }
  bool empty() const { return homes.empty(); }
};

class ChangeSink {
 public:
  virtual ~ChangeSink() = default;
  // Called after commit, on the writing thread. Must not fail the write.
  virtual void Committed(const ChangeSet& changes) = 0;
};

class NullChangeSink final : public ChangeSink {
 public:
  void Committed(const ChangeSet&) override {}
};

}  // namespace rota::service

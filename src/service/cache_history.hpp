// The last hour of cache traffic at a fixed resolution, for the monitoring
// page's chart: hits and misses of cacheable reads per slot of `kSlot` (10 s),
// kept in a ring of kSlots (360) slots — one hour, a few kilobytes, whatever
// the traffic.
//
// Record() is on the request path: an acquire load and one relaxed atomic add
// in the common case; only the first recorder of a new period (once per slot
// per 10 s) takes a mutex to zero the slot before publishing its period.
// Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "base/clock.hpp"
#include "base/mutex.hpp"

namespace rota::service {

struct HistoryPoint {
  int64_t start_unix = 0;  // the slot's first second (UTC)
  int64_t hits = 0;
  int64_t misses = 0;
};

class CacheHistory {
 public:
  static constexpr std::chrono::seconds kSlot{10};
  static constexpr size_t kSlots = 360;

  // Empty: the system clock.
  explicit CacheHistory(UnixSecondsClock clock = {}) : clock_(std::move(clock)) {}

  void Record(bool hit);
  // Every slot of the last hour, oldest first, ending with the current one
  // (slots nobody recorded in are zeros).
  std::vector<HistoryPoint> Last() const;

 private:
  struct Slot {
    std::atomic<int64_t> period{-1};
    std::atomic<int64_t> hits{0}, misses{0};
  };
  int64_t NowPeriod() const;

  UnixSecondsClock clock_;
  std::array<Slot, kSlots> slots_;
  Mutex reset_mu_;
};

}  // namespace rota::service

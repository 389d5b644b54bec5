#include "service/cache_history.hpp"

namespace rota::service {

int64_t CacheHistory::NowPeriod() const {
  int64_t now =
      clock_ ? clock_()
             : std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                   .count();
  return now / kSlot.count();
}

void CacheHistory::Record(bool hit) {
  int64_t period = NowPeriod();
  Slot& slot = slots_[static_cast<size_t>(period) % kSlots];
  if (slot.period.load(std::memory_order_acquire) != period) {
    // A new period for this slot: zero it, then publish the period, so that a
    // recorder that sees the period (fast path) always adds to zeroed counts.
    MutexLock lock(reset_mu_);
    int64_t seen = slot.period.load(std::memory_order_relaxed);
    if (seen > period) return;  // the clock went back over an hour: drop the count
    if (seen != period) {
      slot.hits.store(0, std::memory_order_relaxed);
      slot.misses.store(0, std::memory_order_relaxed);
      slot.period.store(period, std::memory_order_release);
    }
  }
  (hit ? slot.hits : slot.misses).fetch_add(1, std::memory_order_relaxed);
}

std::vector<HistoryPoint> CacheHistory::Last() const {
  int64_t now = NowPeriod();
  std::vector<HistoryPoint> out;
  out.reserve(kSlots);
  for (int64_t p = now - static_cast<int64_t>(kSlots) + 1; p <= now; ++p) {
    HistoryPoint point{p * kSlot.count(), 0, 0};
    if (p >= 0) {
      const Slot& slot = slots_[static_cast<size_t>(p) % kSlots];
      if (slot.period.load(std::memory_order_acquire) == p) {
        point.hits = slot.hits.load(std::memory_order_relaxed);
        point.misses = slot.misses.load(std::memory_order_relaxed);
      }
    }
    out.push_back(point);
  }
  return out;
}

}  // namespace rota::service

// The injectable time sources. Code that measures time takes one of these, so
// its tests advance a fake instead of sleeping (STYLE.md habit 14); an empty
// one means the real clock. Two kinds, named for what they measure:
//
//   MonotonicClock    std::chrono::steady_clock time points: TTLs, windows, deadlines
//                     (cache::MemoryCache, service::LoginThrottle). Never jumps.
//   UnixSecondsClock  wall-clock seconds since 1970: times shown to people
//                     (service::CacheHistory's per-10-second slots).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace rota {

using MonotonicClock = std::function<std::chrono::steady_clock::time_point()>;
using UnixSecondsClock = std::function<int64_t()>;

// `clock`'s time, or steady_clock's when it is empty.
inline std::chrono::steady_clock::time_point MonotonicNow(const MonotonicClock& clock) {
  return clock ? clock() : std::chrono::steady_clock::now();
}

}  // namespace rota

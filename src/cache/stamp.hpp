// Values stamped with the counters they were computed under.
//
// A cached answer depends on a few data families of one home (its shifts, its
// staff, ...), each with a generation counter that every write to that family
// increments (service/cached_reads.hpp). The answer is stored under a key that
// names no generation, its bytes followed by a trailer holding the generations
// that were current when its computation began. A reader fetches the counters
// and the value together (Cache::GetCurrent: one MGET on Redis) and takes the
// value only if its trailer equals the counters now. Because a counter only
// grows, a value computed before a write can never equal the counters after
// it: it is never served again, and the next value computed overwrites it under
// the same key, so dead generations do not pile up as keys.
//
// The trailer, appended so that the value is the stored string's prefix (taking
// it costs a copy of the value, nothing more, and checking it reads the tail only):
//   generation[0..n) as 8-byte little-endian integers, then n (1 byte), then kMagic.
// A value written without a stamp (or by another version of rota) does not end
// in a trailer with the same generations, so it reads as stale, never as current.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rota::cache {

// Generations one value may carry (the families a read can declare).
inline constexpr size_t kMaxStampedGenerations = 16;

// `value` followed by its trailer. REQUIRES: generations.size() <= kMaxStampedGenerations.
std::string Stamp(std::string value, std::span<const int64_t> generations);

// The length of the value in `stamped` if it was stamped with exactly
// `generations`; nullopt for any other stamp or none.
std::optional<size_t> StampedValueSize(std::string_view stamped, std::span<const int64_t> generations);

// The value of `stamped` (its trailer cut off in place) if it was stamped with
// exactly `generations`; nullopt otherwise.
std::optional<std::string> Unstamp(std::string stamped, std::span<const int64_t> generations);

}  // namespace rota::cache

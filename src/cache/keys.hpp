// Cache key building and key globs.
//
// A key names one cached answer: `<prefix>:<home>:v<format>:<hash>`, e.g.
// `dashboard:h1:v2:9f86d081884c7d65`. `<home>` is `h<id>`, or `global` for
// answers that span homes (home 0). `<format>` is the version of the bytes'
// format (service/cached_reads.hpp), so that two versions of rota sharing one
// Redis during a rolling deploy never read each other's answers. `<hash>` is the
// 16 lowercase hex digits of XXH3-64 of the request's canonical arguments.
// Keys name no generation: a value carries the generations it was computed
// under (stamp.hpp), and the answer computed after a write replaces it.
// Every key is made of [A-Za-z0-9:_.-], so it is also a valid glob of itself.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace rota::cache {

// Key prefixes, one per family of cached answers (the original design's).
namespace prefix {
inline constexpr std::string_view kDashboard = "dashboard";
inline constexpr std::string_view kStats = "stats";
inline constexpr std::string_view kShift = "shift";
inline constexpr std::string_view kStaff = "staff";
inline constexpr std::string_view kReport = "report";
inline constexpr std::string_view kCompliance = "compliance";
inline constexpr std::string_view kPage = "page";    // HTML fragments of pages (web/), alias template_fragments
inline constexpr std::string_view kHomes = "homes";  // GET /api/homes, keyed by the caller's scope
inline constexpr std::array<std::string_view, 8> kAll = {kDashboard, kStats,      kShift, kStaff,
                                                         kReport,    kCompliance, kPage,  kHomes};
}  // namespace prefix

// 16 lowercase hex digits of XXH3-64 of `bytes`.
std::string HashHex(std::string_view bytes);

// `<prefix>:h<home>:v<format>:<HashHex(args)>`; home 0 gives `<prefix>:global:...`.
// REQUIRES: prefix is made of [A-Za-z0-9_.-] (one of prefix::k*), home >= 0, format >= 0.
std::string Key(std::string_view prefix, int64_t home, int format, std::string_view args);

// The home segment of a key built by Key(): "h<id>" or "global" in
// `<prefix>:<home>:...`; empty for any other key (those belong to no home).
std::string_view HomeOfKey(std::string_view key);

// The kind of answer and its home, `<prefix>:<home>` of a key built by Key()
// (`shift:h1`): what the per-kind bound counts. Empty when HomeOfKey is.
std::string_view KindOfKey(std::string_view key);

// api.md's key glob: 1..128 characters of [A-Za-z0-9:_.*-].
bool ValidPattern(std::string_view pattern);

// Whether `key` matches `glob`: '*' matches any run of characters (also none,
// also ':'), every other character matches itself. Linear in practice;
// O(|key| * |glob|) at worst.
bool GlobMatch(std::string_view glob, std::string_view key);

}  // namespace rota::cache

// Fuzz target: bytes -> cache/keys.hpp (Key, ValidPattern, GlobMatch) and the
// memory:// backend's DeletePattern.
//
// Input: "<glob>\n<key>" (no newline: the whole input is both). The glob and
// key also pick a home, a format version and arguments for Key().
//
// Invariants:
//  - ValidPattern is exactly "1..128 characters of [A-Za-z0-9:_.*-]".
//  - GlobMatch agrees with a plain dynamic-programming matcher (when the
//    sizes keep that cheap), a glob matches itself, and a glob without '*'
//    matches only its own text. libFuzzer's -timeout catches any
//    backtracking blow-up on '*'-heavy globs.
//  - Key() is a valid pattern of itself and `<prefix>:h<home>:*` selects the
//    keys of exactly that home.
//  - MemoryCache::DeletePattern deletes exactly the stored values whose keys
//    GlobMatch the glob (none for an invalid glob) and never a counter.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cache/keys.hpp"
#include "cache/memory_cache.hpp"

namespace {

using rota::cache::GlobMatch;
using rota::cache::Key;
using rota::cache::ValidPattern;

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "cache_keys_fuzz: invariant failed: %s\n", what);
    std::abort();
  }
}

bool ReferenceValid(std::string_view p) {
  if (p.empty() || p.size() > 128) return false;
  for (unsigned char c : p)
    if (!(std::isalnum(c) || c == ':' || c == '_' || c == '.' || c == '*' || c == '-')) return false;
  return true;
}

// match[i][j]: glob[i..] matches key[j..].
bool ReferenceMatch(std::string_view g, std::string_view k) {
  std::vector<char> next(k.size() + 1, 0), cur(k.size() + 1, 0);
  next[k.size()] = 1;  // empty glob matches the empty rest only
  for (size_t i = g.size(); i-- > 0;) {
    for (size_t j = k.size() + 1; j-- > 0;) {
      if (g[i] == '*')
        cur[j] = next[j] || (j < k.size() && cur[j + 1]);
      else
        cur[j] = j < k.size() && g[i] == k[j] && next[j + 1];
    }
    std::swap(cur, next);
  }
  return next[0];
}

uint64_t Mix(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nl = in.find('\n');
  const std::string_view glob = in.substr(0, nl);
  const std::string_view key = nl == std::string_view::npos ? in : in.substr(nl + 1);

  const bool valid = ValidPattern(glob);
  Check(valid == ReferenceValid(glob), "ValidPattern is exactly the documented alphabet and length");

  const bool match = GlobMatch(glob, key);
  if (glob.size() * (key.size() + 1) <= 1 << 20) Check(match == ReferenceMatch(glob, key), "GlobMatch == reference");
  Check(GlobMatch(glob, glob), "a glob matches itself");
  if (glob.find('*') == std::string_view::npos) Check(match == (glob == key), "a glob without '*' is exact");

  // Keys as the reads build them.
  const uint64_t h = Mix(in);
  const auto prefix = rota::cache::prefix::kAll[h % rota::cache::prefix::kAll.size()];
  const int64_t home = static_cast<int64_t>((h >> 8) % 1000);
  const int64_t other_home = static_cast<int64_t>((h >> 24) % 1000);
  const int format = static_cast<int>(h >> 33);  // 31 bits: never negative
  const std::string k = Key(prefix, home, format, key);
  Check(ValidPattern(k) && GlobMatch(k, k), "a key is a valid glob of itself");
  Check(GlobMatch(fmt::format("{}:*", prefix), k), "the prefix glob selects the key");
  if (home > 0 && other_home > 0)
    Check(GlobMatch(fmt::format("{}:h{}:*", prefix, other_home), k) == (home == other_home),
          "a home's glob selects that home's keys only");

  // DeletePattern on memory://, against the same keys.
  rota::cache::CacheOptions options;
  options.max_entries = 64;
  options.max_entries_per_home = 64;  // no bound evicts any of the six keys below: only DeletePattern removes
  options.shards = 4;
  auto cache = rota::cache::NewMemoryCache(options);
  Check(cache.ok(), "memory cache");
  std::vector<std::string> keys = {k,
                                   std::string(key.substr(0, 256)),
                                   std::string(glob.substr(0, 256)),
                                   Key(prefix, other_home, format, glob),
                                   "dashboard:h1:v1:0123456789abcdef",
                                   "stats:global:v3:fedcba9876543210"};
  int64_t expected = 0;
  std::vector<bool> stored(keys.size(), false);
  for (size_t i = 0; i < keys.size(); ++i) {
    bool first = true;
    for (size_t j = 0; j < i; ++j) first = first && keys[j] != keys[i];
    if (!first) continue;
    (*cache)->Set(keys[i], "v", rota::cache::kNoExpiry);
    stored[i] = true;
    if (valid && GlobMatch(glob, keys[i])) ++expected;
  }
  (void)(*cache)->Incr("gen:h1");
  Check((*cache)->DeletePattern(glob) == expected, "DeletePattern deletes exactly the matching values");
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!stored[i]) continue;
    Check((*cache)->Get(keys[i]).has_value() == !(valid && GlobMatch(glob, keys[i])),
          "unmatched values stay, matched ones are gone");
  }
  Check((*cache)->Counter("gen:h1") == 1, "counters are never deleted by a pattern");
  return 0;
}

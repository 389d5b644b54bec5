#include "cache/keys.hpp"

#include <xxhash.h>

namespace rota::cache {

// Both run on every cached read, so they append by hand rather than through
// fmt (bench/NOTES.md).
std::string HashHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  uint64_t h = XXH3_64bits(bytes.data(), bytes.size());
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = kDigits[h & 0xf];
  return out;
}

std::string Key(std::string_view prefix, int64_t home, int format, std::string_view args) {
  std::string key;
  key.reserve(prefix.size() + 64);
  key.append(prefix);
  if (home == 0)
    key.append(":global");
  else
    key.append(":h").append(std::to_string(home));
  key.append(":v").append(std::to_string(format)).append(":").append(HashHex(args));
  return key;
}

std::string_view HomeOfKey(std::string_view key) {
  const size_t first = key.find(':');
  if (first == std::string_view::npos) return {};
  const size_t second = key.find(':', first + 1);
  if (second == std::string_view::npos) return {};
  std::string_view home = key.substr(first + 1, second - first - 1);
  if (home == "global") return home;
  if (home.size() < 2 || home[0] != 'h') return {};
  for (char c : home.substr(1))
    if (c < '0' || c > '9') return {};
  return home;
}

std::string_view KindOfKey(std::string_view key) {
  const std::string_view home = HomeOfKey(key);
  return key.substr(0, home.empty() ? 0 : static_cast<size_t>(home.data() + home.size() - key.data()));
}

namespace {
bool PatternChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_' ||
         c == '.' || c == '*' || c == '-';
}
}  // namespace

bool ValidPattern(std::string_view pattern) {
  if (pattern.empty() || pattern.size() > 128) return false;
  for (char c : pattern) {
    if (!PatternChar(c)) return false;
  }
  return true;
}

// Greedy matching with one backtrack point: on a mismatch, let the most recent
// '*' swallow one more character of the key and retry from there.
bool GlobMatch(std::string_view glob, std::string_view key) {
  size_t g = 0, k = 0;
  size_t star = std::string_view::npos;  // position in glob just after the last '*'
  size_t star_k = 0;                     // key position that '*' matched up to
  while (k < key.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star = ++g;
      star_k = k;
    } else if (g < glob.size() && glob[g] == key[k]) {
      ++g;
      ++k;
    } else if (star != std::string_view::npos) {
      g = star;
      k = ++star_k;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

}  // namespace rota::cache

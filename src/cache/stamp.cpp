#include "cache/stamp.hpp"

#include <cassert>

namespace rota::cache {
namespace {

constexpr char kMagic = '\xC5';  // "stamped, format 1"

void AppendLittleEndian(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i, v >>= 8) out.push_back(static_cast<char>(v & 0xff));
}

uint64_t ReadLittleEndian(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

std::string Stamp(std::string value, std::span<const int64_t> generations) {
  assert(generations.size() <= kMaxStampedGenerations);
  value.reserve(value.size() + 8 * generations.size() + 2);
  for (int64_t g : generations) AppendLittleEndian(value, static_cast<uint64_t>(g));
  value.push_back(static_cast<char>(generations.size()));
  value.push_back(kMagic);
  return value;
}

std::optional<size_t> StampedValueSize(std::string_view stamped, std::span<const int64_t> generations) {
  const size_t trailer = 8 * generations.size() + 2;
  if (stamped.size() < trailer || stamped.back() != kMagic ||
      static_cast<unsigned char>(stamped[stamped.size() - 2]) != generations.size())
    return std::nullopt;
  const size_t body = stamped.size() - trailer;
  for (size_t i = 0; i < generations.size(); ++i)
    if (ReadLittleEndian(stamped.data() + body + 8 * i) != static_cast<uint64_t>(generations[i])) return std::nullopt;
  return body;
}

std::optional<std::string> Unstamp(std::string stamped, std::span<const int64_t> generations) {
  auto size = StampedValueSize(stamped, generations);
  if (!size) return std::nullopt;
  stamped.resize(*size);
  return stamped;
}

}  // namespace rota::cache

#include "base/cidr.hpp"

#include <arpa/inet.h>

#include <charconv>

#include <fmt/format.h>

namespace rota {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether the first `bits` bits of a and b are equal.
bool SamePrefix(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  int i = 0;
  for (; bits >= 8; bits -= 8, ++i)
    if (a[static_cast<size_t>(i)] != b[static_cast<size_t>(i)]) return false;
  if (bits == 0) return true;
  auto mask = static_cast<uint8_t>(0xFF << (8 - bits));
  return (a[static_cast<size_t>(i)] & mask) == (b[static_cast<size_t>(i)] & mask);
}

}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string s(text);  // inet_pton wants a NUL-terminated string
  IpAddress out;
  in_addr v4{};
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out.v4 = true;
    out.bytes[10] = out.bytes[11] = 0xFF;
    const auto* b = reinterpret_cast<const uint8_t*>(&v4.s_addr);
    std::copy(b, b + 4, out.bytes.begin() + 12);
    return out;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, s.c_str(), &v6) != 1) return std::nullopt;
  std::copy(v6.s6_addr, v6.s6_addr + 16, out.bytes.begin());
  static constexpr std::array<uint8_t, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  out.v4 = std::equal(kMapped.begin(), kMapped.end(), out.bytes.begin());
  return out;
}

Result<CidrSet> CidrSet::Parse(std::string_view list) {
  CidrSet set;
  while (!Trim(list).empty()) {
    size_t comma = list.find(',');
    std::string_view entry = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    auto bad = [&](std::string_view why) {
      return Error::Invalid(fmt::format("'{}' is not an address or CIDR range: {}", entry, why));
    };
    if (entry.empty()) return bad("empty entry");
    size_t slash = entry.find('/');
    auto address = IpAddress::Parse(entry.substr(0, slash));
    if (!address) return bad("not an IPv4 or IPv6 address");
    int width = address->v4 ? 32 : 128;
    int prefix = width;
    if (slash != std::string_view::npos) {
      std::string_view digits = entry.substr(slash + 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || prefix < 0 || prefix > width)
        return bad(fmt::format("the prefix length must be 0..{}", width));
    }
    Range r{*address, prefix + (128 - width)};
    // No host bits below the prefix.
    std::array<uint8_t, 16> zeroed = r.base.bytes;
    for (int bit = r.prefix; bit < 128; ++bit)
      zeroed[static_cast<size_t>(bit / 8)] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
    if (zeroed != r.base.bytes) return bad("it has bits set after the prefix length");
    set.ranges_.push_back(r);
  }
  return set;
}

bool CidrSet::Contains(const IpAddress& a) const {
  for (const Range& r : ranges_)
    if (SamePrefix(r.base.bytes, a.bytes, r.prefix)) return true;
  return false;
}

bool CidrSet::Contains(std::string_view address) const {
  auto a = IpAddress::Parse(address);
  return a && Contains(*a);
}

std::string CidrSet::ClientAddress(std::string_view peer, std::string_view forwarded_for) const {
  std::string client(peer);
  if (ranges_.empty() || !Contains(peer)) return client;
  // From the right: the last entry was appended by the trusted peer itself.
  while (!forwarded_for.empty()) {
    size_t comma = forwarded_for.rfind(',');
    std::string_view hop = Trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    auto address = IpAddress::Parse(hop);
    if (!address) break;  // garbage: the last trusted hop is as far as we can believe
    client.assign(hop);
    if (!Contains(*address)) break;
  }
  return client;
}

}  // namespace rota

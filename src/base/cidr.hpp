// IP address ranges in CIDR notation, for the trusted-proxy setting.
//
// CidrSet::Parse("10.0.0.0/8, 192.168.1.7, ::1, fd00::/8") accepts a comma-
// separated list of IPv4 or IPv6 addresses, each with an optional prefix
// length (an address alone is /32 or /128). Host bits set below the prefix
// ("10.1.2.3/8") are an error, as a typo there would trust more or fewer
// addresses than meant. An IPv4-mapped IPv6 address (::ffff:10.1.2.3) is
// matched as its IPv4 address.
//
// ClientAddress() is the address a request came from when it may have passed
// through proxies: the peer's address unless the peer is trusted; then the
// X-Forwarded-For list is walked from the right (each proxy appends the
// address it received from), skipping trusted hops, and the first untrusted
// address is the client. A malformed entry stops the walk at the last trusted
// hop (a client can write anything at the left of the list, but not at the
// right of what a trusted proxy appended).
// Immutable after Parse; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.hpp"

namespace rota {

// An IPv4 or IPv6 address as 16 bytes (IPv4 mapped into ::ffff:0:0/96).
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool v4 = false;

  // Dotted quad or RFC 4291 text (no zone id, no brackets); nullopt otherwise.
  static std::optional<IpAddress> Parse(std::string_view text);
};

class CidrSet {
 public:
  // An empty string is the empty set. A bad entry -> Error::Invalid naming it.
  static Result<CidrSet> Parse(std::string_view list);

  bool empty() const { return ranges_.empty(); }
  bool Contains(const IpAddress& a) const;
  bool Contains(std::string_view address) const;

  // See above. `peer` is the connection's address; `forwarded_for` the
  // X-Forwarded-For header (empty when absent). Returns `peer` unchanged when
  // it is not trusted.
  std::string ClientAddress(std::string_view peer, std::string_view forwarded_for) const;

 private:
  struct Range {
    IpAddress base;
    int prefix = 0;  // in bits of the 16-byte form
  };
  std::vector<Range> ranges_;
};

}  // namespace rota

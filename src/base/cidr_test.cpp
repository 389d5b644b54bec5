#include "base/cidr.hpp"

#include <gtest/gtest.h>

namespace rota {
namespace {

CidrSet Set(std::string_view list) {
  auto s = CidrSet::Parse(list);
  EXPECT_TRUE(s) << list << ": " << (s ? "" : s.error().message);
  return s ? *s : CidrSet{};
}

TEST(Cidr, RangesContainTheirAddressesOnly) {
  CidrSet s = Set("10.0.0.0/8, 192.168.1.7 ,fd00::/8, ::1");
  EXPECT_TRUE(s.Contains("10.255.3.4"));
  EXPECT_TRUE(s.Contains("192.168.1.7"));
  EXPECT_FALSE(s.Contains("192.168.1.8"));
  EXPECT_FALSE(s.Contains("11.0.0.1"));
  EXPECT_TRUE(s.Contains("fd12:3456::1"));
  EXPECT_FALSE(s.Contains("fe80::1"));
  EXPECT_TRUE(s.Contains("::1"));
  EXPECT_TRUE(s.Contains("::ffff:10.1.2.3"));  // IPv4-mapped IPv6 is its IPv4 address
  EXPECT_FALSE(s.Contains("not an address"));
  EXPECT_FALSE(s.Contains(""));
}

TEST(Cidr, PrefixZeroTrustsEverythingOfItsFamily) {
  CidrSet s = Set("0.0.0.0/0");
  EXPECT_TRUE(s.Contains("203.0.113.9"));
  EXPECT_FALSE(s.Contains("2001:db8::1"));
}

TEST(Cidr, OddPrefixLengthsCompareBits) {
  CidrSet s = Set("172.16.0.0/12");
  EXPECT_TRUE(s.Contains("172.31.255.255"));
  EXPECT_FALSE(s.Contains("172.32.0.0"));
  EXPECT_FALSE(s.Contains("172.15.255.255"));
}

TEST(Cidr, BadEntriesAreRefusedNamingThem) {
  for (std::string_view bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "10.1.2.3/8", "300.1.1.1",
                               "10.0.0.0/8,,10.1.0.0/16", "::1/129", "fe80::1%eth0", "localhost", "[::1]"}) {
    auto s = CidrSet::Parse(bad);
    EXPECT_FALSE(s) << bad;
    if (!s) {
      EXPECT_EQ(s.error().code, ErrorCode::kInvalid) << bad;
    }
  }
  auto s = CidrSet::Parse("10.0.0.0/8, 10.1.2.3/8");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("10.1.2.3/8"), std::string::npos) << s.error().message;
  EXPECT_TRUE(CidrSet::Parse("")->empty());
  EXPECT_TRUE(CidrSet::Parse("  ")->empty());
}

TEST(Cidr, ClientAddressIsThePeerUnlessThePeerIsTrusted) {
  CidrSet none;
  EXPECT_EQ(none.ClientAddress("10.0.0.5", "1.2.3.4"), "10.0.0.5");
  CidrSet s = Set("10.0.0.0/8");
  EXPECT_EQ(s.ClientAddress("203.0.113.9", "1.2.3.4"),
            "203.0.113.9");                                // an untrusted peer cannot claim another address
  EXPECT_EQ(s.ClientAddress("10.0.0.5", ""), "10.0.0.5");  // trusted, but no header
}

TEST(Cidr, ClientAddressWalksForwardedForFromTheRightSkippingTrustedHops) {
  CidrSet s = Set("10.0.0.0/8");
  EXPECT_EQ(s.ClientAddress("10.0.0.5", "198.51.100.7"), "198.51.100.7");
  // The client wrote a fake first entry; the trusted proxy appended the real one.
  EXPECT_EQ(s.ClientAddress("10.0.0.5", "6.6.6.6, 198.51.100.7"), "198.51.100.7");
  // Two trusted hops (a balancer, then nginx) before the client.
  EXPECT_EQ(s.ClientAddress("10.0.0.5", "6.6.6.6, 198.51.100.7, 10.2.3.4"), "198.51.100.7");
  // Every hop trusted: the leftmost is as far as we know.
  EXPECT_EQ(s.ClientAddress("10.0.0.5", "10.9.9.9,10.2.3.4"), "10.9.9.9");
  // Garbage stops the walk at the last trusted hop.
  EXPECT_EQ(s.ClientAddress("10.0.0.5", "198.51.100.7, junk"), "10.0.0.5");
  EXPECT_EQ(s.ClientAddress("10.0.0.5", "junk, 10.2.3.4"), "10.2.3.4");
  EXPECT_EQ(s.ClientAddress("10.0.0.5", "2001:db8::7"), "2001:db8::7");
}

}  // namespace
}  // namespace rota

// Accept-Encoding negotiation (RFC 9110 §12.5.3) and the validators of the two
// representations of a compressed answer.
#include "http/encoding.hpp"

#include <gtest/gtest.h>

namespace rota::http {
namespace {

bool Gzip(const char* header) { return GzipWanted(std::string_view(header)); }

TEST(AcceptEncoding, NoHeaderGetsIdentity) { EXPECT_FALSE(GzipWanted(std::nullopt)); }

TEST(AcceptEncoding, EmptyHeaderMeansNoCodingAtAll) {
  EXPECT_FALSE(Gzip(""));
  EXPECT_FALSE(Gzip(" , ,"));
  EXPECT_EQ(ParseAcceptEncoding("").identity, 1000);
}

TEST(AcceptEncoding, WhatBrowsersAndToolsSend) {
  EXPECT_TRUE(Gzip("gzip"));
  EXPECT_TRUE(Gzip("gzip, deflate, br"));        // Chromium, Firefox
  EXPECT_TRUE(Gzip("gzip, deflate, br, zstd"));  // newer Chromium
  EXPECT_TRUE(Gzip("deflate, gzip"));            // curl --compressed
  EXPECT_TRUE(Gzip("gzip;q=1.0, identity; q=0.5, *;q=0"));
  EXPECT_FALSE(Gzip("identity"));  // Python http.client (when asked), wrk without -H
}

TEST(AcceptEncoding, BrotliOnlyGetsIdentity) {
  EXPECT_FALSE(Gzip("br"));
  EXPECT_FALSE(Gzip("br, zstd, deflate"));
}

TEST(AcceptEncoding, CodingsAreCaseInsensitiveAndXGzipIsGzip) {
  EXPECT_TRUE(Gzip("GZIP"));
  EXPECT_TRUE(Gzip("GZip;Q=0.5"));
  EXPECT_TRUE(Gzip("x-gzip"));
  EXPECT_FALSE(Gzip("Identity, gzip;q=0.9"));
}

TEST(AcceptEncoding, QZeroMeansNotAcceptable) {
  EXPECT_FALSE(Gzip("gzip;q=0"));
  EXPECT_FALSE(Gzip("gzip;q=0.000"));
  EXPECT_FALSE(Gzip("gzip; q=0, identity"));
  EXPECT_FALSE(Gzip("*, gzip;q=0"));  // the explicit entry beats `*`
  EXPECT_TRUE(Gzip("gzip;q=0.001"));
}

TEST(AcceptEncoding, StarCoversWhatIsNotListed) {
  EXPECT_TRUE(Gzip("*"));
  EXPECT_FALSE(Gzip("*;q=0"));  // refuses everything, identity too: identity is sent anyway
  EXPECT_EQ(ParseAcceptEncoding("*;q=0").identity, 0);
  EXPECT_EQ(ParseAcceptEncoding("*;q=0, identity").identity, 1000);
  EXPECT_TRUE(Gzip("*;q=0.3"));  // gzip and identity tie at 0.3: the smaller one
  EXPECT_TRUE(Gzip("br, *;q=0.1"));
}

TEST(AcceptEncoding, IdentityRefusedOrPreferred) {
  EXPECT_TRUE(Gzip("identity;q=0, gzip"));
  EXPECT_TRUE(Gzip("gzip;q=0.1, identity;q=0"));
  EXPECT_FALSE(Gzip("gzip;q=0.5, identity"));       // identity is weighted higher
  EXPECT_TRUE(Gzip("gzip;q=0.5, identity;q=0.5"));  // a tie
  EXPECT_FALSE(Gzip("gzip;q=0.4, *;q=0.8"));        // `*` weighs identity above gzip
}

TEST(AcceptEncoding, WhitespaceAndEmptyElements) {
  EXPECT_TRUE(Gzip("  gzip  "));
  EXPECT_TRUE(Gzip("\tbr ,\t gzip ; q=0.8 ,"));
  EXPECT_TRUE(Gzip(",,gzip,,"));
  EXPECT_EQ(ParseAcceptEncoding(" gzip ;\tq=0.25 ").gzip, 250);
}

TEST(AcceptEncoding, WeightsParseToThousandths) {
  EXPECT_EQ(ParseAcceptEncoding("gzip").gzip, 1000);
  EXPECT_EQ(ParseAcceptEncoding("gzip;q=1").gzip, 1000);
  EXPECT_EQ(ParseAcceptEncoding("gzip;q=1.000").gzip, 1000);
  EXPECT_EQ(ParseAcceptEncoding("gzip;q=0.5").gzip, 500);
  EXPECT_EQ(ParseAcceptEncoding("gzip;q=0.05").gzip, 50);
  EXPECT_EQ(ParseAcceptEncoding("gzip;q=0.123").gzip, 123);
  EXPECT_EQ(ParseAcceptEncoding("gzip;q=0.").gzip, 0);
}

TEST(AcceptEncoding, MalformedElementsAreIgnored) {
  // Each bad weight drops its element: gzip is then simply not listed.
  for (const char* bad : {"gzip;q=1.5", "gzip;q=2", "gzip;q=0.1234", "gzip;q=-1", "gzip;q=", "gzip;q=abc",
                          "gzip;level=9", "gzip;q", "gzip;;q=1", "gzip ;", "gz ip", "\"gzip\""})
    EXPECT_FALSE(Gzip(bad)) << bad;
  EXPECT_TRUE(Gzip("gzip;q=7, gzip"));  // the bad one is skipped, the good one counts
  EXPECT_TRUE(Gzip("br;q=x, gzip"));
}

TEST(AcceptEncoding, ACodingListedTwiceTakesItsFirstWeight) {
  EXPECT_FALSE(Gzip("gzip;q=0, gzip"));
  EXPECT_TRUE(Gzip("gzip, gzip;q=0"));
}

TEST(Etags, TheGzipRepresentationHasItsOwn) {
  EXPECT_EQ(GzipEtag("\"0123456789abcdef\""), "\"0123456789abcdef-gz\"");
  EXPECT_NE(GzipEtag("\"x\""), "\"x\"");
}

TEST(IfNoneMatch, MatchesOnlyTheRepresentationSent) {
  const std::string id = "\"0123456789abcdef\"", gz = GzipEtag(id);
  EXPECT_TRUE(IfNoneMatchMatches(id, id));
  EXPECT_TRUE(IfNoneMatchMatches(gz, gz));
  EXPECT_FALSE(IfNoneMatchMatches(id, gz));
  EXPECT_FALSE(IfNoneMatchMatches(gz, id));
  EXPECT_TRUE(IfNoneMatchMatches(id + ", " + gz, gz));  // a client holding both
  EXPECT_TRUE(IfNoneMatchMatches("\"a\" ,\t" + id, id));
  EXPECT_TRUE(IfNoneMatchMatches("W/" + gz, gz));  // weak comparison (RFC 9110 §13.1.2)
  EXPECT_TRUE(IfNoneMatchMatches(" * ", gz));
  EXPECT_FALSE(IfNoneMatchMatches("\"stale\"", id));
  EXPECT_FALSE(IfNoneMatchMatches("", id));
  EXPECT_FALSE(IfNoneMatchMatches("0123456789abcdef", id));  // unquoted: not an entity tag
  EXPECT_FALSE(IfNoneMatchMatches("\"0123456789abcdef", id));
  EXPECT_FALSE(IfNoneMatchMatches("\"0123456789abcdef\"x", "\"x\""));
}

}  // namespace
}  // namespace rota::http

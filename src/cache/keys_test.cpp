#include "cache/keys.hpp"

#include <string>

#include <gtest/gtest.h>

namespace rota::cache {
namespace {

TEST(HashHex, IsSixteenLowercaseHexDigitsOfXxh3) {
  EXPECT_EQ(HashHex(""), "2d06800538d394c2");  // XXH3-64 of no bytes, seed 0
  // printf("%016llx", XXH3_64bits(...)) with libxxhash: leading zeros are kept.
  EXPECT_EQ(HashHex("k486"), "0094110231623408");
  const std::string h = HashHex("days=7");
  EXPECT_EQ(h.size(), 16u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(HashHex("days=7"), h);
  EXPECT_NE(HashHex("days=14"), h);
}

TEST(Key, NamesPrefixHomeFormatAndArgumentHash) {
  EXPECT_EQ(Key(prefix::kDashboard, 1, 7, "days=7"), "dashboard:h1:v7:" + HashHex("days=7"));
  EXPECT_EQ(Key(prefix::kReport, 12, 1, ""), "report:h12:v1:" + HashHex(""));
}

TEST(Key, HomeZeroIsGlobal) { EXPECT_EQ(Key(prefix::kStats, 0, 3, "x"), "stats:global:v3:" + HashHex("x")); }

TEST(Key, DifferentArgumentsHomesOrFormatsGiveDifferentKeys) {
  const std::string base = Key(prefix::kShift, 1, 1, "a");
  EXPECT_NE(Key(prefix::kShift, 1, 1, "b"), base);
  EXPECT_NE(Key(prefix::kShift, 2, 1, "a"), base);
  EXPECT_NE(Key(prefix::kShift, 1, 2, "a"), base);
  EXPECT_NE(Key(prefix::kStaff, 1, 1, "a"), base);
}

TEST(Key, EveryKeyIsAValidPatternMatchingItself) {
  for (std::string_view p : prefix::kAll) {
    const std::string key = Key(p, 42, 9, "anything at all / ?*");
    EXPECT_TRUE(ValidPattern(key)) << key;
    EXPECT_TRUE(GlobMatch(key, key)) << key;
  }
}

TEST(Key, AHomeGlobDoesNotCatchALongerHomeId) {
  EXPECT_TRUE(GlobMatch("dashboard:h1:*", Key(prefix::kDashboard, 1, 1, "")));
  EXPECT_FALSE(GlobMatch("dashboard:h1:*", Key(prefix::kDashboard, 11, 1, "")));
  EXPECT_TRUE(GlobMatch("*:h1:*", Key(prefix::kCompliance, 1, 5, "")));
}

TEST(HomeOfKey, IsTheHomeSegmentOfBuiltKeysOnly) {
  EXPECT_EQ(HomeOfKey(Key(prefix::kDashboard, 12, 3, "x")), "h12");
  EXPECT_EQ(HomeOfKey(Key(prefix::kStats, 0, 1, "x")), "global");
  EXPECT_EQ(HomeOfKey("shift:h7:g1"), "h7");
  for (std::string_view other : {"", "k1", "a:b", "a:h1", "a:h:g1", "a:hx1:g1", "a:h1x:g1"})
    EXPECT_EQ(HomeOfKey(other), "") << other;
  EXPECT_EQ(HomeOfKey(":h1:"), "h1");  // an empty prefix still names a home segment
}

TEST(KindOfKey, IsThePrefixAndHomeOfBuiltKeysOnly) {
  EXPECT_EQ(KindOfKey(Key(prefix::kShift, 12, 3, "x")), "shift:h12");
  EXPECT_EQ(KindOfKey(Key(prefix::kStats, 0, 1, "x")), "stats:global");
  for (std::string_view other : {"", "k1", "a:b", "a:h1", "a:hx1:g1"}) EXPECT_EQ(KindOfKey(other), "") << other;
}

TEST(ValidPattern, AcceptsTheApiCharacterSetUpTo128) {
  EXPECT_TRUE(ValidPattern("*"));
  EXPECT_TRUE(ValidPattern("dashboard:h1:*"));
  EXPECT_TRUE(ValidPattern("A-Z_a.z:0-9*"));
  EXPECT_TRUE(ValidPattern(std::string(128, 'a')));
}

TEST(ValidPattern, RejectsEmptyTooLongAndOtherCharacters) {
  EXPECT_FALSE(ValidPattern(""));
  EXPECT_FALSE(ValidPattern(std::string(129, 'a')));
  for (const char* p : {"a b", "a?", "a[bc]", "a/b", "a\\*", "ä", "a\n", "{a,b}", "a+"}) {
    EXPECT_FALSE(ValidPattern(p)) << p;
  }
  EXPECT_FALSE(ValidPattern(std::string("a\0b", 3)));
}

TEST(GlobMatch, StarMatchesAnyRunIncludingNone) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "a:b:c"));
  EXPECT_TRUE(GlobMatch("a*", "a"));
  EXPECT_TRUE(GlobMatch("*c", "abc"));
  EXPECT_TRUE(GlobMatch("a*b*c", "a-x-b-y-c"));
  EXPECT_TRUE(GlobMatch("a**c", "ac"));
  EXPECT_FALSE(GlobMatch("a*", "ba"));
  EXPECT_FALSE(GlobMatch("a*c", "abcd"));
}

TEST(GlobMatch, WithoutStarIsEquality) {
  EXPECT_TRUE(GlobMatch("abc", "abc"));
  EXPECT_FALSE(GlobMatch("abc", "abcd"));
  EXPECT_FALSE(GlobMatch("abcd", "abc"));
  EXPECT_FALSE(GlobMatch("abc", "ABC"));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
}

TEST(GlobMatch, BacktracksWhenTheFirstChoiceFails) {
  EXPECT_TRUE(GlobMatch("*ab", "aaab"));
  EXPECT_TRUE(GlobMatch("a*ab", "aaab"));
  EXPECT_TRUE(GlobMatch("*a*b", "xaxxab"));
  EXPECT_FALSE(GlobMatch("*a*b", "xaxxa"));
}

TEST(GlobMatch, DotAndDashAreLiterals) {
  EXPECT_TRUE(GlobMatch("a.b", "a.b"));
  EXPECT_FALSE(GlobMatch("a.b", "axb"));
  EXPECT_FALSE(GlobMatch("a-c", "abc"));
}

}  // namespace
}  // namespace rota::cache

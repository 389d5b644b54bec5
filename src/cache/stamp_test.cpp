#include "cache/stamp.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace rota::cache {
namespace {

TEST(Stamp, AValueComesBackOnlyUnderExactlyItsGenerations) {
  const std::vector<int64_t> g = {1764000000000000, 7, 0};
  const std::string stamped = Stamp("body", g);
  EXPECT_EQ(Unstamp(stamped, g), "body");
  EXPECT_EQ(StampedValueSize(stamped, g), 4u);
  for (size_t i = 0; i < g.size(); ++i) {
    auto moved = g;
    ++moved[i];
    EXPECT_EQ(Unstamp(stamped, moved), std::nullopt) << "generation " << i << " moved";
  }
  EXPECT_EQ(Unstamp(stamped, std::vector<int64_t>(g.begin(), g.begin() + 2)), std::nullopt) << "fewer generations";
  EXPECT_EQ(Unstamp(stamped, {}), std::nullopt) << "none";
}

TEST(Stamp, NoGenerationsAndEmptyValuesAreStampsToo) {
  EXPECT_EQ(Unstamp(Stamp("", {}), {}), "");
  EXPECT_EQ(Unstamp(Stamp("x", {}), {}), "x");
  const std::vector<int64_t> g = {-1, INT64_MAX, INT64_MIN};
  EXPECT_EQ(Unstamp(Stamp("", g), g), "");
}

TEST(Stamp, BytesThatAreNotAStampNeverReadAsCurrent) {
  const std::vector<int64_t> none;
  const std::vector<int64_t> one = {5};
  for (const std::string& raw : {std::string(), std::string("\xC5"), std::string("\x00\xC5", 2), std::string("plain"),
                                 Stamp("v", one).substr(0, 9), Stamp("v", one) + "x"}) {
    EXPECT_EQ(Unstamp(raw, one), std::nullopt) << raw.size();
  }
  // A stamp of no generations is exactly two bytes; an unstamped value ending
  // in them reads as such, which is why GetCurrent is always given counters.
  EXPECT_EQ(Unstamp(std::string("\x00\xC5", 2), none), "");
}

TEST(Stamp, TheValueIsAPrefixOfTheStoredBytes) {
  const std::vector<int64_t> g(kMaxStampedGenerations, 42);
  const std::string big(100000, 'z');
  const std::string stamped = Stamp(big, g);
  EXPECT_EQ(stamped.substr(0, big.size()), big);
  EXPECT_EQ(stamped.size(), big.size() + 8 * g.size() + 2);
  EXPECT_EQ(Unstamp(stamped, g), big);
}

}  // namespace
}  // namespace rota::cache

#include "base/date.hpp"

#include <gtest/gtest.h>

namespace rota {
namespace {

TEST(Date, ParsesOnlyRealDatesInStrictForm) {
  EXPECT_EQ(Date::Parse("2026-11-28")->ToString(), "2026-11-28");
  for (const char* edge : {"0001-01-01", "0999-10-09", "9999-12-31", "2000-02-29"})
    EXPECT_EQ(Date::Parse(edge)->ToString(), edge);
  EXPECT_TRUE(Date::Parse("2024-02-29"));
  for (const char* bad : {"2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-11-28",
                          "2026-11-28x", " 2026-11-28", "0000-01-01", "yesterday", "", "2026/11/28"})
    EXPECT_FALSE(Date::Parse(bad)) << bad;
}

TEST(Date, ArithmeticCrossesMonthsAndYears) {
  auto d = *Date::Parse("2026-12-30");
  EXPECT_EQ(d.AddDays(3).ToString(), "2027-01-02");
  EXPECT_EQ(*Date::Parse("2027-01-02") - d, 3);
  EXPECT_EQ(d.FirstOfMonth().ToString(), "2026-12-01");
  EXPECT_EQ(Date::Parse("2024-02-10")->DaysInMonth(), 29);
}

TEST(YearMonth, ParsesAndSpansTheMonth) {
  auto m = YearMonth::Parse("2026-02");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->First().ToString(), "2026-02-01");
  EXPECT_EQ(m->Last().ToString(), "2026-02-28");
  EXPECT_FALSE(YearMonth::Parse("2026-13"));
  EXPECT_FALSE(YearMonth::Parse("2026-1"));
}

TEST(Timestamps, RoundTripThroughSeconds) {
  EXPECT_EQ(ParseTimestamp("1970-01-02T00:00:01Z"), 86401);
  EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2026-11-28T08:09:10Z")), "2026-11-28T08:09:10Z");
  EXPECT_FALSE(ParseTimestamp("2026-11-28 08:09:10"));
  EXPECT_FALSE(ParseTimestamp("2026-11-28T25:00:00Z"));
}

TEST(Timestamps, PostgresFormIsNormalised) {
  EXPECT_EQ(NormalizeTimestamp("2026-11-28 08:00:00+00"), "2026-11-28T08:00:00Z");
  EXPECT_EQ(NormalizeTimestamp("2026-11-28T08:00:00Z"), "2026-11-28T08:00:00Z");
}

}  // namespace
}  // namespace rota

#include "domain/range.hpp"

#include <gtest/gtest.h>

namespace rota::domain {
namespace {

const Date kToday = *Date::Parse("2026-11-28");

TEST(Range, DefaultsToSevenDaysFromToday) {
  auto r = ParseFromDays(std::nullopt, std::nullopt, kToday);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->from.ToString(), "2026-11-28");
  EXPECT_EQ(r->to.ToString(), "2026-12-04");
  EXPECT_EQ(r->days(), 7);
  auto s = ParseFromTo("2026-12-30", std::nullopt, kToday);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->to.ToString(), "2027-01-05");
}

TEST(Range, DaysMustBeOneTo366) {
  EXPECT_TRUE(ParseFromDays(std::nullopt, "1", kToday));
  EXPECT_TRUE(ParseFromDays(std::nullopt, "366", kToday));
  for (const char* bad : {"0", "367", "-1", "abc", "", "7.5", "1e2", "99999999999999999999", " 7"}) {
    auto r = ParseFromDays(std::nullopt, bad, kToday);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(r.error().field, "days");
  }
}

TEST(Range, ToBeforeFromAndOverlongRangesAreRejectedOnTo) {
  auto r = ParseFromTo("2026-11-28", "2026-11-27", kToday);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "to");
  EXPECT_TRUE(ParseFromTo("2026-01-01", "2027-01-01", kToday));  // 366 days
  r = ParseFromTo("2026-01-01", "2027-01-02", kToday);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "to");
}

TEST(Range, RangesCannotLeaveTheCalendar) {
  EXPECT_FALSE(ParseFromDays("9999-12-30", "5", kToday));
  EXPECT_TRUE(ParseFromDays("9999-12-30", "2", kToday));
  auto r = ParseFromDays("2026-02-30", std::nullopt, kToday);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "from");
}

TEST(Range, MonthDefaultsToTodaysMonth) {
  EXPECT_EQ(ParseMonth(std::nullopt, kToday)->ToString(), "2026-11");
  EXPECT_EQ(ParseMonth("2025-02", kToday)->ToString(), "2025-02");
  auto r = ParseMonth("2025-2", kToday);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "month");
}

}  // namespace
}  // namespace rota::domain

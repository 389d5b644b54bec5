#include "service/cache_history.hpp"

#include <thread>

#include <gtest/gtest.h>

namespace rota::service {
namespace {

TEST(CacheHistory, CountsLandInTheSlotOfTheirTimeAndAnHourIsKept) {
  int64_t now = 1'800'000'000;  // a multiple of 10
  CacheHistory h([&] { return now; });
  h.Record(true);
  h.Record(false);
  now += 10;
  h.Record(true);
  auto points = h.Last();
  ASSERT_EQ(points.size(), CacheHistory::kSlots);
  EXPECT_EQ(points.back().start_unix, now);
  EXPECT_EQ(points.back().hits, 1);
  EXPECT_EQ(points.back().misses, 0);
  EXPECT_EQ(points[points.size() - 2].hits, 1);
  EXPECT_EQ(points[points.size() - 2].misses, 1);
  EXPECT_EQ(points.front().start_unix, now - 3590);
}

TEST(CacheHistory, ASlotReusedAnHourLaterStartsFromZero) {
  int64_t now = 1'800'000'000;
  CacheHistory h([&] { return now; });
  for (int i = 0; i < 5; ++i) h.Record(true);
  now += 3600;  // the same ring slot, a new period
  h.Record(false);
  auto points = h.Last();
  EXPECT_EQ(points.back().hits, 0);
  EXPECT_EQ(points.back().misses, 1);
  int64_t total = 0;
  for (const auto& p : points) total += p.hits + p.misses;
  EXPECT_EQ(total, 1);  // the old period is older than an hour: gone
}

TEST(CacheHistory, ConcurrentRecordersAreAllCountedWithinOnePeriod) {
  int64_t now = 1'800'000'005;
  CacheHistory h([&] { return now; });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) h.Record(i % 4 != 0);
    });
  for (auto& t : threads) t.join();
  auto last = h.Last().back();
  EXPECT_EQ(last.hits + last.misses, 40000);
  EXPECT_EQ(last.misses, 10000);
}

}  // namespace
}  // namespace rota::service

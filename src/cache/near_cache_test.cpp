// The near tier over a real Redis: copies served from memory, invalidation
// between two near caches (two "servers"), and what happens when the
// invalidation channel drops. Cross-process behaviour over HTTP is in
// tests/integration/multi_server_test.cpp.
#include "cache/near_cache.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "support/support.hpp"

namespace rota::cache {
namespace {

using namespace std::chrono_literals;

std::string UniquePrefix() {
  static std::atomic<int> n{0};
  return "nt" + testing::RunTag() + "_" + std::to_string(n++);
}

std::unique_ptr<Cache> Near(const std::string& url, const std::string& prefix) {
  CacheOptions o;
  o.key_prefix = prefix;
  o.near = true;
  o.near_ttl = 600s;  // only invalidation may end a copy in these tests
  o.retry_after = 200ms;
  o.connect_timeout = o.socket_timeout = 1000ms;
  auto c = MakeCache(url, o);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.ok() ? std::move(c).value() : nullptr;
}

// Waits until the near tier's channel is up (it subscribes in the background).
bool WaitConnected(Cache& c, bool want = true) {
  for (int i = 0; i < 200; ++i) {
    if (c.Stats().near_connected == want) return true;
    usleep(10000);
  }
  return false;
}

// Stores `value` under `key`, stamped with `counters` as they are now; their values.
std::vector<int64_t> StoreCurrent(Cache& cache, const std::vector<std::string>& counters, const std::string& key,
                                  const std::string& value) {
  auto now = cache.GetCurrent(counters, key);
  EXPECT_TRUE(now);
  if (!now) return {};
  cache.SetCurrent(key, value, now->generations, 300s);
  return now->generations;
}

TEST(NearCache, RepeatedReadsAreServedFromMemory) {
  auto cache = Near(testing::TestRedisUrl(), UniquePrefix());
  ASSERT_TRUE(WaitConnected(*cache));
  const int64_t g = *cache->Incr("gen:h1");
  cache->Set("dashboard:h1:g1:x", "body", 300s);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(cache->Counter("gen:h1"), g);
    EXPECT_EQ(cache->Get("dashboard:h1:g1:x"), "body");
  }
  auto s = cache->Stats();
  EXPECT_GE(*s.near_hits, 19);  // all but the first counter read
  EXPECT_EQ(*s.near_keys, 1);
}

TEST(NearCache, AnIncrementAtOneServerIsSeenByTheOtherAtOnce) {
  std::string prefix = UniquePrefix();
  auto a = Near(testing::TestRedisUrl(), prefix);
  auto b = Near(testing::TestRedisUrl(), prefix);
  ASSERT_TRUE(WaitConnected(*a) && WaitConnected(*b));
  const int64_t base = *a->Counter("gen:h1");
  for (int i = 1; i <= 50; ++i) {
    EXPECT_EQ(b->Counter("gen:h1"), base + i - 1);  // b holds the old generation in memory...
    EXPECT_EQ(a->Incr("gen:h1"), base + i);
    EXPECT_EQ(b->Counter("gen:h1"), base + i) << "stale after " << i << " increments";  // ...and has dropped it
  }
}

// A write's bumps in one call: the other server has dropped every one of them
// when IncrMany returns (one wait for all the acknowledgements).
TEST(NearCache, IncrManyAtOneServerIsSeenByTheOtherAtOnce) {
  std::string prefix = UniquePrefix();
  auto a = Near(testing::TestRedisUrl(), prefix);
  auto b = Near(testing::TestRedisUrl(), prefix);
  ASSERT_TRUE(WaitConnected(*a) && WaitConnected(*b));
  const std::vector<std::string> keys = {"gen:h1:shifts", "gen:h1:notes", "gen:global:shifts"};
  std::vector<int64_t> base;
  for (const auto& k : keys) base.push_back(*a->Counter(k));
  for (int i = 1; i <= 20; ++i) {
    for (size_t k = 0; k < keys.size(); ++k) EXPECT_EQ(b->Counter(keys[k]), base[k] + i - 1);  // held in memory
    int calls = 0;
    const auto got = a->IncrMany(keys, {}, [&](std::span<const std::optional<int64_t>> seen) {
      // After Redis has the new counters, before a or b drops the old ones:
      // either may still serve them (the write is not acknowledged yet).
      ++calls;
      ASSERT_EQ(seen.size(), keys.size());
      EXPECT_EQ(seen[0], base[0] + i);
      const int64_t at_a = *a->Counter(keys[0]);
      EXPECT_TRUE(at_a == base[0] + i - 1 || at_a == base[0] + i) << at_a;
    });
    EXPECT_EQ(calls, 1);
    ASSERT_EQ(got.size(), keys.size());
    for (size_t k = 0; k < keys.size(); ++k) {
      EXPECT_EQ(got[k], base[k] + i);
      EXPECT_EQ(a->Counter(keys[k]), base[k] + i) << keys[k] << " stale at the writer after " << i << " writes";
      EXPECT_EQ(b->Counter(keys[k]), base[k] + i) << keys[k] << " stale after " << i << " writes";
    }
  }
}

// Refresh after write at the writing server: while IncrMany's `then` stores
// the answer prepared for after the write, this server's readers are still
// served the old one from memory (no miss: the write is not acknowledged
// yet), and from the moment IncrMany returns, the new one.
TEST(NearCache, TheWritersReadersKeepTheOldAnswerUntilThePreparedOneIsStored) {
  auto cache = Near(testing::TestRedisUrl(), UniquePrefix());
  ASSERT_TRUE(WaitConnected(*cache));
  const std::vector<std::string> counters = {"gen:h1:shifts", "gen:h1:staff"};
  const std::string key = "dashboard:h1:v2:x";
  const std::vector<int64_t> first = StoreCurrent(*cache, counters, key, "before");
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(cache->GetCurrent(counters, key)->value, "before");
  const int64_t misses_before = cache->Stats().misses;
  const std::vector<std::string> bump = {counters[0]};
  cache->IncrMany(bump, {}, [&](std::span<const std::optional<int64_t>> bumped) {
    ASSERT_EQ(bumped[0], first[0] + 1);
    EXPECT_EQ(cache->GetCurrent(counters, key)->value, "before") << "served from memory until `then` is done";
    const std::vector<int64_t> now = {*bumped[0], first[1]};
    cache->SetCurrent(key, "after", now, 300s);
  });
  EXPECT_EQ(cache->GetCurrent(counters, key)->value, "after");
  EXPECT_EQ(cache->Stats().misses, misses_before) << "no reader missed";
}

// An answer prepared for after a write is stored with the increment: each
// server finds it in Redis at its first read after the write, and keeps it.
TEST(NearCache, APreparedAnswerIsStoredWithTheIncrement) {
  std::string prefix = UniquePrefix();
  auto a = Near(testing::TestRedisUrl(), prefix);
  auto b = Near(testing::TestRedisUrl(), prefix);
  ASSERT_TRUE(WaitConnected(*a) && WaitConnected(*b));
  const std::vector<std::string> counters = {"gen:h1:shifts", "gen:h1:staff"};
  const std::string key = "dashboard:h1:v2:x";
  const std::vector<int64_t> first = StoreCurrent(*a, counters, key, "before");
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(b->GetCurrent(counters, key)->value, "before");
  std::vector<Cache::Prepared> p = {{key, "after", counters, first, 300s}};
  const int64_t b_misses = b->Stats().misses;
  a->IncrMany(std::vector<std::string>{counters[0]}, p);
  ASSERT_TRUE(p[0].stored);
  EXPECT_EQ(b->GetCurrent(counters, key)->value, "after");
  EXPECT_EQ(b->Stats().misses, b_misses) << "the other server did not miss";
  EXPECT_EQ(a->GetCurrent(counters, key)->value, "after");  // the dropped counter and the value, from Redis
  const int64_t near_hits = *a->Stats().near_hits;
  EXPECT_EQ(a->GetCurrent(counters, key)->value, "after");
  EXPECT_EQ(*a->Stats().near_hits, near_hits + 1);
}

TEST(NearCache, ACurrentValueIsServedFromMemoryWithoutARoundTrip) {
  auto cache = Near(testing::TestRedisUrl(), UniquePrefix());
  ASSERT_TRUE(WaitConnected(*cache));
  const std::vector<std::string> counters = {"gen:h1:shifts", "gen:h1:staff"};
  StoreCurrent(*cache, counters, "dashboard:h1:v2:x", "body");
  const int64_t near_before = *cache->Stats().near_hits;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(cache->GetCurrent(counters, "dashboard:h1:v2:x")->value, "body");
  EXPECT_EQ(*cache->Stats().near_hits - near_before, 10);
}

// Server a replaces a value after a write; server b, which holds the old value
// and the old counters near, must serve the new one at once.
TEST(NearCache, AValueReplacedAtOneServerAfterAWriteIsWhatTheOtherServes) {
  std::string prefix = UniquePrefix();
  auto a = Near(testing::TestRedisUrl(), prefix);
  auto b = Near(testing::TestRedisUrl(), prefix);
  ASSERT_TRUE(WaitConnected(*a) && WaitConnected(*b));
  const std::vector<std::string> counters = {"gen:h1:shifts"};
  const std::string key = "dashboard:h1:v2:x";
  for (int i = 0; i < 20; ++i) {
    auto at_a = a->GetCurrent(counters, key);
    ASSERT_TRUE(at_a);
    a->SetCurrent(key, "answer " + std::to_string(i), at_a->generations, 300s);
    EXPECT_EQ(b->GetCurrent(counters, key)->value, "answer " + std::to_string(i));  // now near at b too
    a->Incr("gen:h1:shifts");  // a write: b's near counter is dropped by the message
    EXPECT_EQ(b->GetCurrent(counters, key)->value, std::nullopt) << "stale after write " << i;
  }
}

TEST(NearCache, APatternClearAtOneServerEmptiesTheOther) {
  std::string prefix = UniquePrefix();
  auto a = Near(testing::TestRedisUrl(), prefix);
  auto b = Near(testing::TestRedisUrl(), prefix);
  ASSERT_TRUE(WaitConnected(*a) && WaitConnected(*b));
  a->Set("dashboard:h1:g0:x", "v", 300s);
  EXPECT_EQ(b->Get("dashboard:h1:g0:x"), "v");  // now in b's memory
  a->DeletePattern("dashboard:*");
  EXPECT_EQ(b->Get("dashboard:h1:g0:x"), std::nullopt);
}

TEST(NearCache, WhenTheChannelDropsTheNearTierEmptiesAndAnswersNothingUntilItIsBack) {
  testing::RedisProcess redis;
  ASSERT_TRUE(redis.Start());
  auto cache = Near(redis.url(), UniquePrefix());
  ASSERT_TRUE(WaitConnected(*cache));
  int64_t g = 0;
  for (int i = 0; i < 7; ++i) g = *cache->Incr("gen:h1");
  cache->Set("dashboard:h1:g7:x", "computed before the outage", 300s);
  EXPECT_EQ(cache->Counter("gen:h1"), g);
  EXPECT_EQ(cache->Get("dashboard:h1:g7:x"), "computed before the outage");

  redis.Stop();  // SIGKILL: without persistence its counters are gone
  ASSERT_TRUE(WaitConnected(*cache, false));
  EXPECT_EQ(cache->Counter("gen:h1"), std::nullopt);  // no copy answers: callers bypass the cache
  EXPECT_EQ(cache->Get("dashboard:h1:g7:x"), std::nullopt);
  EXPECT_EQ(*cache->Stats().near_keys, 0);

  ASSERT_TRUE(redis.Start());
  ASSERT_TRUE(WaitConnected(*cache));
  // The restarted Redis is the truth now; nothing from before the outage is served.
  std::optional<int64_t> gen;
  for (int i = 0; i < 100 && !gen; ++i, usleep(20000)) gen = cache->Counter("gen:h1");
  ASSERT_TRUE(gen.has_value());
  EXPECT_GT(*gen, g);  // never a generation handed out before the restart
  EXPECT_EQ(cache->Get("dashboard:h1:g7:x"), std::nullopt);
}

TEST(NearCache, ConcurrentReadersNeverKeepAGenerationOlderThanAFinishedIncrement) {
  std::string prefix = UniquePrefix();
  auto writer = Near(testing::TestRedisUrl(), prefix);
  auto reader = Near(testing::TestRedisUrl(), prefix);
  ASSERT_TRUE(WaitConnected(*writer) && WaitConnected(*reader));
  std::atomic<int64_t> acknowledged{0};
  std::atomic<bool> stop{false};
  std::atomic<int> stale{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&] {
      while (!stop) {
        int64_t floor = acknowledged.load();
        auto g = reader->Counter("gen:h9");
        if (g && *g < floor) ++stale;
      }
    });
  for (int i = 0; i < 200; ++i) acknowledged = *writer->Incr("gen:h9");
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(stale, 0);
}

}  // namespace
}  // namespace rota::cache

// The redis:// backend against real redis-servers: the one the test command
// started (shared, each test under its own key prefix) and private ones that
// the outage tests kill and restart.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "cache/cache.hpp"
#include "support/support.hpp"

namespace rota::cache {
namespace {

using namespace std::chrono_literals;

std::string UniquePrefix() {
  static std::atomic<int> n{0};
  return "rt" + std::to_string(getpid()) + "_" + std::to_string(n++);
}

std::unique_ptr<Cache> Redis(const std::string& url, CacheOptions o = {}) {
  if (o.key_prefix == "rota") o.key_prefix = UniquePrefix();
  auto c = MakeCache(url, o);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.ok() ? std::move(c).value() : nullptr;
}

TEST(RedisCache, UrlsAreValidated) {
  for (const char* bad : {"redis://", "redis://:6379", "redis://host:0", "redis://host:70000", "redis://host:1/99",
                          "redis://host:port/0", "redis://u:p@host:1/0", "rediss://host"}) {
    auto c = MakeCache(bad);
    EXPECT_FALSE(c.ok()) << bad;
  }
  EXPECT_TRUE(MakeCache("redis://127.0.0.1:6379/0").ok());
  EXPECT_TRUE(MakeCache("redis://localhost").ok());
}

TEST(RedisCache, StoresBytesWithTtlAndCountsThisProcesssLookups) {
  auto cache = Redis(testing::TestRedisUrl());
  ASSERT_TRUE(cache);
  EXPECT_EQ(cache->health(), Health::kHealthy);
  EXPECT_FALSE(cache->Get("a"));
  std::string bytes("x\0y\r\n", 5);
  cache->Set("a", bytes, 300s);
  EXPECT_EQ(cache->Get("a"), bytes);
  cache->Set("short", "v", 1s);
  EXPECT_TRUE(cache->Get("short"));
  std::this_thread::sleep_for(2100ms);
  EXPECT_FALSE(cache->Get("short"));
  EXPECT_TRUE(cache->Delete("a"));
  EXPECT_FALSE(cache->Delete("a"));
  auto s = cache->Stats();
  EXPECT_EQ(s.backend, "redis");
  EXPECT_EQ(s.hits, 2);
  EXPECT_EQ(s.misses, 2);
  EXPECT_EQ(s.sets, 2);
  EXPECT_EQ(s.keys, 0);
  EXPECT_TRUE(s.used_memory && *s.used_memory > 0);
  EXPECT_TRUE(s.connected_clients && *s.connected_clients >= 1);
  EXPECT_EQ(s.health, "ok");
}

TEST(RedisCache, PrefixesIsolateDeploymentsAndKeysAndBytesAreOurs) {
  auto a = Redis(testing::TestRedisUrl());
  auto b = Redis(testing::TestRedisUrl());
  a->Set("dashboard:h1:g0:x", "12345", 300s);
  a->Set("staff:h1:g0:y", "123", 300s);
  b->Set("dashboard:h1:g0:x", "other", 300s);
  EXPECT_EQ(a->Get("dashboard:h1:g0:x"), "12345");
  EXPECT_EQ(a->Stats().keys, 2);
  EXPECT_EQ(b->Stats().keys, 1);
  // bytes: key (as stored, with its prefix) + value, for our keys only
  EXPECT_GE(a->Stats().bytes, 8);
  EXPECT_EQ(b->DeletePattern("*"), 1);
  EXPECT_EQ(a->Stats().keys, 2);
}

TEST(RedisCache, PatternClearNeverTouchesGenerations) {
  auto cache = Redis(testing::TestRedisUrl());
  cache->Incr("gen:h1");
  cache->Incr("gen:h1");
  for (int i = 0; i < 1200; ++i) cache->Set("dashboard:h1:g2:" + std::to_string(i), "v", 300s);  // several SCAN pages
  cache->Set("staff:h1:g2:z", "v", 300s);
  EXPECT_EQ(cache->DeletePattern("dashboard:*"), 1200);
  EXPECT_EQ(cache->DeletePattern("*"), 1);
  EXPECT_EQ(cache->Counter("gen:h1"), 2);
  EXPECT_EQ(cache->DeletePattern("gen:*"), 0);
  EXPECT_EQ(cache->Counter("gen:h1"), 2);
  EXPECT_EQ(cache->DeletePattern("bad pattern"), 0);
}

TEST(RedisCache, FillLockIsHeldByOneCallerUntilReleasedOrExpired) {
  CacheOptions same;
  same.key_prefix = UniquePrefix();
  auto a = Redis(testing::TestRedisUrl(), same);
  auto b = Redis(testing::TestRedisUrl(), same);
  EXPECT_TRUE(a->TryLock("k", 5000ms));
  EXPECT_FALSE(b->TryLock("k", 5000ms));
  b->Unlock("k");  // not b's lock: still held
  EXPECT_FALSE(b->TryLock("k", 5000ms));
  a->Unlock("k");
  EXPECT_TRUE(b->TryLock("k", 200ms));
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(a->TryLock("k", 200ms));
}

// Redis dies: calls fail fast and the cache says degraded; an invalidation
// made meanwhile is owed; when Redis is back the owed INCR is delivered before
// any generation is read again.
TEST(RedisCache, OutageFailsFastOwesInvalidationsAndRecoversByItself) {
  testing::RedisProcess redis;
  ASSERT_TRUE(redis.Start());
  CacheOptions o;
  o.key_prefix = UniquePrefix();
  o.retry_after = 300ms;
  o.timeout = 2000ms;
  auto cache = Redis(redis.url(), o);
  cache->Incr("gen:h1");
  cache->Set("dashboard:h1:g1:x", "old", 300s);
  EXPECT_EQ(cache->Counter("gen:h1"), 1);

  redis.Stop();
  EXPECT_FALSE(cache->Get("dashboard:h1:g1:x"));  // the failure that opens the breaker
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) {
    EXPECT_FALSE(cache->Get("dashboard:h1:g1:x"));
    EXPECT_FALSE(cache->Counter("gen:h1"));
  }
  auto spent = std::chrono::steady_clock::now() - start;
  EXPECT_LT(spent, 50ms) << "a dead Redis must cost microseconds per call";
  EXPECT_EQ(cache->health(), Health::kDegraded);
  EXPECT_FALSE(cache->Incr("gen:h1"));  // a write during the outage: owed

  ASSERT_TRUE(redis.Start());  // same port, empty (no persistence)
  redis.Cli("SET " + o.key_prefix + ":c:gen:h1 1");  // as if Redis had kept the old generation
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(cache->Counter("gen:h1"), 2) << "the owed increment is delivered first";
  EXPECT_EQ(cache->health(), Health::kHealthy);
  EXPECT_EQ(redis.Cli("GET " + o.key_prefix + ":c:gen:h1"), "2");
}

TEST(RedisCache, AnUnreachableRedisAtStartIsDegradedNotFatal) {
  CacheOptions o;
  o.retry_after = 10s;
  o.timeout = 200ms;
  auto cache = Redis("redis://127.0.0.1:" + std::to_string(testing::FreePort()) + "/0", o);
  ASSERT_TRUE(cache);
  EXPECT_FALSE(cache->Counter("gen:h1"));
  EXPECT_EQ(cache->health(), Health::kDegraded);
}

}  // namespace
}  // namespace rota::cache

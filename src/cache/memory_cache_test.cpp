// memory:// specifics: the factory, option checks and how shards split the
// bounds. The behaviour every backend shares is in cache_test.cpp.
#include <string>

#include <gtest/gtest.h>

#include "cache/cache.hpp"

namespace rota::cache {
namespace {

using std::chrono::seconds;

std::unique_ptr<Cache> MakeMemory(int64_t max_entries, int64_t max_bytes, int shards) {
  CacheOptions options;
  options.max_entries = max_entries;
  options.max_bytes = max_bytes;
  options.shards = shards;
  auto cache = MakeCache("memory://", options);
  EXPECT_TRUE(cache.ok());
  return std::move(cache).value();
}

void Fill(Cache& cache, int n) {
  for (int i = 0; i < n; ++i) cache.Set("k:" + std::to_string(i), "v", seconds(60));
}

TEST(MakeCache, MemoryUrlGivesTheMemoryBackendWithDefaults) {
  auto cache = MakeCache("memory://");
  ASSERT_TRUE(cache.ok());
  EXPECT_EQ((*cache)->Stats().backend, "memory");
  Fill(**cache, 2000);
  EXPECT_EQ((*cache)->Stats().keys, 1000);  // the default entry bound, split exactly over 16 shards
}

TEST(MakeCache, RedisUrlsMakeARedisCacheOtherSchemesAreInvalid) {
  auto redis = MakeCache("redis://127.0.0.1:6379/0");
  ASSERT_TRUE(redis.ok());
  auto other = MakeCache("memcached://127.0.0.1:11211");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kInvalid);
}

TEST(MakeCache, UnknownSchemeIsInvalid) {
  for (const char* url : {"", "memory:", "memcached://x", "MEMORY://", "memory://x"}) {
    auto cache = MakeCache(url);
    ASSERT_FALSE(cache.ok()) << url;
    EXPECT_EQ(cache.error().code, ErrorCode::kInvalid) << url;
  }
}

TEST(MakeCache, BoundsBelowOneAreInvalid) {
  CacheOptions options;
  options.max_entries = 0;
  EXPECT_FALSE(MakeCache("memory://", options).ok());
  options = {};
  options.max_bytes = 0;
  EXPECT_FALSE(MakeCache("memory://", options).ok());
  options = {};
  options.shards = 0;
  EXPECT_FALSE(MakeCache("memory://", options).ok());
}

TEST(MemoryCache, MoreShardsThanEntriesStillStoresEveryValueItMay) {
  auto cache = MakeMemory(1, 1 << 20, 16);  // clamped to one shard of one entry
  cache->Set("a", "1", seconds(60));
  EXPECT_EQ(cache->Get("a"), "1");
  cache->Set("b", "2", seconds(60));
  EXPECT_EQ(cache->Get("a"), std::nullopt);
  EXPECT_EQ(cache->Get("b"), "2");
}

TEST(MemoryCache, EntryBoundIsSplitExactlyOverTheShards) {
  // 20 over 16 shards: four shards hold 2, twelve hold 1. A thousand keys
  // reach every shard, so the full cache holds exactly 20.
  auto cache = MakeMemory(20, 1 << 20, 16);
  Fill(*cache, 1000);
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.keys, 20);
  EXPECT_EQ(stats.evictions, 980);
}

TEST(MemoryCache, ByteBoundIsSplitOverTheShards) {
  // 4 shards of 25 bytes; every value below is charged 5 + 5 = 10 bytes.
  auto cache = MakeMemory(1000, 100, 4);
  for (int i = 0; i < 100; ++i) cache->Set("k:" + std::to_string(100 + i), "12345", seconds(60));
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.keys, 8);  // two per shard
  EXPECT_EQ(stats.bytes, 80);
  // A value over a shard's share (25) is not stored even though 100 is the total.
  cache->Set("big", std::string(30, 'x'), seconds(60));
  EXPECT_EQ(cache->Get("big"), std::nullopt);
}

TEST(MemoryCache, ManyShardsTogetherNeverExceedTheBounds) {
  auto cache = MakeMemory(100, 1 << 20, 16);
  Fill(*cache, 1000);
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.keys, 100);
  EXPECT_EQ(stats.keys + stats.evictions, 1000);
}

}  // namespace
}  // namespace rota::cache

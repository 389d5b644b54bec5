// The cache behaviour suite: one body per behaviour, run on every backend.
//
// A backend joins the suite by adding a struct like MemoryBackend to Backends:
//   kName          the backend's CacheStats::backend
//   Make(options)  a fresh, empty cache with those bounds
//   Advance(d)     let d pass for TTLs (memory: a fake clock; Redis: real time)
//   kExactLru      whether eviction follows exact LRU order and the entry/byte
//                  bounds of CacheOptions (memory: yes; Redis evicts by its own
//                  maxmemory policy, so those tests skip there)
//   kFakeTime      whether Advance is instant (memory) or really waits (Redis):
//                  tests that jump hours or years, or count expirations (Redis
//                  reports those server-wide), run on the memory backend only.
//                  The TTL tests that run on both use short real seconds (at
//                  most a few, so the Redis half stays quick).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cache/cache.hpp"
#include "support/support.hpp"

namespace rota::cache {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

class FakeClock {
 public:
  MonotonicClock AsClock() {
    return [this] { return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(now_ns_.load())); };
  }
  void Advance(std::chrono::nanoseconds d) { now_ns_ += d.count(); }

 private:
  std::atomic<int64_t> now_ns_{int64_t{1'000'000} * 1'000'000'000};  // an arbitrary start
};

struct MemoryBackend {
  static constexpr const char* kName = "memory";
  static constexpr bool kExactLru = true;
  static constexpr bool kFakeTime = true;
  std::unique_ptr<Cache> Make(CacheOptions options) {
    options.clock = clock_.AsClock();
    auto cache = MakeCache("memory://", options);
    EXPECT_TRUE(cache.ok()) << cache.error().message;
    return std::move(cache).value();
  }
  void Advance(std::chrono::nanoseconds d) { clock_.Advance(d); }

 private:
  FakeClock clock_;
};

// The Redis the test command started, each cache under a prefix of its own.
struct RedisBackend {
  static constexpr const char* kName = "redis";
  static constexpr bool kExactLru = false;
  static constexpr bool kFakeTime = false;
  std::unique_ptr<Cache> Make(CacheOptions options) {
    static std::atomic<int> n{0};
    options.key_prefix = "tb" + testing::RunTag() + "_" + std::to_string(n++);
    auto cache = MakeCache(testing::TestRedisUrl(), options);
    EXPECT_TRUE(cache.ok()) << cache.error().message;
    return std::move(cache).value();
  }
  void Advance(std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); }
};

template <class Backend>
class CacheBehaviour : public ::testing::Test {
 protected:
  std::unique_ptr<Cache> Make(CacheOptions options = {}) { return backend_.Make(options); }
  // One shard, so that LRU order is global and the bounds are the shard's.
  std::unique_ptr<Cache> MakeSingleShard(int64_t max_entries, int64_t max_bytes) {
    CacheOptions options;
    options.max_entries = max_entries;
    options.max_bytes = max_bytes;
    options.shards = 1;
    return backend_.Make(options);
  }
  // One shard, room for 1000 values, a home's and a kind's bounds as given.
  std::unique_ptr<Cache> MakeBounded(int64_t per_home, int64_t per_prefix) {
    CacheOptions options;
    options.max_entries = 1000;
    options.max_entries_per_home = per_home;
    options.max_entries_per_prefix = per_prefix;
    options.shards = 1;
    return backend_.Make(options);
  }
  void Advance(std::chrono::nanoseconds d) { backend_.Advance(d); }

  Backend backend_;
};

using Backends = ::testing::Types<MemoryBackend, RedisBackend>;
TYPED_TEST_SUITE(CacheBehaviour, Backends);

// --- get, set, delete -------------------------------------------------------

TYPED_TEST(CacheBehaviour, UnknownKeyIsAMissAndASetValueIsAHit) {
  auto cache = this->Make();
  EXPECT_EQ(cache->Get("dashboard:h1:g1:aa"), std::nullopt);
  cache->Set("dashboard:h1:g1:aa", "body", seconds(60));
  EXPECT_EQ(cache->Get("dashboard:h1:g1:aa"), "body");
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.sets, 1);
  EXPECT_EQ(stats.keys, 1);
}

TYPED_TEST(CacheBehaviour, ValuesAreBytesIncludingNulAndEmpty) {
  auto cache = this->Make();
  const std::string binary("a\0b\xff", 4);
  cache->Set("k:bin", binary, seconds(60));
  cache->Set("k:empty", "", seconds(60));
  EXPECT_EQ(cache->Get("k:bin"), binary);
  EXPECT_EQ(cache->Get("k:empty"), std::string());
}

TYPED_TEST(CacheBehaviour, SetReplacesTheValue) {
  auto cache = this->Make();
  cache->Set("k", "old", seconds(60));
  cache->Set("k", "new", seconds(60));
  EXPECT_EQ(cache->Get("k"), "new");
  EXPECT_EQ(cache->Stats().keys, 1);
}

TYPED_TEST(CacheBehaviour, DeleteRemovesOnlyThatKeyAndSaysWhetherItExisted) {
  auto cache = this->Make();
  cache->Set("a", "1", seconds(60));
  cache->Set("b", "2", seconds(60));
  EXPECT_TRUE(cache->Delete("a"));
  EXPECT_FALSE(cache->Delete("a"));
  EXPECT_FALSE(cache->Delete("never"));
  EXPECT_EQ(cache->Get("a"), std::nullopt);
  EXPECT_EQ(cache->Get("b"), "2");
  EXPECT_EQ(cache->Stats().keys, 1);
}

// --- TTL --------------------------------------------------------------------

TYPED_TEST(CacheBehaviour, ValueLivesUntilItsTtlAndNotAfter) {
  if (!TypeParam::kFakeTime) GTEST_SKIP() << "needs a fake clock or exact expiration counts (memory only)";
  auto cache = this->Make();
  cache->Set("k", "v", seconds(10));
  this->Advance(seconds(9));
  EXPECT_EQ(cache->Get("k"), "v");
  this->Advance(seconds(1));
  EXPECT_EQ(cache->Get("k"), std::nullopt);
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.expirations, 1);
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.keys, 0);
  EXPECT_EQ(stats.bytes, 0);
}

TYPED_TEST(CacheBehaviour, SetGivesTheValueAFreshTtl) {
  if (!TypeParam::kFakeTime) GTEST_SKIP() << "needs a fake clock or exact expiration counts (memory only)";
  auto cache = this->Make();
  cache->Set("k", "v1", seconds(10));
  this->Advance(seconds(8));
  cache->Set("k", "v2", seconds(10));
  this->Advance(seconds(8));
  EXPECT_EQ(cache->Get("k"), "v2");
}

TYPED_TEST(CacheBehaviour, NoExpiryKeepsAValueForYears) {
  if (!TypeParam::kFakeTime) GTEST_SKIP() << "needs a fake clock or exact expiration counts (memory only)";
  auto cache = this->Make();
  cache->Set("k", "v", kNoExpiry);
  this->Advance(hours(24 * 365 * 10));
  EXPECT_EQ(cache->Get("k"), "v");
}

TYPED_TEST(CacheBehaviour, HugeTtlDoesNotOverflow) {
  if (!TypeParam::kFakeTime) GTEST_SKIP() << "needs a fake clock or exact expiration counts (memory only)";
  auto cache = this->Make();
  cache->Set("k", "v", seconds::max());
  this->Advance(hours(24 * 365));
  EXPECT_EQ(cache->Get("k"), "v");
}

TYPED_TEST(CacheBehaviour, NegativeTtlStoresNothingAndDropsTheOldValue) {
  auto cache = this->Make();
  cache->Set("k", "old", seconds(60));
  cache->Set("k", "new", seconds(-1));
  EXPECT_EQ(cache->Get("k"), std::nullopt);
  EXPECT_EQ(cache->Stats().keys, 0);
}

// Real seconds on Redis, so this one test covers expiry and renewal at once.
TYPED_TEST(CacheBehaviour, ValueExpiresAfterItsTtlUnlessSetAgain) {
  auto cache = this->Make();
  cache->Set("expires", "v", seconds(2));
  cache->Set("renewed", "v1", seconds(2));
  this->Advance(std::chrono::milliseconds(1200));
  EXPECT_EQ(cache->Get("expires"), "v");
  cache->Set("renewed", "v2", seconds(2));  // a fresh 2 s from now
  this->Advance(std::chrono::milliseconds(1200));
  EXPECT_EQ(cache->Get("expires"), std::nullopt);
  EXPECT_EQ(cache->Get("renewed"), "v2");
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.keys, 1);
  EXPECT_EQ(stats.hits, 2);
  EXPECT_EQ(stats.misses, 1);
  if (TypeParam::kFakeTime) {
    EXPECT_EQ(stats.expirations, 1);  // Redis reports expirations server-wide
  }
}

TYPED_TEST(CacheBehaviour, StatsCollectExpiredValuesNobodyAskedFor) {
  if (!TypeParam::kFakeTime) GTEST_SKIP() << "needs a fake clock or exact expiration counts (memory only)";
  auto cache = this->Make();
  cache->Set("short:1", "v", seconds(5));
  cache->Set("short:2", "v", seconds(5));
  cache->Set("long", "v", seconds(50));
  this->Advance(seconds(6));
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.keys, 1);
  EXPECT_EQ(stats.expirations, 2);
  EXPECT_EQ(stats.misses, 0);
}

TYPED_TEST(CacheBehaviour, DeletingAnExpiredValueCountsAnExpirationNotADeletion) {
  if (!TypeParam::kFakeTime) GTEST_SKIP() << "needs a fake clock or exact expiration counts (memory only)";
  auto cache = this->Make();
  cache->Set("k", "v", seconds(5));
  this->Advance(seconds(5));
  EXPECT_FALSE(cache->Delete("k"));
  EXPECT_EQ(cache->Stats().expirations, 1);
}

// --- pattern delete ---------------------------------------------------------

TYPED_TEST(CacheBehaviour, DeletePatternDeletesExactlyTheMatchingKeys) {
  auto cache = this->Make();
  for (const char* key :
       {"dashboard:h1:g1:aa", "dashboard:h1:g2:bb", "dashboard:h11:g1:cc", "report:h1:g1:dd", "stats:global:g1:ee"}) {
    cache->Set(key, "v", seconds(60));
  }
  EXPECT_EQ(cache->DeletePattern("dashboard:h1:*"), 2);
  EXPECT_EQ(cache->Get("dashboard:h1:g1:aa"), std::nullopt);
  EXPECT_EQ(cache->Get("dashboard:h11:g1:cc"), "v");
  EXPECT_EQ(cache->DeletePattern("*:h1:*"), 1);              // report:h1
  EXPECT_EQ(cache->DeletePattern("stats:global:g1:ee"), 1);  // no wildcard: that key only
  EXPECT_EQ(cache->DeletePattern("nothing:*"), 0);
  EXPECT_EQ(cache->Stats().keys, 1);
  EXPECT_EQ(cache->DeletePattern("*"), 1);
  EXPECT_EQ(cache->Stats().keys, 0);
  EXPECT_EQ(cache->Stats().bytes, 0);
}

TYPED_TEST(CacheBehaviour, DeletePatternRejectsAnInvalidGlobWithoutDeleting) {
  auto cache = this->Make();
  cache->Set("a:b", "v", seconds(60));
  EXPECT_EQ(cache->DeletePattern(""), 0);
  EXPECT_EQ(cache->DeletePattern("a:?"), 0);
  EXPECT_EQ(cache->DeletePattern("a:[b]"), 0);
  EXPECT_EQ(cache->DeletePattern("* "), 0);
  EXPECT_EQ(cache->DeletePattern(std::string(129, '*')), 0);
  EXPECT_EQ(cache->Get("a:b"), "v");
}

TYPED_TEST(CacheBehaviour, DeletePatternDoesNotCountExpiredValues) {
  if (!TypeParam::kFakeTime) GTEST_SKIP() << "needs a fake clock or exact expiration counts (memory only)";
  auto cache = this->Make();
  cache->Set("k:1", "v", seconds(5));
  cache->Set("k:2", "v", seconds(50));
  this->Advance(seconds(10));
  EXPECT_EQ(cache->DeletePattern("k:*"), 1);
  EXPECT_EQ(cache->Stats().expirations, 1);
}

// --- counters ---------------------------------------------------------------

TYPED_TEST(CacheBehaviour, IncrAddsExactlyOneToTheCounter) {
  auto cache = this->Make();
  const int64_t h1 = *cache->Counter("gen:h1");  // memory: 0; redis: a time-based start
  EXPECT_EQ(cache->Incr("gen:h1"), h1 + 1);
  EXPECT_EQ(cache->Incr("gen:h1"), h1 + 2);
  const int64_t h2 = *cache->Incr("gen:h2");
  EXPECT_EQ(cache->Counter("gen:h2"), h2);
  EXPECT_EQ(cache->Counter("gen:h1"), h1 + 2);
  EXPECT_EQ(cache->Counter("gen:h1"), h1 + 2);
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.counters, 2);
  EXPECT_EQ(stats.keys, 0);
  EXPECT_EQ(stats.hits + stats.misses, 0);  // counter reads are not cache lookups
}

TYPED_TEST(CacheBehaviour, IncrManyAddsOneToEachKeyInOrder) {
  auto cache = this->Make();
  const int64_t h1 = *cache->Counter("gen:h1:shifts");
  const std::vector<std::string> keys = {"gen:h1:shifts", "gen:h1:staff", "gen:h1:shifts"};
  const auto got = cache->IncrMany(keys);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], h1 + 1);
  EXPECT_EQ(got[2], h1 + 2);  // a key given twice is incremented twice
  ASSERT_TRUE(got[1]);        // a counter nobody started starts as Counter starts it, then + 1
  EXPECT_EQ(cache->Counter("gen:h1:staff"), *got[1]);
  EXPECT_EQ(cache->Counter("gen:h1:shifts"), h1 + 2);
  EXPECT_TRUE(cache->IncrMany({}).empty());
  EXPECT_EQ(cache->Stats().keys, 0);  // counters only

  // `then` sees the answers once, when the counters already have them.
  int calls = 0;
  const auto again = cache->IncrMany(keys, {}, [&](std::span<const std::optional<int64_t>> seen) {
    ++calls;
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[2], h1 + 4);
    EXPECT_EQ(cache->Counter("gen:h1:shifts"), h1 + 4);
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(again[2], h1 + 4);
}

TYPED_TEST(CacheBehaviour, CountersAreApartFromValues) {
  auto cache = this->Make();
  const int64_t g = *cache->Incr("gen:h1");
  EXPECT_EQ(cache->Get("gen:h1"), std::nullopt);
  cache->Set("gen:h1", "a value", seconds(60));
  EXPECT_EQ(cache->Counter("gen:h1"), g);
  EXPECT_TRUE(cache->Delete("gen:h1"));
  EXPECT_EQ(cache->Counter("gen:h1"), g);
}

// --- values stamped with the counters they were computed under ---------------

TYPED_TEST(CacheBehaviour, GetCurrentReadsTheCountersAndMissesAValueNeverStored) {
  auto cache = this->Make();
  const int64_t a = *cache->Incr("gen:h1:shifts");
  const std::vector<std::string> counters = {"gen:h1:shifts", "gen:h1:staff"};
  auto got = cache->GetCurrent(counters, "dashboard:h1:v2:aa");
  ASSERT_TRUE(got);
  ASSERT_EQ(got->generations.size(), 2u);
  EXPECT_EQ(got->generations[0], a);
  EXPECT_EQ(got->generations[1], cache->Counter("gen:h1:staff")) << "a counter nobody bumped starts as Counter says";
  EXPECT_EQ(got->value, std::nullopt);
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.hits, 0);
}

TYPED_TEST(CacheBehaviour, AValueIsCurrentUntilOneOfItsCountersMoves) {
  auto cache = this->Make();
  const std::vector<std::string> counters = {"gen:h1:shifts", "gen:h1:staff"};
  const std::string key = "dashboard:h1:v2:aa";
  auto before = cache->GetCurrent(counters, key);
  ASSERT_TRUE(before);
  // Bytes that look like a trailer, a NUL, and a body of any length.
  const std::string body = std::string("x\0\xC5", 3) + std::string(1000, 'b') + "\x02\xC5";
  cache->SetCurrent(key, body, before->generations, seconds(60));
  auto hit = cache->GetCurrent(counters, key);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->value, body);
  EXPECT_EQ(hit->generations, before->generations);

  cache->Incr("gen:h1:staff");  // a write to one family the value shows
  auto after = cache->GetCurrent(counters, key);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->value, std::nullopt) << "a value computed before the write is never served after it";
  EXPECT_EQ(after->generations[1], before->generations[1] + 1);
  // A late store of the old answer (the read-old/store-late race) stays unservable.
  cache->SetCurrent(key, "old", before->generations, seconds(60));
  EXPECT_EQ(cache->GetCurrent(counters, key)->value, std::nullopt);
  // The answer computed under the new counters replaces it, under the same key.
  cache->SetCurrent(key, "new", after->generations, seconds(60));
  EXPECT_EQ(cache->GetCurrent(counters, key)->value, "new");
  EXPECT_EQ(cache->Stats().keys, 1) << "no key per generation piles up";
  // Other families do not move it.
  cache->Incr("gen:h1:notes");
  cache->Incr("gen:h2:staff");
  EXPECT_EQ(cache->GetCurrent(counters, key)->value, "new");
}

TYPED_TEST(CacheBehaviour, AValueStampedWithOtherCountersOrNoneIsAMiss) {
  auto cache = this->Make();
  const std::vector<std::string> two = {"gen:h1:shifts", "gen:h1:staff"};
  const std::vector<std::string> one = {"gen:h1:shifts"};
  auto g = cache->GetCurrent(two, "k:h1:v2:a");
  ASSERT_TRUE(g);
  cache->SetCurrent("k:h1:v2:a", "two", g->generations, seconds(60));
  EXPECT_EQ(cache->GetCurrent(one, "k:h1:v2:a")->value, std::nullopt) << "another number of counters";
  cache->Set("k:h1:v2:b", "plain bytes", seconds(60));
  EXPECT_EQ(cache->GetCurrent(two, "k:h1:v2:b")->value, std::nullopt) << "a value stored without a stamp";
  cache->Set("k:h1:v2:c", "", seconds(60));
  EXPECT_EQ(cache->GetCurrent(two, "k:h1:v2:c")->value, std::nullopt) << "an empty value";
  EXPECT_EQ(cache->Stats().misses, 4);  // the first GetCurrent too
  EXPECT_EQ(cache->Stats().hits, 0);
}

// GetCurrentLater answers what GetCurrent answers: a hit, a miss, a stamp
// that is no longer current, each to its own caller.
TYPED_TEST(CacheBehaviour, GetCurrentLaterAnswersWhatGetCurrentAnswers) {
  auto cache = this->Make();
  const std::vector<std::string> counters = {"gen:h1:shifts", "gen:h1:staff"};
  auto later = [&](const std::string& key) {
    std::promise<std::optional<Cache::Current>> answer;
    auto got = answer.get_future();
    cache->GetCurrentLater(counters, key, [&](std::optional<Cache::Current> c) { answer.set_value(std::move(c)); });
    EXPECT_EQ(got.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return got.get();
  };
  auto g = cache->GetCurrent(counters, "dashboard:h1:v2:a");
  ASSERT_TRUE(g);
  cache->SetCurrent("dashboard:h1:v2:a", "answer a", g->generations, seconds(60));
  cache->SetCurrent("dashboard:h1:v2:b", "answer b", g->generations, seconds(60));
  for (const char* key : {"dashboard:h1:v2:a", "dashboard:h1:v2:b", "dashboard:h1:v2:never"}) {
    auto now = cache->GetCurrent(counters, key);
    auto then = later(key);
    ASSERT_TRUE(now && then) << key;
    EXPECT_EQ(then->value, now->value) << key;
    EXPECT_EQ(then->generations, now->generations) << key;
  }
  EXPECT_EQ(later("dashboard:h1:v2:b")->value, "answer b");
  cache->Incr("gen:h1:staff");
  auto after = later("dashboard:h1:v2:a");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->value, std::nullopt) << "stamped before the write";
  EXPECT_EQ(after->generations[1], g->generations[1] + 1);
  EXPECT_EQ(cache->Stats().hits, 5);
  EXPECT_EQ(cache->Stats().misses, 4);
  EXPECT_EQ(cache->LookupsWait(), std::string(TypeParam::kName) == "redis");
}

TYPED_TEST(CacheBehaviour, ACurrentValueKeepsItsTtl) {
  auto cache = this->Make();
  const std::vector<std::string> counters = {"gen:h1:shifts"};
  auto g = cache->GetCurrent(counters, "k:h1:v2:a");
  cache->SetCurrent("k:h1:v2:a", "v", g->generations, seconds(1));
  EXPECT_EQ(cache->GetCurrent(counters, "k:h1:v2:a")->value, "v");
  this->Advance(std::chrono::milliseconds(2100));
  EXPECT_EQ(cache->GetCurrent(counters, "k:h1:v2:a")->value, std::nullopt);
}

// Refresh after write: an answer prepared before a write's increment is
// stored by it, stamped with the counters it makes, unless another increment
// came between.
TYPED_TEST(CacheBehaviour, IncrManyStoresAPreparedAnswerUnderTheCountersItMakes) {
  auto cache = this->Make();
  const std::vector<std::string> counters = {"gen:h1:shifts", "gen:h1:staff"};
  auto before = cache->GetCurrent(counters, "dashboard:h1:v2:a");
  ASSERT_TRUE(before);
  const std::string body = std::string("after\0", 6) + std::string(3000, 'x');
  std::vector<Cache::Prepared> prepared = {
      {"dashboard:h1:v2:a", body, counters, before->generations, seconds(60)},
      {"stats:v2:b", "global", {"gen:global:shifts"}, {*cache->Counter("gen:global:shifts")}, seconds(60)},
      {"dashboard:h1:v2:c", "no ttl", counters, before->generations, kNoExpiry},
      {"dashboard:h1:v2:d", "wrong guess", counters, {before->generations[0] - 1, before->generations[1]}, seconds(60)},
      {"dashboard:h1:v2:e", "one generation for two counters", counters, {before->generations[0]}, seconds(60)}};
  const std::vector<std::string> keys = {"gen:h1:shifts", "gen:global:shifts"};
  int calls = 0;
  const auto got = cache->IncrMany(keys, prepared, [&](std::span<const std::optional<int64_t>> seen) {
    ++calls;
    ASSERT_EQ(seen[0], before->generations[0] + 1);
    EXPECT_TRUE(prepared[0].stored && prepared[1].stored && prepared[2].stored) << "marked before `then`";
    EXPECT_EQ(cache->GetCurrent(counters, "dashboard:h1:v2:a")->value, body) << "in place when `then` runs";
  });
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(prepared[3].stored) << "read under other counters than these";
  EXPECT_FALSE(prepared[4].stored) << "malformed, and the others are stored all the same";
  EXPECT_EQ(cache->GetCurrent(counters, "dashboard:h1:v2:e")->value, std::nullopt);
  const std::vector<int64_t> after = {before->generations[0] + 1, before->generations[1]};
  EXPECT_EQ(prepared[0].GenerationsAfter(keys), after);
  auto hit = cache->GetCurrent(counters, "dashboard:h1:v2:a");
  EXPECT_EQ(hit->generations, after);
  EXPECT_EQ(hit->value, body);
  EXPECT_EQ(cache->GetCurrent(std::vector<std::string>{"gen:global:shifts"}, "stats:v2:b")->value, "global");
  EXPECT_EQ(cache->GetCurrent(counters, "dashboard:h1:v2:c")->value, "no ttl");
  EXPECT_EQ(cache->GetCurrent(counters, "dashboard:h1:v2:d")->value, std::nullopt);
  ASSERT_EQ(got.size(), 2u);

  // Another write's increment between the read and this one's: not stored,
  // and the value from before stays unservable.
  auto read = cache->GetCurrent(counters, "dashboard:h1:v2:a");
  cache->Incr("gen:h1:staff");  // a family this write does not bump
  cache->Incr("gen:h1:shifts");
  std::vector<Cache::Prepared> late = {{"dashboard:h1:v2:a", "late", counters, read->generations, seconds(60)}};
  cache->IncrMany(std::span(keys).first(1), late);
  EXPECT_FALSE(late[0].stored);
  EXPECT_EQ(cache->GetCurrent(counters, "dashboard:h1:v2:a")->value, std::nullopt);

  // A key named twice is incremented twice, and so expected.
  read = cache->GetCurrent(counters, "dashboard:h1:v2:a");
  const std::vector<std::string> twice = {"gen:h1:shifts", "gen:h1:shifts"};
  std::vector<Cache::Prepared> two = {{"dashboard:h1:v2:a", "twice", counters, read->generations, seconds(60)}};
  cache->IncrMany(twice, two);
  EXPECT_TRUE(two[0].stored);
  EXPECT_EQ(cache->GetCurrent(counters, "dashboard:h1:v2:a")->value, "twice");
  EXPECT_EQ(cache->GetCurrent(counters, "dashboard:h1:v2:a")->generations[0], read->generations[0] + 2);
}

// A prepared answer is stored as Set stores one: within its home's bound.
TYPED_TEST(CacheBehaviour, PreparedAnswersKeepTheHomesBound) {
  auto cache = this->MakeBounded(4, 4);
  const std::vector<std::string> counters = {"gen:h1:shifts"};
  for (int i = 0; i < 10; ++i) {
    const std::string key = "shift:h1:v2:" + std::to_string(i);
    auto g = cache->GetCurrent(counters, key);
    std::vector<Cache::Prepared> p = {{key, "v", counters, g->generations, seconds(60)}};
    cache->IncrMany(counters, p);
    EXPECT_TRUE(p[0].stored);
  }
  EXPECT_EQ(cache->Stats().keys, 4);
  EXPECT_EQ(cache->GetCurrent(counters, "shift:h1:v2:9")->value, "v") << "the last one stored stays";
}

TYPED_TEST(CacheBehaviour, CountersSurvivePatternDeleteTimeAndEviction) {
  if (!TypeParam::kFakeTime) GTEST_SKIP() << "needs a fake clock or exact expiration counts (memory only)";
  auto cache = this->MakeSingleShard(2, 1 << 20);
  cache->Incr("gen:h1");
  cache->Incr("gen:h1");
  EXPECT_EQ(cache->DeletePattern("*"), 0);
  for (int i = 0; i < 10; ++i) cache->Set("k:" + std::to_string(i), "v", seconds(1));
  this->Advance(hours(24 * 365));
  EXPECT_EQ(cache->Stats().keys, 0);
  EXPECT_EQ(cache->Counter("gen:h1"), 2);
  EXPECT_EQ(cache->Incr("gen:h1"), 3);
}

// --- bounds and eviction ----------------------------------------------------

// The per-home bound (flood-proofing) holds on both backends: memory evicts the
// home's least recently used value, Redis its value stored first (its index is
// by expiry); with equal TTLs and no reads in between, both are the oldest.
TYPED_TEST(CacheBehaviour, AHomeBeyondItsShareLosesItsOldestValueAndNoOtherHomesValue) {
  auto cache = this->MakeBounded(3, 3);  // the kind's bound no tighter: this is the home's bound's test
  cache->Set("dashboard:h2:g1:other", "x", seconds(60));
  cache->Set("no-home", "x", seconds(60));
  for (int i = 0; i < 200; ++i) {  // one caller's scan of distinct ranges of home 1
    cache->Set("shift:h1:g1:" + std::to_string(i), "v" + std::to_string(i), seconds(60));
    this->Advance(std::chrono::milliseconds(2));  // distinct store times (Redis orders by the millisecond)
  }
  EXPECT_EQ(cache->Get("shift:h1:g1:0"), std::nullopt);
  EXPECT_EQ(cache->Get("shift:h1:g1:196"), std::nullopt);
  for (int i = 197; i < 200; ++i) EXPECT_EQ(cache->Get("shift:h1:g1:" + std::to_string(i)), "v" + std::to_string(i));
  EXPECT_EQ(cache->Get("dashboard:h2:g1:other"), "x");
  EXPECT_EQ(cache->Get("no-home"), "x");
  EXPECT_EQ(cache->Stats().keys, 5);
}

// The per-kind bound likewise: a scan of one kind of a home's answers costs
// that kind, never the home's other answers; the home's bound still holds.
TYPED_TEST(CacheBehaviour, AKindBeyondItsShareLosesItsOldestValueAndNotItsHomesOthers) {
  auto cache = this->MakeBounded(5, 2);
  cache->Set("dashboard:h1:g1:week", "d", seconds(60));
  cache->Set("report:h1:g1:month", "r", seconds(60));
  for (int i = 0; i < 200; ++i) {  // one caller's scan of distinct ranges of home 1's shift list
    cache->Set("shift:h1:g1:" + std::to_string(i), "v" + std::to_string(i), seconds(60));
    this->Advance(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(cache->Get("shift:h1:g1:197"), std::nullopt);
  for (int i = 198; i < 200; ++i) EXPECT_EQ(cache->Get("shift:h1:g1:" + std::to_string(i)), "v" + std::to_string(i));
  EXPECT_EQ(cache->Get("dashboard:h1:g1:week"), "d") << "the scan costs shift lists only";
  EXPECT_EQ(cache->Get("report:h1:g1:month"), "r");
  EXPECT_EQ(cache->Stats().keys, 4);
  // One more dashboard puts the home at its share of 5; a staff list then
  // takes it over, and one of the home's older values goes (which one is the
  // backend's order: memory's least recently used, Redis's first stored).
  cache->Set("dashboard:h1:g1:next", "d2", seconds(60));
  this->Advance(std::chrono::milliseconds(2));
  EXPECT_EQ(cache->Stats().keys, 5);
  cache->Set("staff:h1:g1:all", "s", seconds(60));
  EXPECT_EQ(cache->Stats().keys, 5);
  EXPECT_EQ(cache->Get("staff:h1:g1:all"), "s");
  EXPECT_EQ(cache->Get("dashboard:h1:g1:next"), "d2");
}

TYPED_TEST(CacheBehaviour, EntryBoundEvictsTheLeastRecentlyUsedValue) {
  if (!TypeParam::kExactLru) GTEST_SKIP() << "backend evicts by its own policy";
  auto cache = this->MakeSingleShard(3, 1 << 20);
  cache->Set("a", "1", seconds(60));
  cache->Set("b", "2", seconds(60));
  cache->Set("c", "3", seconds(60));
  ASSERT_EQ(cache->Get("a"), "1");    // order now, newest first: a c b
  cache->Set("d", "4", seconds(60));  // evicts b
  EXPECT_EQ(cache->Get("b"), std::nullopt);
  cache->Set("c", "3'", seconds(60));  // a set is a use: d a c -> c d a
  cache->Set("e", "5", seconds(60));   // evicts a
  EXPECT_EQ(cache->Get("a"), std::nullopt);
  EXPECT_EQ(cache->Get("c"), "3'");
  EXPECT_EQ(cache->Get("d"), "4");
  EXPECT_EQ(cache->Get("e"), "5");
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.evictions, 2);
  EXPECT_EQ(stats.keys, 3);
}

TYPED_TEST(CacheBehaviour, ByteBoundEvictsLeastRecentlyUsedUntilTheNewValueFits) {
  if (!TypeParam::kExactLru) GTEST_SKIP() << "backend evicts by its own policy";
  // Each value below is charged 2 (key) + 8 (value) = 10 bytes.
  auto cache = this->MakeSingleShard(100, 30);
  cache->Set("k1", "12345678", seconds(60));
  cache->Set("k2", "12345678", seconds(60));
  cache->Set("k3", "12345678", seconds(60));
  EXPECT_EQ(cache->Stats().bytes, 30);
  EXPECT_EQ(cache->Stats().evictions, 0);
  cache->Set("k4", "12345678", seconds(60));  // 40 > 30: evicts k1
  EXPECT_EQ(cache->Get("k1"), std::nullopt);
  cache->Set("k5", std::string(18, 'x'), seconds(60));  // 20 more: evicts k2 and k3
  EXPECT_EQ(cache->Get("k2"), std::nullopt);
  EXPECT_EQ(cache->Get("k3"), std::nullopt);
  EXPECT_EQ(cache->Get("k4"), "12345678");
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.evictions, 3);
  EXPECT_EQ(stats.keys, 2);
  EXPECT_EQ(stats.bytes, 30);
}

TYPED_TEST(CacheBehaviour, GrowingAValueInPlaceEvictsOthersNotItself) {
  if (!TypeParam::kExactLru) GTEST_SKIP() << "backend evicts by its own policy";
  auto cache = this->MakeSingleShard(100, 30);
  cache->Set("k1", "12345678", seconds(60));
  cache->Set("k2", "12345678", seconds(60));
  cache->Set("k1", std::string(18, 'x'), seconds(60));  // 20 + 10 = 30: fits
  EXPECT_EQ(cache->Stats().evictions, 0);
  cache->Set("k2", std::string(18, 'y'), seconds(60));  // 40: evicts k1, the older use
  EXPECT_EQ(cache->Get("k1"), std::nullopt);
  EXPECT_EQ(cache->Get("k2"), std::string(18, 'y'));
  EXPECT_EQ(cache->Stats().bytes, 20);
}

TYPED_TEST(CacheBehaviour, ValueLargerThanTheByteBoundIsNotStoredAndDropsTheOldOne) {
  if (!TypeParam::kExactLru) GTEST_SKIP() << "backend evicts by its own policy";
  auto cache = this->MakeSingleShard(100, 30);
  cache->Set("other", "v", seconds(60));
  cache->Set("k", "small", seconds(60));
  cache->Set("k", std::string(29, 'x'), seconds(60));  // 1 + 29 = 30 fits alone; evicts "other"
  EXPECT_EQ(cache->Get("k"), std::string(29, 'x'));
  cache->Set("k", std::string(30, 'x'), seconds(60));  // 31 never fits
  EXPECT_EQ(cache->Get("k"), std::nullopt);
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.keys, 0);
  EXPECT_EQ(stats.bytes, 0);
  EXPECT_EQ(stats.evictions, 1);
}

TYPED_TEST(CacheBehaviour, EvictingAnExpiredValueCountsAnExpiration) {
  if (!TypeParam::kExactLru) GTEST_SKIP() << "backend evicts by its own policy";
  auto cache = this->MakeSingleShard(2, 1 << 20);
  cache->Set("old", "v", seconds(5));
  cache->Set("live", "v", seconds(60));
  this->Advance(seconds(10));
  cache->Set("new", "v", seconds(60));  // "old" is the LRU tail and already dead
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.evictions, 0);
  EXPECT_EQ(stats.expirations, 1);
  EXPECT_EQ(stats.keys, 2);
}

TYPED_TEST(CacheBehaviour, ByteAccountingIsExactAfterSetOverwriteAndDelete) {
  auto cache = this->Make();
  EXPECT_EQ(cache->Stats().bytes, 0);
  cache->Set("abc", "12345", seconds(60));  // 3 + 5
  EXPECT_EQ(cache->Stats().bytes, 8);
  cache->Set("de", "1", seconds(60));  // 2 + 1
  EXPECT_EQ(cache->Stats().bytes, 11);
  cache->Set("abc", "1234567890", seconds(60));  // 3 + 10 replaces 3 + 5
  EXPECT_EQ(cache->Stats().bytes, 16);
  EXPECT_TRUE(cache->Delete("de"));
  EXPECT_EQ(cache->Stats().bytes, 13);
  cache->Set("abc", "x", seconds(-1));  // removes
  EXPECT_EQ(cache->Stats().bytes, 0);
  EXPECT_EQ(cache->Stats().keys, 0);
}

TYPED_TEST(CacheBehaviour, ByteAccountingIsExactAfterSetOverwriteDeleteAndExpiry) {
  if (!TypeParam::kFakeTime) GTEST_SKIP() << "needs a fake clock or exact expiration counts (memory only)";
  auto cache = this->Make();
  EXPECT_EQ(cache->Stats().bytes, 0);
  cache->Set("abc", "12345", seconds(60));  // 3 + 5
  EXPECT_EQ(cache->Stats().bytes, 8);
  cache->Set("de", "1", seconds(5));  // 2 + 1
  EXPECT_EQ(cache->Stats().bytes, 11);
  cache->Set("abc", "1234567890", seconds(60));  // 3 + 10 replaces 3 + 5
  EXPECT_EQ(cache->Stats().bytes, 16);
  cache->Set("abc", "", seconds(60));  // 3 + 0
  EXPECT_EQ(cache->Stats().bytes, 6);
  this->Advance(seconds(5));  // "de" expires
  EXPECT_EQ(cache->Stats().bytes, 3);
  EXPECT_TRUE(cache->Delete("abc"));
  EXPECT_EQ(cache->Stats().bytes, 0);
  EXPECT_EQ(cache->Stats().keys, 0);
}

// --- statistics -------------------------------------------------------------

TYPED_TEST(CacheBehaviour, StatsCountEveryEventExactly) {
  auto cache = this->Make();
  cache->Set("a", "1", seconds(60));  // sets 1
  cache->Set("b", "2", seconds(1));   // sets 2
  cache->Get("a");                    // hits 1
  cache->Get("a");                    // hits 2
  cache->Get("x");                    // misses 1
  this->Advance(std::chrono::milliseconds(1100));
  cache->Get("b");                    // misses 2, expirations 1
  cache->Set("c", "3", seconds(60));  // sets 3
  cache->Delete("c");                 // a deletion counts nothing
  cache->Incr("gen:h1");              // nor do counters
  cache->Counter("gen:h1");
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.backend, TypeParam::kName);
  EXPECT_EQ(stats.hits, 2);
  EXPECT_EQ(stats.misses, 2);
  EXPECT_EQ(stats.sets, 3);
  EXPECT_EQ(stats.keys, 1);
  EXPECT_EQ(stats.bytes, 2);
  EXPECT_EQ(stats.counters, 1);
  EXPECT_EQ(stats.health, "ok");
  ASSERT_TRUE(stats.used_memory);
  if (TypeParam::kFakeTime) {  // Redis reports these server-wide
    EXPECT_EQ(stats.evictions, 0);
    EXPECT_EQ(stats.expirations, 1);
    EXPECT_EQ(*stats.used_memory, stats.bytes);
  }
}

// --- threads ----------------------------------------------------------------

// Eight threads share 64 keys on a cache that holds 32, so sets, hits, misses
// and evictions race in every shard. Every value names its key, so a hit that
// returns another key's value (or a torn one) is caught; the counters must
// add up to exactly what the threads did.
TYPED_TEST(CacheBehaviour, ConcurrentGetAndSetFromEightThreadsStayConsistent) {
  CacheOptions options;
  options.max_entries = 32;
  options.shards = 4;
  auto cache = this->Make(options);
  const int64_t shared_base = *cache->Counter("gen:shared");
  constexpr int kThreads = 8;
  constexpr int kOps = 4000;
  std::atomic<int64_t> hits{0}, misses{0}, sets{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOps; ++i) {
        const std::string key = "k:" + std::to_string((i * 7 + t * 13) % 64);
        if ((i + t) % 3 == 0) {
          cache->Set(key, key + "=" + std::string(static_cast<size_t>(i % 50), 'v'), seconds(60));
          ++sets;
        } else if (auto value = cache->Get(key)) {
          ++hits;
          const bool ours =
              value->rfind(key + "=", 0) == 0 && value->find_first_not_of('v', key.size() + 1) == std::string::npos;
          if (!ours) ++wrong;
        } else {
          ++misses;
        }
        if (i % 100 == 0) cache->Incr("gen:shared");
      }
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(wrong.load(), 0);
  const CacheStats stats = cache->Stats();
  EXPECT_EQ(stats.hits, hits.load());
  EXPECT_EQ(stats.misses, misses.load());
  EXPECT_EQ(stats.sets, sets.load());
  if (TypeParam::kExactLru) {
    EXPECT_LE(stats.keys, 32);
  }
  EXPECT_EQ(cache->Counter("gen:shared"), shared_base + kThreads * (kOps / 100));

  // The byte count is exactly the sum over the live values.
  int64_t bytes = 0, keys = 0;
  for (int k = 0; k < 64; ++k) {
    const std::string key = "k:" + std::to_string(k);
    if (auto value = cache->Get(key)) {
      bytes += static_cast<int64_t>(key.size() + value->size());
      ++keys;
    }
  }
  EXPECT_EQ(keys, stats.keys);
  EXPECT_EQ(bytes, stats.bytes);
}

}  // namespace
}  // namespace rota::cache

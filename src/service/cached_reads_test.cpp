// CachedReads' refresh after write, against a seeded SQLite file and a real
// memory:// cache, at the moment the end-to-end tests cannot reach: another
// write committing and incrementing between this write's preparing of the
// hottest answers and its own increment.
#include "service/cached_reads.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <regex>
#include <string>

#include "cache/cache.hpp"
#include "db/database.hpp"
#include "service/reads.hpp"
#include "service/seed.hpp"
#include "support/support.hpp"

namespace rota::service {
namespace {

// memory://, with one hook: once armed, the next IncrMany first runs it (the
// test's other write: a row committed and its counter incremented), then
// increments and stores as Cache::IncrMany does. Everything else is the memory
// cache's own doing.
class Overtaken final : public cache::Cache {
 public:
  explicit Overtaken(std::unique_ptr<cache::Cache> inner) : inner_(std::move(inner)) {}
  void Arm(std::function<void()> other_write) { armed_ = std::move(other_write); }

  std::vector<std::optional<int64_t>> IncrMany(std::span<const std::string> keys, std::span<Prepared> prepared,
                                               const AfterIncr& then) override {
    if (armed_) std::exchange(armed_, nullptr)();
    return Cache::IncrMany(keys, prepared, then);
  }
  std::optional<Current> GetCurrent(std::span<const std::string> counters, std::string_view key) override {
    return inner_->GetCurrent(counters, key);
  }
  std::optional<std::string> Get(std::string_view key) override { return inner_->Get(key); }
  void Set(std::string_view key, std::string value, std::chrono::seconds ttl) override {
    inner_->Set(key, std::move(value), ttl);
  }
  bool Delete(std::string_view key) override { return inner_->Delete(key); }
  std::optional<int64_t> Incr(std::string_view key) override { return inner_->Incr(key); }
  std::optional<int64_t> Counter(std::string_view key) override { return inner_->Counter(key); }
  bool TryLock(std::string_view key, std::chrono::milliseconds ttl) override { return inner_->TryLock(key, ttl); }
  void Unlock(std::string_view key) override { inner_->Unlock(key); }
  cache::Health health() override { return inner_->health(); }
  int64_t DeletePattern(std::string_view glob) override { return inner_->DeletePattern(glob); }
  cache::CacheStats Stats() override { return inner_->Stats(); }

 private:
  std::unique_ptr<cache::Cache> inner_;
  std::function<void()> armed_;
};

class RefreshAfterWrite : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = rota::testing::FreshDatabaseUrl(rota::testing::DbKind::kSqlite, dir_);
    const std::string& url = url_;
    {
      auto conn = db::Connect(url);
      ASSERT_TRUE(conn.ok());
      SeedOptions o;
      o.homes = 1;
      o.staff_per_home = 6;
      o.days = 7;
      o.start = *Date::Parse("2026-11-28");
      auto seeded = Seed(**conn, o);
      ASSERT_TRUE(seeded.ok()) << seeded.error().message;
    }
    auto pool = db::Pool::Open(url, 2);
    ASSERT_TRUE(pool.ok()) << pool.error().message;
    pool_ = std::move(*pool);
    reads_ = std::make_unique<ReadService>(*pool_);
    auto memory = cache::MakeCache("memory://");
    ASSERT_TRUE(memory.ok());
    cache_ = std::make_unique<Overtaken>(std::move(*memory));
    cached_ = std::make_unique<CachedReads>(*reads_, *cache_);
    cached_->EnableRefresh(1);
  }

  // The dashboard's outcome and its certifications_expiring_30d.
  struct Read {
    CacheOutcome outcome = CacheOutcome::kBypass;
    int expiring = -1;
  };
  Read ReadDashboard() { return Seen(cached_->Dashboard(1, week_, false)); }
  // What a dashboard answer shows: its outcome and certifications_expiring_30d.
  static Read Seen(const Result<CachedAnswer>& r) {
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return {};
    auto body = IdentityBody(*r);
    std::smatch m;
    EXPECT_TRUE(body.ok() && std::regex_search(*body, m, std::regex("\"certifications_expiring_30d\":(\\d+)")));
    return {r->outcome, m.empty() ? -1 : std::stoi(m[1])};
  }

  // A write committed (outside CachedReads): a certification of a member of
  // home 1 expiring within the week's 30 days.
  void AddCertification() {
    auto conn = db::Connect(url_);
    ASSERT_TRUE(conn.ok());
    auto added = (*conn)->Exec(
        "INSERT INTO certification (staff_id, name, expires_on) "
        "SELECT id, 'Drill', '2026-12-01' FROM staff WHERE home_id = 1 AND active ORDER BY id LIMIT 1");
    ASSERT_TRUE(added.ok() && *added == 1);
  }

  std::string url_;
  rota::testing::TempDir dir_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<ReadService> reads_;
  std::unique_ptr<Overtaken> cache_;
  std::unique_ptr<CachedReads> cached_;
  const domain::DateRange week_{*Date::Parse("2026-11-28"), *Date::Parse("2026-12-04")};
};

TEST_F(RefreshAfterWrite, TheHottestAnswerIsStoredBeforeTheAcknowledgement) {
  ASSERT_EQ(ReadDashboard().outcome, CacheOutcome::kMiss);
  const Read hot = ReadDashboard();  // read twice: hot
  ASSERT_EQ(hot.outcome, CacheOutcome::kHit);
  AddCertification();
  ChangeSet changes;
  changes.Add(1, kCertifications);
  cached_->Committed(changes);
  const Read after = ReadDashboard();
  EXPECT_EQ(after.outcome, CacheOutcome::kHit);
  EXPECT_EQ(after.expiring, hot.expiring + 1) << "the answer stored is the one after the write";
}

// Another write commits and increments after this one prepared its answer and
// before its own increment. The prepared answer, which lacks the other
// write's row, is not stored (the counter moved by two); it is computed again
// after the increment, before Committed returns: the reader after the
// acknowledgement hits, and sees both writes.
TEST_F(RefreshAfterWrite, AnAnswerAnotherWriteOvertookIsComputedAgainBeforeTheAcknowledgement) {
  ASSERT_EQ(ReadDashboard().outcome, CacheOutcome::kMiss);
  const Read hot = ReadDashboard();
  ASSERT_EQ(hot.outcome, CacheOutcome::kHit);
  const int64_t before = *cache_->Counter("gen:h1:certifications");
  AddCertification();
  cache_->Arm([this] {
    AddCertification();
    cache_->Incr("gen:h1:certifications");
  });
  ChangeSet changes;
  changes.Add(1, kCertifications);
  cached_->Committed(changes);
  ASSERT_EQ(*cache_->Counter("gen:h1:certifications"), before + 2) << "the other write's increment landed";
  const Read after = ReadDashboard();
  EXPECT_EQ(after.outcome, CacheOutcome::kHit);
  EXPECT_EQ(after.expiring, hot.expiring + 2) << "both writes' rows, not the answer prepared before the other's";
}

// GetLater over a real Redis (where lookups wait on the network): the same
// answers, counts and refresh as Get, with every statement in `finish`, on the
// caller's thread, and none on the cache's.
TEST_F(RefreshAfterWrite, GetLaterAnswersAsGetDoesAndRunsNoStatementOnTheCachesThread) {
  cache::CacheOptions o;
  o.key_prefix = "crl" + rota::testing::RunTag();
  auto redis = cache::MakeCache(rota::testing::TestRedisUrl(), o);
  ASSERT_TRUE(redis.ok());
  ASSERT_TRUE((*redis)->LookupsWait());
  CachedReads cached(*reads_, **redis);
  cached.EnableRefresh(1);
  struct Got {
    CachedReads::Later later;
    uint64_t statements = 0;  // run by `then`, on the cache's thread
  };
  auto get_later = [&] {
    std::promise<Got> promise;
    auto future = promise.get_future();
    cached.GetLater(cached.DashboardRead(1, week_), [&](CachedReads::Later later) {
      const uint64_t before = db::StatementCounter::Now();
      promise.set_value(Got{std::move(later), db::StatementCounter::Now() - before});
    });
    EXPECT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return future.get();
  };
  Got miss = get_later();
  ASSERT_FALSE(miss.later.ready);
  ASSERT_TRUE(miss.later.finish);
  const uint64_t before = db::StatementCounter::Now();
  auto computed = miss.later.finish();
  ASSERT_TRUE(computed.ok());
  EXPECT_EQ(computed->outcome, CacheOutcome::kMiss);
  EXPECT_GT(db::StatementCounter::Now() - before, 0u) << "the miss is computed in finish";

  Got hit = get_later();
  ASSERT_TRUE(hit.later.ready && hit.later.ready->ok());
  EXPECT_EQ(hit.statements, 0u);
  EXPECT_EQ((*hit.later.ready)->outcome, CacheOutcome::kHit);
  EXPECT_EQ((*hit.later.ready)->body, computed->body);
  EXPECT_EQ((*hit.later.ready)->etag, computed->etag);
  auto sync = cached.Dashboard(1, week_, false);
  ASSERT_TRUE(sync.ok());
  EXPECT_EQ(sync->outcome, CacheOutcome::kHit);
  EXPECT_EQ(sync->body, computed->body);
  for (const auto& [prefix, counts] : cached.PrefixCounts()) {
    if (prefix != cache::prefix::kDashboard) continue;
    EXPECT_EQ(counts.hits, 2);
    EXPECT_EQ(counts.misses, 1);
  }

  // Read three times: hot. A write refreshes it; the next lookup hits the answer after it.
  AddCertification();
  ChangeSet changes;
  changes.Add(1, kCertifications);
  cached.Committed(changes);
  Got after = get_later();
  ASSERT_TRUE(after.later.ready);
  const Read seen = Seen(*after.later.ready);
  EXPECT_EQ(seen.outcome, CacheOutcome::kHit);
  EXPECT_EQ(seen.expiring, Seen(computed).expiring + 1) << "the refreshed answer, with the new certification";
}

}  // namespace
}  // namespace rota::service

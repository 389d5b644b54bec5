// CachedReads' refresh after write, against a seeded SQLite file and a real
// memory:// cache, at the moment the end-to-end tests cannot reach: another
// write's increment landing between this write's reading of its counters (to
// prepare the hottest answers) and its own increment.
#include "service/cached_reads.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "cache/cache.hpp"
#include "db/database.hpp"
#include "service/reads.hpp"
#include "service/seed.hpp"
#include "support/support.hpp"

namespace rota::service {
namespace {

// memory://, with one hook: once armed, the next GetCurrent increments
// `counter` right after reading the counters, as another server's write would
// if it landed just then. Everything else is the memory cache's own doing.
class Overtaken final : public cache::Cache {
 public:
  explicit Overtaken(std::unique_ptr<cache::Cache> inner) : inner_(std::move(inner)) {}
  void Arm(std::string counter) { armed_ = std::move(counter); }

  std::optional<Current> GetCurrent(std::span<const std::string> counters, std::string_view key) override {
    auto out = inner_->GetCurrent(counters, key);
    if (armed_) {
      inner_->Incr(*armed_);
      armed_.reset();
    }
    return out;
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
  std::optional<std::string> armed_;
};

class RefreshAfterWrite : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string url = rota::testing::FreshDatabaseUrl(rota::testing::DbKind::kSqlite, dir_);
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

  CacheOutcome ReadDashboard() {
    auto r = cached_->Dashboard(1, week_, false);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->outcome : CacheOutcome::kBypass;
  }

  rota::testing::TempDir dir_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<ReadService> reads_;
  std::unique_ptr<Overtaken> cache_;
  std::unique_ptr<CachedReads> cached_;
  const domain::DateRange week_{*Date::Parse("2026-11-28"), *Date::Parse("2026-12-04")};
};

TEST_F(RefreshAfterWrite, TheHottestAnswerIsStoredBeforeTheAcknowledgement) {
  ASSERT_EQ(ReadDashboard(), CacheOutcome::kMiss);
  ASSERT_EQ(ReadDashboard(), CacheOutcome::kHit);  // read twice: hot
  ChangeSet changes;
  changes.Add(1, kCertifications);
  cached_->Committed(changes);
  EXPECT_EQ(ReadDashboard(), CacheOutcome::kHit);
}

// The answer prepared before the increment cannot be stamped (the counter
// moved by two), so it is computed again after the increment, before
// Committed returns: the reader after the acknowledgement still hits.
TEST_F(RefreshAfterWrite, AnAnswerAnotherWriteOvertookIsComputedAgainBeforeTheAcknowledgement) {
  ASSERT_EQ(ReadDashboard(), CacheOutcome::kMiss);
  ASSERT_EQ(ReadDashboard(), CacheOutcome::kHit);
  const int64_t before = *cache_->Counter("gen:h1:certifications");
  cache_->Arm("gen:h1:certifications");
  ChangeSet changes;
  changes.Add(1, kCertifications);
  cached_->Committed(changes);
  ASSERT_EQ(*cache_->Counter("gen:h1:certifications"), before + 2) << "the other write's increment landed";
  EXPECT_EQ(ReadDashboard(), CacheOutcome::kHit);
}

}  // namespace
}  // namespace rota::service

#include "service/recent_reads.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "service/changes.hpp"

namespace rota::service {
namespace {

using namespace std::chrono_literals;
using Clock = RecentReads::Clock;

// A job that appends its key to `ran` when run.
class Append final : public RecentReads::Refresh {
 public:
  Append(std::vector<std::string>& ran, std::string key) : ran_(ran), key_(std::move(key)) {}
  std::optional<RecentReads::Prepared> Prepare() const override { return std::nullopt; }
  void Run() const override { ran_.push_back(key_); }

 private:
  std::vector<std::string>& ran_;
  const std::string key_;
};

// Remembers `key`; its job appends the key to `ran`.
void Touch(RecentReads& r, const std::string& key, int64_t home, unsigned families, Clock::time_point at,
           std::vector<std::string>& ran, int* made = nullptr) {
  r.Touch(key, home, families, at, [&, key]() -> RecentReads::Job {
    if (made) ++*made;
    return std::make_shared<const Append>(ran, key);
  });
}

std::vector<std::string> RunDue(const RecentReads& r, const std::set<int64_t>& homes, unsigned families,
                                Clock::time_point now, size_t limit, std::vector<std::string>& ran) {
  ran.clear();
  for (const auto& job : r.Due(homes, families, now, limit)) job->Run();
  return ran;
}

// Two reads `gap` apart ending at `at`: a hot entry.
void Read2(RecentReads& r, const std::string& key, int64_t home, unsigned families, Clock::time_point at,
           std::vector<std::string>& ran, Clock::duration gap = 100ms) {
  Touch(r, key, home, families, at - gap, ran);
  Touch(r, key, home, families, at, ran);
}

TEST(RecentReads, DueAreTheWrittenHomesAndFamiliesMostRecentlyReadFirst) {
  RecentReads r;
  std::vector<std::string> ran;
  const auto t0 = Clock::now();
  Read2(r, "dash1", 1, kShifts | kStaff, t0, ran);
  Read2(r, "shifts1", 1, kShifts | kNotes, t0 + 1s, ran);
  Read2(r, "staff1", 1, kStaff, t0 + 2s, ran);
  Read2(r, "dash2", 2, kShifts | kStaff, t0 + 3s, ran);
  Read2(r, "stats", 0, kShifts, t0 + 4s, ran);  // about every home

  EXPECT_EQ(RunDue(r, {1}, kNotes, t0 + 5s, 10, ran), (std::vector<std::string>{"shifts1"}));
  EXPECT_EQ(RunDue(r, {1}, kShifts, t0 + 5s, 10, ran), (std::vector<std::string>{"stats", "shifts1", "dash1"}));
  EXPECT_EQ(RunDue(r, {1, 2}, kStaff, t0 + 5s, 10, ran), (std::vector<std::string>{"dash2", "staff1", "dash1"}));
  EXPECT_EQ(RunDue(r, {1}, kShifts, t0 + 5s, 2, ran), (std::vector<std::string>{"stats", "shifts1"}));
  EXPECT_TRUE(RunDue(r, {3}, kLeave, t0 + 5s, 10, ran).empty());
}

TEST(RecentReads, AnAnswerReadOnceIsNotDueUntilItIsReadAgain) {
  RecentReads r;
  std::vector<std::string> ran;
  const auto t0 = Clock::now();
  Touch(r, "odd range", 1, kShifts, t0, ran);
  Read2(r, "dashboard", 1, kShifts, t0 + 1s, ran);
  EXPECT_EQ(RunDue(r, {1}, kShifts, t0 + 2s, 10, ran), (std::vector<std::string>{"dashboard"}));
  Touch(r, "odd range", 1, kShifts, t0 + 3s, ran);
  EXPECT_EQ(RunDue(r, {1}, kShifts, t0 + 4s, 10, ran), (std::vector<std::string>{"odd range", "dashboard"}));
}

TEST(RecentReads, ATouchOfAKnownKeyMovesItForwardWithoutMakingAnotherClosure) {
  RecentReads r;
  std::vector<std::string> ran;
  int made = 0;
  const auto t0 = Clock::now();
  Touch(r, "a", 1, kShifts, t0, ran, &made);
  Touch(r, "b", 1, kShifts, t0 + 1s, ran, &made);
  Touch(r, "b", 1, kShifts, t0 + 1500ms, ran, &made);
  Touch(r, "a", 1, kShifts, t0 + 2s, ran, &made);
  EXPECT_EQ(made, 2);
  EXPECT_EQ(r.size(), 2u);
  EXPECT_EQ(RunDue(r, {1}, kShifts, t0 + 3s, 10, ran), (std::vector<std::string>{"a", "b"}));
}

TEST(RecentReads, EntriesNotReadTwiceWithinTheWindowAreNotDue) {
  RecentReads r(60s);
  std::vector<std::string> ran;
  const auto t0 = Clock::now();
  Read2(r, "old", 1, kShifts, t0, ran);
  Read2(r, "new", 1, kShifts, t0 + 30s, ran);
  Touch(r, "slow", 1, kShifts, t0, ran);  // read twice, but 59.9 s apart, ending 1.1 s before the write
  Touch(r, "slow", 1, kShifts, t0 + 59900ms, ran);
  EXPECT_EQ(RunDue(r, {1}, kShifts, t0 + 61s, 10, ran), (std::vector<std::string>{"new"}));
}

TEST(RecentReads, AFullShardLetsAScanReplaceItsOwnEntriesNeverTheHotOnes) {
  RecentReads r(60s);
  std::vector<std::string> ran;
  const auto t0 = Clock::now();
  for (int h = 1; h <= 40; ++h) Read2(r, "hot" + std::to_string(h), h, kStaff, t0, ran);
  // Far more distinct keys than the registry holds, each read once: it stays bounded.
  const size_t total = RecentReads::kShards * RecentReads::kShardCapacity * 4;
  for (size_t i = 0; i < total; ++i) Touch(r, "scan" + std::to_string(i), 1, kShifts, t0 + 1s, ran);
  EXPECT_LE(r.size(), RecentReads::kShards * RecentReads::kShardCapacity);
  EXPECT_GE(r.size(), RecentReads::kShards * RecentReads::kShardCapacity * 9 / 10);
  for (int h = 1; h <= 40; ++h)
    EXPECT_EQ(RunDue(r, {h}, kStaff, t0 + 2s, 10, ran), (std::vector<std::string>{"hot" + std::to_string(h)}));
  // A key read twice during the scan is kept (the scan replaces the oldest one-off entries first).
  Read2(r, "late", 2, kLeave, t0 + 3s, ran);
  EXPECT_EQ(RunDue(r, {2}, kLeave, t0 + 4s, 10, ran), (std::vector<std::string>{"late"}));
}

}  // namespace
}  // namespace rota::service

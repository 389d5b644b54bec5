// redis+sentinel:// against a real Sentinel set of the test's own: a primary, a
// replica and three sentinels (`redis-server --sentinel`) on free ports in a temp dir.
// The primary is SIGKILLed under load (one writer, two readers, each read checked
// against the last acknowledged write), after its replica has been cut off so that
// the promoted replica lacks the last acknowledged writes; the test prints stale reads (must be 0),
// acknowledged writes and their generation bumps, and the seconds until hits resume
// from the promoted replica. Also: a Sentinel that names no primary is a
// configuration error naming the setting, and dead sentinels only degrade the cache.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

#include "cache/cache.hpp"
#include "support/support.hpp"

namespace rota::cache {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// redis-cli against a sentinel (no db: a sentinel refuses SELECT).
std::string SentinelCli(int port, const std::string& args) {
  return testing::RedisCli("redis://127.0.0.1:" + std::to_string(port), args);
}

// A primary, its replica and three sentinels watching them as "svc"; all killed at the end.
class SentinelSet {
 public:
  SentinelSet() : replica_({.server_args = "--replicaof 127.0.0.1 " + std::to_string(primary_.port())}) {
    for (int i = 0; i < 3; ++i) sentinels_.push_back(testing::FreePort());
  }
  ~SentinelSet() {
    for (int port : sentinels_)
      (void)std::system(("kill -9 $(cat " + SentinelFile(port, "pid") + ") 2>/dev/null").c_str());
  }

  bool Start() {
    if (!primary_.Start() || !replica_.Start()) return false;
    for (int port : sentinels_) {
      std::string conf = SentinelFile(port, "conf");
      std::ofstream(conf) << "port " << port << "\nbind 127.0.0.1\ndaemonize yes\npidfile " << SentinelFile(port, "pid")
                          << "\nlogfile " << SentinelFile(port, "log") << "\ndir " << dir_.path()
                          << "\nsentinel monitor svc 127.0.0.1 " << primary_.port()
                          << " 2\nsentinel down-after-milliseconds svc 1000\nsentinel failover-timeout svc 10000\n";
      if (std::system(("redis-server " + conf + " --sentinel >/dev/null 2>&1").c_str()) != 0) return false;
    }
    // Ready when the replica is in sync and every sentinel sees the others and a quorum.
    for (int i = 0; i < 300; ++i) {
      bool ready = replica_.Cli("INFO replication").find("master_link_status:up") != std::string::npos;
      for (int port : sentinels_)
        ready = ready && SentinelCli(port, "SENTINEL ckquorum svc").find("OK 3 usable") != std::string::npos;
      if (ready) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  // Cuts the replica off the primary for good: its link is closed and a wrong
  // masterauth keeps it from coming back, while Sentinel still deems it fit to promote
  // (its link has been down for seconds, not the 10 x down-after it would refuse).
  bool CutReplication() {
    return replica_.Cli("CONFIG SET masterauth not-the-primarys") == "OK" &&
           primary_.Cli("CLIENT KILL TYPE replica") == "1";
  }
  // The replication offset the node has reached (a replica: what it has received).
  static int64_t Offset(testing::RedisProcess& node) {
    std::string info = node.Cli("INFO replication");
    auto at = info.find("master_repl_offset:");
    return at == std::string::npos ? -1 : std::atoll(info.c_str() + at + std::strlen("master_repl_offset:"));
  }
  void KillPrimary() { primary_.Stop(); }
  std::string Url(const std::string& service = "svc") const {
    std::string hosts;
    for (int port : sentinels_) hosts += (hosts.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(port);
    return "redis+sentinel://" + hosts + "/" + service;
  }
  testing::RedisProcess& primary() { return primary_; }
  testing::RedisProcess& replica() { return replica_; }

 private:
  std::string SentinelFile(int port, const std::string& ext) const {
    return dir_.File("sentinel" + std::to_string(port) + "." + ext);
  }

  testing::TempDir dir_;  // the sentinels' files
  testing::RedisProcess primary_;
  testing::RedisProcess replica_;
  std::vector<int> sentinels_;
};

CacheOptions Options() {
  CacheOptions o;
  o.key_prefix = "rota_s" + testing::RunTag();
  o.connect_timeout = o.socket_timeout = 500ms;
  o.retry_after = 200ms;
  return o;
}

TEST(RedisSentinel, KillingThePrimaryUnderLoadServesNoStaleReadAndHitsResume) {
  SentinelSet set;
  ASSERT_TRUE(set.Start()) << "the Sentinel set did not come up";
  auto made = MakeCache(set.Url(), Options());
  ASSERT_TRUE(made.ok()) << made.error().message;
  Cache& cache = **made;
  ASSERT_TRUE(cache.CheckAccess().ok());

  // The "database": a version per home; a write commits it, bumps the generation, then is acknowledged.
  constexpr int kHomes = 4;
  std::atomic<int64_t> db[kHomes] = {}, acked[kHomes] = {};
  std::atomic<int64_t> writes{0}, reads{0}, hits{0}, stale{0}, bypassed{0};
  // steady ns: the kill; the first bypass after it (the cache saw the outage); the
  // first hit from a read begun after that bypass, i.e. served by the new primary
  // (a hit in flight at the kill came from the old one and does not count).
  std::atomic<int64_t> killed_at{0}, outage_seen{0}, first_hit_after{0};
  std::atomic<bool> stop{false}, hold_writes{false}, writes_held{false};
  auto now_ns = [] { return Clock::now().time_since_epoch().count(); };

  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      // No writes from just before the kill until hits resume: a bump owed during the
      // outage, replayed on the new primary, would paper over the bumps it never received.
      if (hold_writes.load() && !first_hit_after.load()) {
        writes_held.store(true);
        std::this_thread::sleep_for(5ms);
        continue;
      }
      int h = i % kHomes;
      int64_t v = db[h].fetch_add(1) + 1;
      cache.Incr("gen:h" + std::to_string(h));  // owed and replayed when Redis cannot take it
      acked[h].store(v);
      writes.fetch_add(1);
      std::this_thread::sleep_for(2ms);
    }
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r)
    readers.emplace_back([&, r] {
      for (int i = r; !stop.load(); ++i) {
        int h = i % kHomes;
        int64_t floor = acked[h].load();  // every read must see at least this write
        const bool after_outage = outage_seen.load() != 0;
        reads.fetch_add(1);
        auto g = cache.Counter("gen:h" + std::to_string(h));
        if (!g) {
          bypassed.fetch_add(1);
          if (killed_at.load()) {
            int64_t expected = 0;
            outage_seen.compare_exchange_strong(expected, now_ns());
          }
          std::this_thread::sleep_for(1ms);
          continue;
        }
        std::string key = "dashboard:h" + std::to_string(h) + ":g" + std::to_string(*g) + ":x";
        if (auto v = cache.Get(key)) {
          hits.fetch_add(1);
          if (std::stoll(*v) < floor) stale.fetch_add(1);
          if (after_outage && !first_hit_after.load()) {
            int64_t expected = 0;
            first_hit_after.compare_exchange_strong(expected, now_ns());
          }
        } else {
          cache.Set(key, std::to_string(db[h].load()), 60s);
        }
      }
    });

  std::this_thread::sleep_for(2s);
  // The promoted replica misses the last acknowledged writes (generation bumps among
  // them), or this test could not fail: replication is asynchronous, and it is these
  // writes that a promoted replica must not serve values from before.
  ASSERT_TRUE(set.CutReplication());
  int64_t writes_at_cut = writes.load();
  std::this_thread::sleep_for(500ms);
  hold_writes.store(true);
  while (!writes_held.load()) std::this_thread::sleep_for(1ms);
  int64_t hits_before = hits.load();
  int64_t writes_at_kill = writes.load();
  int64_t primary_offset = SentinelSet::Offset(set.primary()), replica_offset = SentinelSet::Offset(set.replica());
  set.KillPrimary();
  killed_at.store(now_ns());
  auto deadline = Clock::now() + 40s;
  while (!first_hit_after.load() && Clock::now() < deadline) std::this_thread::sleep_for(50ms);
  std::this_thread::sleep_for(2s);  // and keep going on the new primary for a while
  stop.store(true);
  writer.join();
  for (auto& t : readers) t.join();

  double resumed = first_hit_after.load() ? (first_hit_after.load() - killed_at.load()) / 1e9 : -1;
  std::printf(
      "sentinel failover: %lld writes acknowledged (%lld before the kill, %lld of them after replication "
      "was cut), %lld reads (%lld hits, %lld before the kill; %lld "
      "bypassed), %lld stale reads; hits resumed %.2f s after SIGKILL of the primary\n",
      static_cast<long long>(writes.load()), static_cast<long long>(writes_at_kill),
      static_cast<long long>(writes_at_kill - writes_at_cut), static_cast<long long>(reads.load()),
      static_cast<long long>(hits.load()), static_cast<long long>(hits_before), static_cast<long long>(bypassed.load()),
      static_cast<long long>(stale.load()), resumed);
  EXPECT_GT(hits_before, 0) << "the cache was serving before the kill";
  EXPECT_GT(writes_at_kill, writes_at_cut) << "writes were acknowledged that the replica never received";
  EXPECT_GT(primary_offset, replica_offset) << "the replica had not received everything when the primary died";
  EXPECT_EQ(stale.load(), 0);
  ASSERT_GT(resumed, 0) << "hits never resumed after the failover";
  EXPECT_LT(resumed, 30);
  EXPECT_NE(set.replica().Cli("ROLE").find("master"), std::string::npos) << "the replica was promoted";
  // After the failover every generation can be read again: once the cache has found
  // the new primary (bounded wait: the writer's last Incr may have opened the breaker).
  for (auto until = Clock::now() + 10s; cache.health() != Health::kHealthy && Clock::now() < until;)
    std::this_thread::sleep_for(50ms);
  for (int h = 0; h < kHomes; ++h) {
    auto g = cache.Counter("gen:h" + std::to_string(h));
    ASSERT_TRUE(g);
  }
  EXPECT_EQ(cache.health(), Health::kHealthy);
}

// Values are stored as they are, even one that spells the namespace mark of
// redis_cache.cpp (twelve '@'; user text such as a shift's note can): only keys
// take the primary's namespace.
TEST(RedisSentinel, AValueSpellingTheNamespaceMarkIsStoredAsItIs) {
  SentinelSet set;
  ASSERT_TRUE(set.Start());
  auto made = MakeCache(set.Url(), Options());
  ASSERT_TRUE(made.ok()) << made.error().message;
  const std::string value = "{\"note\":\"" + std::string(12, '@') + "\"}";
  (*made)->Set("dashboard:h1:g1:mark", value, 60s);
  auto got = (*made)->Get("dashboard:h1:g1:mark");
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, value);
}

TEST(RedisSentinel, ASentinelThatNamesNoPrimaryIsAConfigurationErrorAndDeadSentinelsOnlyDegrade) {
  SentinelSet set;
  ASSERT_TRUE(set.Start());
  auto wrong = MakeCache(set.Url("no-such-service"), Options());
  ASSERT_TRUE(wrong.ok());
  auto start = Clock::now();
  Status s = (*wrong)->CheckAccess();
  EXPECT_LT(Clock::now() - start, 5s) << "never a hang";
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("ROTA_CACHE_URL"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("no primary named 'no-such-service'"), std::string::npos) << s.error().message;
  EXPECT_FALSE((*wrong)->Get("k"));

  auto dead = MakeCache("redis+sentinel://127.0.0.1:" + std::to_string(testing::FreePort()) + "/svc", Options());
  ASSERT_TRUE(dead.ok());
  EXPECT_TRUE((*dead)->CheckAccess().ok()) << "unreachable sentinels are an outage, not a misconfiguration";
  EXPECT_FALSE((*dead)->Counter("gen:h1"));
  EXPECT_EQ((*dead)->health(), Health::kDegraded);
}

}  // namespace
}  // namespace rota::cache

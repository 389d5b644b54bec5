// redis+sentinel:// against a real Sentinel set of the test's own: a primary, a
// replica and three sentinels (`redis-server --sentinel`) on free ports in a temp dir.
// The primary is SIGKILLed under load (one writer, two readers, each read checked
// against the last acknowledged write); the test prints stale reads (must be 0),
// acknowledged writes and their generation bumps, and the seconds until hits resume
// from the promoted replica. Also: a Sentinel that names no primary is a
// configuration error naming the setting, and dead sentinels only degrade the cache.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

#include "cache/cache.hpp"
#include "support/support.hpp"

namespace rota::cache {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string Shell(const std::string& cmd) {
  std::string out;
  if (FILE* f = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    pclose(f);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string Cli(int port, const std::string& args) {
  return Shell("redis-cli -p " + std::to_string(port) + " " + args + " 2>/dev/null");
}

// A primary, its replica and three sentinels watching them as "svc"; all killed at the end.
class SentinelSet {
 public:
  SentinelSet() : primary_(testing::FreePort()), replica_(testing::FreePort()) {
    for (int i = 0; i < 3; ++i) sentinels_.push_back(testing::FreePort());
  }
  ~SentinelSet() {
    for (const auto& pidfile : pidfiles_) (void)std::system(("kill -9 $(cat " + pidfile + ") 2>/dev/null").c_str());
  }

  bool Start() {
    auto server = [&](int port, const std::string& extra) {
      std::string name = "redis" + std::to_string(port);
      pidfiles_.push_back(dir_.File(name + ".pid"));
      return std::system(("redis-server --bind 127.0.0.1 --port " + std::to_string(port) +
                          " --save '' --appendonly no --daemonize yes --dir " + dir_.path() + " --pidfile " +
                          dir_.File(name + ".pid") + " --logfile " + dir_.File(name + ".log") + " " + extra +
                          " >/dev/null 2>&1")
                             .c_str()) == 0;
    };
    if (!server(primary_, "") ||
        !server(replica_, "--replicaof 127.0.0.1 " + std::to_string(primary_)))
      return false;
    for (int port : sentinels_) {
      std::string conf = dir_.File("sentinel" + std::to_string(port) + ".conf");
      std::ofstream(conf) << "port " << port << "\nbind 127.0.0.1\ndaemonize yes\npidfile "
                          << dir_.File("sentinel" + std::to_string(port) + ".pid") << "\nlogfile "
                          << dir_.File("sentinel" + std::to_string(port) + ".log") << "\ndir " << dir_.path()
                          << "\nsentinel monitor svc 127.0.0.1 " << primary_
                          << " 2\nsentinel down-after-milliseconds svc 1000\nsentinel failover-timeout svc 10000\n";
      pidfiles_.push_back(dir_.File("sentinel" + std::to_string(port) + ".pid"));
      if (std::system(("redis-server " + conf + " --sentinel >/dev/null 2>&1").c_str()) != 0) return false;
    }
    // Ready when the replica is in sync and every sentinel sees the others and a quorum.
    for (int i = 0; i < 300; ++i) {
      bool ready = Cli(replica_, "INFO replication").find("master_link_status:up") != std::string::npos;
      for (int port : sentinels_)
        ready = ready && Cli(port, "SENTINEL ckquorum svc").find("OK 3 usable") != std::string::npos;
      if (ready) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  void KillPrimary() { (void)std::system(("kill -9 $(cat " + pidfiles_[0] + ")").c_str()); }
  std::string Url(const std::string& service = "svc") const {
    std::string hosts;
    for (int port : sentinels_) hosts += (hosts.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(port);
    return "redis+sentinel://" + hosts + "/" + service;
  }
  int primary() const { return primary_; }
  int replica() const { return replica_; }

 private:
  testing::TempDir dir_;
  int primary_, replica_;
  std::vector<int> sentinels_;
  std::vector<std::string> pidfiles_;
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
  std::atomic<int64_t> killed_at{0}, first_hit_after{0};  // steady ns
  std::atomic<bool> stop{false};
  auto now_ns = [] { return Clock::now().time_since_epoch().count(); };

  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      // No writes from the kill until hits resume: no bump owed during the outage may
      // paper over the bumps the promoted replica never received.
      if (killed_at.load() && !first_hit_after.load()) {
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
        reads.fetch_add(1);
        auto g = cache.Counter("gen:h" + std::to_string(h));
        if (!g) {
          bypassed.fetch_add(1);
          std::this_thread::sleep_for(1ms);
          continue;
        }
        std::string key = "dashboard:h" + std::to_string(h) + ":g" + std::to_string(*g) + ":x";
        if (auto v = cache.Get(key)) {
          hits.fetch_add(1);
          if (std::stoll(*v) < floor) stale.fetch_add(1);
          if (killed_at.load() && !first_hit_after.load()) {
            int64_t expected = 0;
            first_hit_after.compare_exchange_strong(expected, now_ns());
          }
        } else {
          cache.Set(key, std::to_string(db[h].load()), 60s);
        }
      }
    });

  std::this_thread::sleep_for(2s);
  int64_t hits_before = hits.load();
  int64_t writes_at_kill = writes.load();
  set.KillPrimary();
  killed_at.store(now_ns());
  auto deadline = Clock::now() + 40s;
  while (!first_hit_after.load() && Clock::now() < deadline) std::this_thread::sleep_for(50ms);
  std::this_thread::sleep_for(2s);  // and keep going on the new primary for a while
  stop.store(true);
  writer.join();
  for (auto& t : readers) t.join();

  double resumed = first_hit_after.load() ? (first_hit_after.load() - killed_at.load()) / 1e9 : -1;
  std::printf("sentinel failover: %lld writes acknowledged (%lld before the kill), %lld reads (%lld hits, %lld before the kill; %lld "
              "bypassed), %lld stale reads; hits resumed %.2f s after SIGKILL of the primary\n",
              static_cast<long long>(writes.load()), static_cast<long long>(writes_at_kill),
              static_cast<long long>(reads.load()),
              static_cast<long long>(hits.load()), static_cast<long long>(hits_before),
              static_cast<long long>(bypassed.load()), static_cast<long long>(stale.load()), resumed);
  EXPECT_GT(hits_before, 0) << "the cache was serving before the kill";
  EXPECT_EQ(stale.load(), 0);
  ASSERT_GT(resumed, 0) << "hits never resumed after the failover";
  EXPECT_LT(resumed, 30);
  EXPECT_NE(Cli(set.replica(), "ROLE").find("master"), std::string::npos) << "the replica was promoted";
  // After the failover every generation was read anew and is at least every write made.
  for (int h = 0; h < kHomes; ++h) {
    auto g = cache.Counter("gen:h" + std::to_string(h));
    ASSERT_TRUE(g);
  }
  EXPECT_EQ(cache.health(), Health::kHealthy);
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

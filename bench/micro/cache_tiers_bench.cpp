// The cache work of one cached-dashboard hit on each tier, as CachedReads::Through
// does it: GetCurrent of the dashboard's six family counters and its value (one
// MGET on Redis; service/cached_reads.hpp). BM_*TwoStep is the first generation's
// hit, kept for comparison: one counter, then the value (two round trips on Redis).
//   memory://          in-process LRU
//   redis://           Redis over loopback
//   redis:// + near    the near tier: from process memory, no network
//   rediss://          the same over TLS (OpenSSL), to the same redis-server's TLS
//                      port: TLS against plain TCP, side by side
// Run by bench/micro/run.sh, which starts a private redis-server (plain and TLS
// ports) and makes its certificates.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "cache/cache.hpp"

namespace {

using namespace std::chrono_literals;
using rota::cache::Cache;
using rota::cache::CacheOptions;

const std::string kValue(1400, 'x');  // about one dashboard answer
const std::string kKey = "dashboard:h1:v2:x";
const std::vector<std::string> kCounters = {"gen:h1:shifts", "gen:h1:staff", "gen:h1:certifications",
                                            "gen:h1:leave",  "gen:h1:units", "gen:h1:home"};

std::unique_ptr<Cache> Make(const std::string& url, bool near, const std::string& prefix = "bench") {
  CacheOptions o;
  o.key_prefix = prefix + std::to_string(near);
  if (const char* ca = std::getenv("ROTA_BENCH_TLS_CA_FILE"); ca && url.starts_with("rediss://")) o.tls_ca_file = ca;
  o.near = near;
  o.near_ttl = 60s;
  auto c = rota::cache::MakeCache(url, o);
  if (!c.ok()) {
    std::fprintf(stderr, "%s\n", c.error().message.c_str());
    std::exit(1);
  }
  auto cache = std::move(c).value();
  if (near)  // the tier answers once its subscription is up
    for (int i = 0; i < 200 && cache->Stats().near_connected != true; ++i) std::this_thread::sleep_for(10ms);
  cache->Incr("gen:h1");
  cache->Set("dashboard:h1:g" + std::to_string(*cache->Counter("gen:h1")) + ":x", kValue, 600s);
  auto now = cache->GetCurrent(kCounters, kKey);
  cache->SetCurrent(kKey, kValue, now->generations, 600s);
  return cache;
}

void Hit(benchmark::State& state, Cache& cache) {
  for (auto _ : state) {
    auto v = cache.GetCurrent(kCounters, kKey);
    if (!v || !v->value) state.SkipWithError("miss");
    benchmark::DoNotOptimize(v);
  }
}

void TwoStepHit(benchmark::State& state, Cache& cache) {
  for (auto _ : state) {
    auto g = cache.Counter("gen:h1");
    auto v = cache.Get("dashboard:h1:g" + std::to_string(*g) + ":x");
    if (!v) state.SkipWithError("miss");
    benchmark::DoNotOptimize(v);
  }
}

const char* RedisUrl() {
  const char* url = std::getenv("ROTA_BENCH_REDIS_URL");
  return url ? url : "redis://127.0.0.1:6379/0";
}

void BM_Memory(benchmark::State& state) {
  static auto cache = Make("memory://", false);
  Hit(state, *cache);
}
void BM_Redis(benchmark::State& state) {
  static auto cache = Make(RedisUrl(), false);
  Hit(state, *cache);
}
void BM_RedisNear(benchmark::State& state) {
  static auto cache = Make(RedisUrl(), true);
  Hit(state, *cache);
}

void BM_MemoryTwoStep(benchmark::State& state) {
  static auto cache = Make("memory://", false);
  TwoStepHit(state, *cache);
}
void BM_RedisTwoStep(benchmark::State& state) {
  static auto cache = Make(RedisUrl(), false);
  TwoStepHit(state, *cache);
}

void BM_RedisTls(benchmark::State& state) {
  const char* url = std::getenv("ROTA_BENCH_REDISS_URL");
  if (!url) {
    state.SkipWithError("ROTA_BENCH_REDISS_URL is not set");
    return;
  }
  static auto cache = Make(url, false, "benchtls");
  Hit(state, *cache);
}

BENCHMARK(BM_Memory)->UseRealTime();
BENCHMARK(BM_MemoryTwoStep)->UseRealTime();
BENCHMARK(BM_Redis)->UseRealTime();
BENCHMARK(BM_RedisTwoStep)->UseRealTime();
BENCHMARK(BM_RedisTls)->UseRealTime();
BENCHMARK(BM_RedisNear)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

// The CPU of the reads without HTTP (issue 12: the model between the SQL and
// the bytes must cost no more than writing JSON straight from the rows):
//   BM_DashboardUncached   ReadService::Dashboard, 7 days: 3 statements + JSON
//   BM_DashboardHit        CachedReads::Dashboard on memory://: generation, key, get, ETag
//   BM_ShiftListUncached   ReadService::ShiftList, 14 days (~336 shifts with notes and links)
//   BM_StaffListUncached   ReadService::StaffList (40 staff with units, certifications, leave)
// On a SQLite file seeded here (2 homes x 40 staff x 60 days from 2026-11-01).
// Only public calls that existed before the model, so the same file builds
// against the commit before it: bench/micro/run_reads.sh runs both side by side.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "cache/cache.hpp"
#include "db/database.hpp"
#include "service/cached_reads.hpp"
#include "service/reads.hpp"
#include "service/seed.hpp"

namespace {

using namespace rota;

template <class T>
T Must(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.error().message.c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

struct Fixture {
  std::unique_ptr<db::Pool> pool;
  std::unique_ptr<cache::Cache> cache;
  std::unique_ptr<service::ReadService> reads;
  std::unique_ptr<service::CachedReads> cached;
  Fixture() {
    const char* path = std::getenv("ROTA_BENCH_DB");
    std::string url = std::string("sqlite://") + (path ? path : "/tmp/rota-reads-bench.db");
    std::remove(path ? path : "/tmp/rota-reads-bench.db");
    pool = Must(db::Pool::Open(url, 2));
    {
      auto lease = Must(pool->Acquire());
      Must(db::Migrate(*lease));
      service::SeedOptions o;
      o.homes = 2;
      o.staff_per_home = 40;
      o.days = 60;
      o.start = *Date::Parse("2026-11-01");
      Must(service::Seed(*lease, o));
    }
    cache = Must(cache::MakeCache("memory://"));
    reads = std::make_unique<service::ReadService>(*pool);
    cached = std::make_unique<service::CachedReads>(*reads, *cache);
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

const domain::DateRange kWeek{*Date::Parse("2026-11-28"), *Date::Parse("2026-12-04")};
const domain::DateRange kFortnight{*Date::Parse("2026-11-28"), *Date::Parse("2026-12-11")};

void BM_DashboardUncached(benchmark::State& state) {
  auto& f = F();
  for (auto _ : state) benchmark::DoNotOptimize(f.reads->Dashboard(1, kWeek));
}
BENCHMARK(BM_DashboardUncached);

void BM_DashboardHit(benchmark::State& state) {
  auto& f = F();
  Must(f.cached->Dashboard(1, kWeek, false));
  for (auto _ : state) benchmark::DoNotOptimize(f.cached->Dashboard(1, kWeek, false));
}
BENCHMARK(BM_DashboardHit);

void BM_ShiftListUncached(benchmark::State& state) {
  auto& f = F();
  for (auto _ : state) benchmark::DoNotOptimize(f.reads->ShiftList(1, kFortnight));
}
BENCHMARK(BM_ShiftListUncached);

void BM_StaffListUncached(benchmark::State& state) {
  auto& f = F();
  for (auto _ : state) benchmark::DoNotOptimize(f.reads->StaffList(1));
}
BENCHMARK(BM_StaffListUncached);

}  // namespace

BENCHMARK_MAIN();
